// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "decode.h"
#include "procfs.h"
#include "scan.h"

typedef int (*record_cb)(void *ctx, const union tfo_record *r);

/* One pass of an iterator whose records are all RECORD_SIZE bytes of
 * TYPE, each to CB. Returns how many, or -errno with WHY set. */
static int iterate(const struct bpf_program *iter, unsigned int type,
		   size_t record_size, record_cb cb, void *ctx, char *why,
		   size_t why_len)
{
	unsigned char buf[sizeof(union tfo_record) * 64];
	struct bpf_link *link = NULL;
	size_t have = 0;
	int iter_fd = -1, count = 0, err = 0;
	ssize_t n;

	link = bpf_program__attach_iter(iter, NULL);
	if (!link) {
		err = -errno;
		snprintf(why, why_len, "attach the %s iterator: %s",
			 bpf_program__name(iter), strerror(-err));
		goto cleanup;
	}
	iter_fd = bpf_iter_create(bpf_link__fd(link));
	if (iter_fd < 0) {
		err = -errno;
		snprintf(why, why_len, "start the %s iterator: %s",
			 bpf_program__name(iter), strerror(-err));
		goto cleanup;
	}
	/* Records are fixed-size; a read may end inside one. */
	while ((n = read(iter_fd, buf + have, sizeof(buf) - have)) > 0) {
		size_t off = 0;

		have += n;
		for (; have - off >= record_size; off += record_size) {
			union tfo_record rec;

			if (tfo_decode(buf + off, record_size, &rec) ||
			    rec.hdr.type != type) {
				snprintf(why, why_len,
					 "the %s iterator returned a malformed record",
					 bpf_program__name(iter));
				err = -EINVAL;
				goto cleanup;
			}
			err = cb(ctx, &rec);
			if (err)
				goto cleanup;
			count++;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	if (n < 0) {
		err = -errno;
		snprintf(why, why_len, "read the %s iterator: %s",
			 bpf_program__name(iter), strerror(-err));
	}
cleanup:
	if (iter_fd >= 0)
		close(iter_fd);
	bpf_link__destroy(link);
	return err ? err : count;
}

struct listeners {
	struct tfo_listener *v;
	size_t n, cap;
	/* every (listener, process) pair the owners iterator found */
	struct tfo_rec_owner *holders;
	size_t n_holders, cap_holders;
};

static int collect_listener(void *ctx, const union tfo_record *r)
{
	struct listeners *ls = ctx;

	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? 2 * ls->cap : 64;
		struct tfo_listener *v = realloc(ls->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ls->v = v;
		ls->cap = cap;
	}
	memset(&ls->v[ls->n], 0, sizeof(ls->v[0]));
	ls->v[ls->n++].rec = r->listener;
	return 0;
}

/* One record per fd on a listener: kept all, sorted out per listener
 * once the iterator is done. */
static int collect_owner(void *ctx, const union tfo_record *r)
{
	struct listeners *ls = ctx;

	if (ls->n_holders == ls->cap_holders) {
		size_t cap = ls->cap_holders ? 2 * ls->cap_holders : 64;
		struct tfo_rec_owner *v = realloc(ls->holders, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ls->holders = v;
		ls->cap_holders = cap;
	}
	ls->holders[ls->n_holders++] = r->owner;
	return 0;
}

static bool is_holder(const uint32_t *holders, size_t n, uint32_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (holders[i] == pid)
			return true;
	return false;
}

/* Each listener's holders: distinct processes, the creator first. */
static void attribute(struct listeners *ls)
{
	uint32_t *pids = NULL, *ppids = NULL;

	if (ls->n_holders) {
		pids = calloc(ls->n_holders, sizeof(*pids));
		ppids = calloc(ls->n_holders, sizeof(*ppids));
	}
	for (size_t i = 0; pids && ppids && i < ls->n; i++) {
		struct tfo_listener *l = &ls->v[i];
		const struct tfo_rec_owner *of[TFO_LISTENER_OWNERS];
		char master_comm[TFO_COMM_LEN];
		size_t n = 0, creator, first;
		uint32_t master;

		for (size_t h = 0; h < ls->n_holders; h++) {
			const struct tfo_rec_owner *o = &ls->holders[h];

			if (o->ino != l->rec.sock.ino ||
			    is_holder(pids, n, o->hdr.pid))
				continue;
			pids[n] = o->hdr.pid;
			ppids[n] = o->ppid;
			if (n < TFO_LISTENER_OWNERS)
				of[n] = o;
			n++;
		}
		if (!n)
			continue;
		creator = tfo_creator_of(pids, ppids, n, "/proc");
		master = tfo_service_root("/proc", pids[creator], master_comm);
		/* the creator first, the others after it in pid order */
		for (size_t h = 0; h < ls->n_holders && creator >= TFO_LISTENER_OWNERS; h++)
			if (ls->holders[h].ino == l->rec.sock.ino &&
			    ls->holders[h].hdr.pid == pids[creator])
				of[TFO_LISTENER_OWNERS - 1] = &ls->holders[h];
		if (creator >= TFO_LISTENER_OWNERS)
			creator = TFO_LISTENER_OWNERS - 1;
		l->n_holders = n;
		/* a master that no longer holds it comes first all the same */
		first = master != pids[creator];
		if (first) {
			l->owners[0].pid = master;
			l->owners[0].ns_pid = tfo_ns_pid_of("/proc", master);
			memcpy(l->owners[0].comm, master_comm, TFO_COMM_LEN);
		}
		l->n_owners = n + first < TFO_LISTENER_OWNERS ? n + first :
			      TFO_LISTENER_OWNERS;
		for (size_t j = 0, k = 1; j < l->n_owners - first; j++) {
			const struct tfo_rec_owner *o = of[j];
			size_t at = j == creator && !first ? 0 : k++;

			if (at >= TFO_LISTENER_OWNERS)
				break;
			l->owners[at].pid = o->hdr.pid;
			l->owners[at].ns_pid = o->hdr.ns_pid;
			memcpy(l->owners[at].comm, o->hdr.comm, TFO_COMM_LEN);
			l->owners[at].comm[TFO_COMM_LEN - 1] = '\0';
		}
	}
	free(pids);
	free(ppids);
}

/* The owners iterator, looking for the listeners' inodes only. */
static int find_owners(const struct tfo_scan_progs *progs,
		       struct listeners *ls, char *why, size_t why_len)
{
	__u8 one = 1;
	int n, err = 0;

	for (size_t i = 0; i < ls->n && i < TFO_SCAN_INOS_MAX && !err; i++)
		if (bpf_map_update_elem(progs->inos_fd, &ls->v[i].rec.sock.ino,
					&one, BPF_ANY))
			err = -errno;
	if (err) {
		snprintf(why, why_len, "listener owners unknown: %s",
			 strerror(-err));
	} else {
		n = iterate(progs->owners, TFO_REC_OWNER,
			    sizeof(struct tfo_rec_owner), collect_owner, ls,
			    why, why_len);
		err = n < 0 ? n : 0;
		if (!err)
			attribute(ls);
	}
	free(ls->holders);
	/* empty again for the next scan */
	for (size_t i = 0; i < ls->n; i++)
		bpf_map_delete_elem(progs->inos_fd, &ls->v[i].rec.sock.ino);
	return err;
}

int tfo_listeners_read(const struct tfo_scan_progs *progs,
		       struct tfo_listener **out, char *why, size_t why_len)
{
	struct listeners ls = { 0 };
	int n;

	why[0] = '\0';
	*out = NULL;
	n = iterate(progs->listeners, TFO_REC_LISTENER,
		    sizeof(struct tfo_rec_listener), collect_listener, &ls,
		    why, why_len);
	if (n < 0) {
		free(ls.v);
		return n;
	}
	if (ls.n && find_owners(progs, &ls, why, why_len))
		for (size_t i = 0; i < ls.n; i++)
			ls.v[i].n_owners = ls.v[i].n_holders = 0;
	*out = ls.v;
	return (int)ls.n;
}

void tfo_listener_owner_to_hdr(const struct tfo_listener *l,
			       struct tfo_rec_hdr *hdr)
{
	if (!l->n_owners)
		return;
	hdr->pid = l->owners[0].pid;
	hdr->ns_pid = l->owners[0].ns_pid;
	memcpy(hdr->comm, l->owners[0].comm, sizeof(hdr->comm));
}

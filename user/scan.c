// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "decode.h"
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

/* A process holding a listener (one record per fd: a process holding it
 * twice is named once). */
static int collect_owner(void *ctx, const union tfo_record *r)
{
	struct listeners *ls = ctx;
	const struct tfo_rec_owner *o = &r->owner;

	for (size_t i = 0; i < ls->n; i++) {
		struct tfo_listener *l = &ls->v[i];
		size_t j;

		if (l->rec.sock.ino != o->ino)
			continue;
		for (j = 0; j < l->n_owners; j++)
			if (l->owners[j].pid == o->hdr.pid)
				break;
		if (j < l->n_owners)
			continue;
		l->n_holders++;
		if (l->n_owners == TFO_LISTENER_OWNERS)
			continue;
		l->owners[j].pid = o->hdr.pid;
		l->owners[j].ns_pid = o->hdr.ns_pid;
		memcpy(l->owners[j].comm, o->hdr.comm, TFO_COMM_LEN);
		l->owners[j].comm[TFO_COMM_LEN - 1] = '\0';
		l->owner_ppids[j] = o->ppid;
		l->n_owners++;
	}
	return 0;
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
	}
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

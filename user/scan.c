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

int tfo_scan_listeners(const struct bpf_program *iter, tfo_listener_cb cb,
		       void *ctx, char *why, size_t why_len)
{
	unsigned char buf[sizeof(struct tfo_rec_listener) * 64];
	struct bpf_link *link = NULL;
	size_t have = 0;
	int iter_fd = -1, count = 0, err = 0;
	ssize_t n;

	link = bpf_program__attach_iter(iter, NULL);
	if (!link) {
		err = -errno;
		snprintf(why, why_len, "attach the socket iterator: %s",
			 strerror(-err));
		goto cleanup;
	}
	iter_fd = bpf_iter_create(bpf_link__fd(link));
	if (iter_fd < 0) {
		err = -errno;
		snprintf(why, why_len, "start the socket iterator: %s",
			 strerror(-err));
		goto cleanup;
	}
	/* Records are fixed-size; a read may end inside one. */
	while ((n = read(iter_fd, buf + have, sizeof(buf) - have)) > 0) {
		size_t off = 0;

		have += n;
		for (; have - off >= sizeof(struct tfo_rec_listener);
		     off += sizeof(struct tfo_rec_listener)) {
			union tfo_record rec;

			if (tfo_decode(buf + off, sizeof(struct tfo_rec_listener),
				       &rec) || rec.hdr.type != TFO_REC_LISTENER) {
				snprintf(why, why_len,
					 "the socket iterator returned a malformed record");
				err = -EINVAL;
				goto cleanup;
			}
			cb(ctx, &rec.listener);
			count++;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	if (n < 0) {
		err = -errno;
		snprintf(why, why_len, "read the socket iterator: %s",
			 strerror(-err));
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
	int err;
};

static void collect_listener(void *ctx, const struct tfo_rec_listener *l)
{
	struct listeners *ls = ctx;

	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? 2 * ls->cap : 64;
		struct tfo_listener *v = realloc(ls->v, cap * sizeof(*v));

		if (!v) {
			ls->err = -ENOMEM;
			return;
		}
		ls->v = v;
		ls->cap = cap;
	}
	memset(&ls->v[ls->n], 0, sizeof(ls->v[0]));
	ls->v[ls->n++].rec = *l;
}

static void collect_owner(void *ctx, uint64_t ino, uint32_t pid,
			  const char *comm)
{
	struct listeners *ls = ctx;

	for (size_t i = 0; i < ls->n; i++) {
		struct tfo_listener *l = &ls->v[i];

		if (l->rec.sock.ino != ino ||
		    l->n_owners == sizeof(l->owners) / sizeof(l->owners[0]))
			continue;
		l->owners[l->n_owners].pid = pid;
		l->owners[l->n_owners].ns_pid = tfo_ns_pid_of("/proc", pid);
		snprintf(l->owners[l->n_owners].comm, TFO_COMM_LEN, "%s", comm);
		l->n_owners++;
	}
}

int tfo_listeners_read(const struct bpf_program *iter,
		       struct tfo_listener **out, char *why, size_t why_len)
{
	struct listeners ls = { 0 };
	uint64_t *inos;
	int n;

	why[0] = '\0';
	*out = NULL;
	n = tfo_scan_listeners(iter, collect_listener, &ls, why, why_len);
	if (n >= 0 && ls.err)
		n = ls.err;
	inos = n >= 0 ? calloc(ls.n ? ls.n : 1, sizeof(*inos)) : NULL;
	if (n >= 0 && !inos)
		n = -ENOMEM;
	if (n < 0) {
		free(ls.v);
		free(inos);
		return n;
	}
	for (size_t i = 0; i < ls.n; i++)
		inos[i] = ls.v[i].rec.sock.ino;
	if (tfo_owners_scan("/proc", inos, ls.n, collect_owner, &ls) < 0)
		snprintf(why, why_len, "cannot read /proc to find listener owners");
	free(inos);
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

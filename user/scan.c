// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "decode.h"
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

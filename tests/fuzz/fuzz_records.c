// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: arbitrary bytes as ring-buffer records and as event
 * sequences, through the decoder, the correlator (a small table, so
 * eviction is exercised) and both formatters.
 *
 * Input: a sequence of chunks. A chunk's first byte says what follows:
 * bit 7 set — raw bytes (length in bits 0..6) handed to the decoder as
 * they are; otherwise a record of type (byte % TFO_REC__MAX), its body taken
 * from the following bytes and its header made consistent, so that most
 * chunks reach the correlator instead of dying in validation.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "correlate.h"
#include "decode.h"
#include "output.h"

/* Written to /dev/null: the buffers fill and flush as in a real run, and
 * nothing accumulates over millions of inputs. */
static int dev_null = -1;
static struct tfo_output_state states[2];

static void on_finding(void *ctx, const struct tfo_finding *f)
{
	const struct tfo_output *outs = ctx;

	tfo_output_finding(&outs[0], f);
	tfo_output_finding(&outs[1], f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tfo_output outs[2] = {
		{ .format = TFO_FMT_TEXT, .view = TFO_VIEW_ALL,
		  .failed_only = false },
		{ .format = TFO_FMT_JSON, .view = TFO_VIEW_DEFAULT,
		  .failed_only = true },
	};
	struct tfo_correlator_opts opts = {
		.max_sockets = 8, .sysctl = -1, .cb = on_finding, .cb_ctx = outs,
	};
	struct tfo_correlator *c;
	struct tfo_mib delta = { 0 };
	size_t off = 0;

	if (dev_null < 0)
		dev_null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	tfo_output_init(&outs[0], &states[0], dev_null);
	tfo_output_init(&outs[1], &states[1], dev_null);
	opts.probes = size & 1;
	opts.mptcp_tfo_supported = size & 2;
	c = tfo_correlator__new(&opts);
	if (!c)
		return 0;
	while (off < size) {
		uint8_t op = data[off++];
		union tfo_record rec;
		unsigned char buf[sizeof(rec) + 8];
		size_t len;

		if (op & 0x80) {
			len = op & 0x7f;
			if (len > size - off)
				len = size - off;
			if (tfo_decode(data + off, len, &rec) == 0) {
				tfo_output_record(&outs[0], &rec);
				tfo_correlator__feed(c, &rec);
			}
			off += len;
			continue;
		}
		if (op % 16 == 15) {	/* a lost-events marker */
			tfo_correlator__lost(c, op);
			continue;
		}
		len = tfo_record_size(1 + op % (TFO_REC__MAX - 1));
		memset(buf, 0, sizeof(buf));
		memcpy(buf, data + off, len < size - off ? len : size - off);
		off += len < size - off ? len : size - off;
		((struct tfo_rec_hdr *)buf)->type = 1 + op % (TFO_REC__MAX - 1);
		((struct tfo_rec_hdr *)buf)->size = len;
		/* still refused when a return value is not one a syscall
		 * can give */
		if (tfo_decode(buf, len, &rec) != 0)
			continue;
		tfo_output_record(&outs[0], &rec);
		tfo_output_record(&outs[1], &rec);
		tfo_correlator__feed(c, &rec);
	}
	tfo_correlator__counters(c, &delta);
	tfo_correlator__finish(c);
	tfo_correlator__free(c);
	tfo_output_flush(&outs[0]);
	tfo_output_flush(&outs[1]);
	return 0;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include "names.h"
#include "output.h"

struct tfo_optval tfo_optval_decode(const struct tfo_rec_setsockopt *r)
{
	struct tfo_optval v = { .is_int = false };
	int32_t word;

	if (tfo_optname_kind(r->level, r->optname) != TFO_OPTVAL_INT ||
	    r->optval_len == 0 || r->optlen <= 0)
		return v;
	if (r->optval_len >= sizeof(word) && r->optlen >= (int)sizeof(word)) {
		memcpy(&word, r->optval, sizeof(word));
		v.value = word;
	} else {
		/* The kernel reads a single byte for the IP options that
		 * accept an optlen shorter than an int. */
		v.value = r->optval[0];
	}
	v.is_int = true;
	return v;
}

bool tfo_record_failed(const union tfo_record *r)
{
	switch (r->hdr.type) {
	case TFO_REC_SOCKET:
		return r->socket.ret < 0;
	case TFO_REC_LISTEN:
		return r->listen.ret < 0;
	case TFO_REC_SETSOCKOPT:
		return r->setsockopt.ret < 0;
	default:
		return false;
	}
}

static int write_status(FILE *out)
{
	if (ferror(out))
		return errno ? -errno : -EIO;
	return 0;
}

int tfo_output_start(const struct tfo_output *o, const char *mode,
		     const char *version)
{
	if (o->format == TFO_FMT_JSON)
		tfo_json_start(o, mode, version);
	else
		tfo_text_start(o, mode, version);
	return write_status(o->out);
}

int tfo_output_record(const struct tfo_output *o, const union tfo_record *r)
{
	if (o->failed_only && !tfo_record_failed(r))
		return 0;
	if (o->format == TFO_FMT_JSON)
		tfo_json_record(o, r);
	else
		tfo_text_record(o, r);
	return write_status(o->out) ?: 1;
}

int tfo_output_summary(const struct tfo_output *o,
		       const struct tfo_summary *s)
{
	if (o->format == TFO_FMT_JSON)
		tfo_json_summary(o, s);
	else
		tfo_text_summary(o, s);
	fflush(o->out);
	return write_status(o->out);
}

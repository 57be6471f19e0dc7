// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <arpa/inet.h>
#include <string.h>
#include "names.h"
#include "output.h"

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

int tfo_output_listener(const struct tfo_output *o,
			const struct tfo_rec_listener *l,
			const struct tfo_owner *owners, size_t n_owners)
{
	if (o->format == TFO_FMT_JSON)
		tfo_json_listener(o, l, owners, n_owners);
	else
		tfo_text_listener(o, l, owners, n_owners);
	return write_status(o->out);
}

int tfo_output_finding(const struct tfo_output *o, const struct tfo_finding *f)
{
	if (o->format == TFO_FMT_JSON)
		tfo_json_finding(o, f);
	else
		tfo_text_finding(o, f);
	return write_status(o->out);
}

int tfo_output_counters(const struct tfo_output *o, const struct tfo_mib *start,
			const struct tfo_mib *delta)
{
	if (o->format == TFO_FMT_JSON)
		tfo_json_counters(o, start, delta);
	else
		tfo_text_counters(o, start, delta);
	return write_status(o->out);
}

const char *tfo_addr_str(uint16_t family, const uint8_t addr[16], char *buf,
			 size_t size)
{
	char tmp[INET6_ADDRSTRLEN];

	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, tmp,
		       sizeof(tmp)))
		snprintf(tmp, sizeof(tmp), "?");
	snprintf(buf, size, family == AF_INET6 ? "[%s]" : "%s", tmp);
	return buf;
}

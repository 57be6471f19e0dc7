// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "names.h"
#include "output.h"

void tfo_output_init(struct tfo_output *o, struct tfo_output_state *state,
		     int fd)
{
	tfo_sink_init(&state->sink, fd);
	state->clock_sec = INT64_MIN;
	state->header_pending = false;
	o->state = state;
}

int tfo_output_flush(const struct tfo_output *o)
{
	return tfo_sink_flush(&o->state->sink);
}

static int write_status(const struct tfo_output *o)
{
	return tfo_sink_error(&o->state->sink);
}

int tfo_output_start(const struct tfo_output *o, const char *mode,
		     const char *version)
{
	if (o->format == TFO_FMT_JSON)
		tfo_json_start(o, mode, version);
	else
		tfo_text_start(o, mode, version);
	return write_status(o);
}

static bool view_shows(enum tfo_view view, uint32_t type)
{
	const struct tfo_record_kind *k = tfo_record_kind(type);

	if (!k || !(k->flags & TFO_KIND_PRINTED))
		return false;
	if (view == TFO_VIEW_ALL)
		return true;
	if (view == TFO_VIEW_FINDINGS)
		return false;
	/* The per-SYN and per-connection records are many; the findings
	 * carry their numbers. */
	return !(k->flags & TFO_KIND_PER_EVENT);
}

int tfo_output_record(const struct tfo_output *o, const union tfo_record *r)
{
	if (!view_shows(o->view, r->hdr.type))
		return 0;
	if (o->failed_only && !tfo_record_failed(r))
		return 0;
	/* text: a handshake is one line, printed with its SYN-ACK */
	if (o->format == TFO_FMT_TEXT && r->hdr.type == TFO_REC_WIRE &&
	    (r->wire.packet == TFO_WIRE_SYN_IN ||
	     r->wire.packet == TFO_WIRE_SYN_OUT))
		return 0;
	if (o->format == TFO_FMT_JSON)
		tfo_json_record(o, r);
	else
		tfo_text_record(o, r);
	return write_status(o) ?: 1;
}

int tfo_output_summary(const struct tfo_output *o,
		       const struct tfo_summary *s)
{
	if (o->format == TFO_FMT_JSON)
		tfo_json_summary(o, s);
	else
		tfo_text_summary(o, s);
	return tfo_output_flush(o);
}

int tfo_output_comment(const struct tfo_output *o, const char *text)
{
	struct tfo_sink *sink = &o->state->sink;

	if (o->format == TFO_FMT_TEXT) {
		tfo_sink_str(sink, "# ");
		tfo_sink_str(sink, text);
		tfo_sink_char(sink, '\n');
	}
	return write_status(o);
}

int tfo_output_listener(const struct tfo_output *o,
			const struct tfo_rec_listener *l,
			const struct tfo_owner *owners, size_t n_owners,
			const struct tfo_program *prog,
			const struct tfo_mptcp_origin *origin)
{
	if (o->view == TFO_VIEW_FINDINGS)
		return 0;
	if (o->format == TFO_FMT_JSON)
		tfo_json_listener(o, l, owners, n_owners, prog, origin);
	else
		tfo_text_listener(o, l, owners, n_owners, prog, origin);
	return write_status(o);
}

int tfo_output_finding(const struct tfo_output *o, const struct tfo_finding *f)
{
	if (o->format == TFO_FMT_JSON)
		tfo_json_finding(o, f);
	else
		tfo_text_finding(o, f);
	return write_status(o);
}

int tfo_output_counters(const struct tfo_output *o, uint32_t netns,
			const struct tfo_mib *start, const struct tfo_mib *delta)
{
	if (o->format == TFO_FMT_JSON)
		tfo_json_counters(o, netns, start, delta);
	else
		tfo_text_counters(o, netns, start, delta);
	return write_status(o);
}

int tfo_output_remotes_unobserved(const struct tfo_output *o, const char *mode,
				  uint32_t netns, const struct tfo_mib *delta)
{
	if (o->format == TFO_FMT_JSON)
		tfo_json_remotes_unobserved(o, mode, netns, delta);
	else
		tfo_text_remotes_unobserved(o, mode, netns, delta);
	return write_status(o);
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

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Formatters of records and the run's summary, as text lines or JSON
 * Lines. No logic beyond presentation; no libbpf. */
#ifndef TFOTRACE_OUTPUT_H
#define TFOTRACE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include "correlate.h"
#include "decode.h"
#include "procfs.h"
#include "sink.h"

enum tfo_format {
	TFO_FMT_TEXT,
	TFO_FMT_JSON,
};

/* Which records are printed (findings, the start, the counters and the
 * summary always are). */
enum tfo_view {
	TFO_VIEW_DEFAULT,	/* the calls the kernel recorded and the
				 * listeners; not the per-SYN (tfo_server) or
				 * per-connection (tfo_client, tfo_synack)
				 * TFO records,
				 * which feed the findings' numbers */
	TFO_VIEW_ALL,		/* --all: every record */
	TFO_VIEW_FINDINGS,	/* --findings: no record at all */
};

/* What printing changes as it goes, kept apart from struct tfo_output so
 * that the printers take that const: the bytes not yet written (the sink's
 * 64 KiB are in here), and the wall-clock second whose "HH:MM:SS" text
 * lines last showed (localtime_r() once a second, not once a line). */
struct tfo_output_state {
	struct tfo_sink sink;
	int64_t clock_sec;	/* the second clock_hms is of; INT64_MIN none */
	bool header_pending;	/* text: the column header goes before the
				 * next event line */
	char clock_hms[8];	/* "HH:MM:SS", no NUL */
};

struct tfo_output {
	struct tfo_output_state *state;
	enum tfo_format format;
	enum tfo_view view;
	bool failed_only;		/* --failed: show only calls that failed */
	int64_t realtime_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

struct tfo_summary {
	const char *mode;
	uint64_t events;	/* records received */
	uint64_t shown;		/* records printed (after --failed) */
	uint64_t lost;		/* records the kernel could not deliver */
	uint64_t invalid;	/* records that failed validation */
	uint64_t reused_pid;	/* dropped: a new process with the pid of
				 * a traced one that exited */
	enum tfo_record_policy policy;
	uint64_t not_recorded[TFO_CALL__MAX];	/* calls the kernel only
						 * counted, by enum tfo_call */
	uint64_t sockets;	/* the correlator's table at the end */
	uint64_t evicted;	/* sockets it forgot to stay bounded */
	uint64_t remotes;	/* remote servers its clients' table holds */
	uint64_t remotes_evicted;
	bool wire;		/* the handshake observer was attached */
	uint64_t wire_not_recorded[TFO_WIRE__MAX];	/* handshake packets it
						 * only counted, by enum
						 * tfo_wire_packet */
};


/* O prints through STATE, emptied, into FD (STDOUT_FILENO), or keeps the
 * text with TFO_SINK_MEMORY (tests; tfo_sink_free() it). O's other fields
 * are the caller's to set; STATE is the caller's and must outlive O. */
void tfo_output_init(struct tfo_output *o, struct tfo_output_state *state,
		     int fd);
/* Writes out what is buffered: 0, or -errno of the first write error. */
int tfo_output_flush(const struct tfo_output *o);

/* Each returns 0, or -errno when writing failed (EPIPE: reader gone).
 * Output is buffered: an error may show only at a later call, at the
 * latest at tfo_output_flush() or tfo_output_summary(), which flushes. */
int tfo_output_start(const struct tfo_output *o, const char *mode,
		     const char *version);
/* Prints R unless the view or --failed hides it: returns 1 when printed,
 * 0 when hidden, -errno on a write error. */
int tfo_output_record(const struct tfo_output *o, const union tfo_record *r);
int tfo_output_summary(const struct tfo_output *o,
		       const struct tfo_summary *s);
/* "# TEXT" on a line of its own; nothing in JSON, which has no comments. */
int tfo_output_comment(const struct tfo_output *o, const char *text);

/* A listener from the scan, PROG its owner's program (NULL: not looked
 * up), ORIGIN where an MPTCP listener's MPTCP came from (source NONE for
 * a TCP one); not in the findings view. */
int tfo_output_listener(const struct tfo_output *o,
			const struct tfo_rec_listener *l,
			const struct tfo_owner *owners, size_t n_owners,
			const struct tfo_program *prog,
			const struct tfo_mptcp_origin *origin);
int tfo_output_finding(const struct tfo_output *o, const struct tfo_finding *f);
/* The namespace's TFO counters: at start, and their change over the run. */
int tfo_output_counters(const struct tfo_output *o, uint32_t netns,
			const struct tfo_mib *start, const struct tfo_mib *delta);

/* In a mode without the SYN-ACK hook (tracepoint): that which remote
 * servers answer this host's TFO clients is not observable, and what the
 * namespace NETNS's counters say instead (DELTA: their change over the
 * run; NULL when unreadable). */
int tfo_output_remotes_unobserved(const struct tfo_output *o, const char *mode,
				  uint32_t netns, const struct tfo_mib *delta);

/* Text for an address of FAMILY ("0.0.0.0", "[::]") into BUF. */
const char *tfo_addr_str(uint16_t family, const uint8_t addr[16], char *buf,
			 size_t size);

/* Per-format back ends, called by the functions above. */
void tfo_text_start(const struct tfo_output *o, const char *mode,
		    const char *version);
void tfo_text_record(const struct tfo_output *o, const union tfo_record *r);
void tfo_text_summary(const struct tfo_output *o, const struct tfo_summary *s);
void tfo_json_start(const struct tfo_output *o, const char *mode,
		    const char *version);
void tfo_json_record(const struct tfo_output *o, const union tfo_record *r);
void tfo_json_summary(const struct tfo_output *o, const struct tfo_summary *s);
/* Whether a format has a printer for records of TYPE. */
bool tfo_text_prints(uint32_t type);
bool tfo_json_prints(uint32_t type);
void tfo_text_listener(const struct tfo_output *o, const struct tfo_rec_listener *l,
		       const struct tfo_owner *owners, size_t n_owners,
		       const struct tfo_program *prog,
		       const struct tfo_mptcp_origin *origin);
void tfo_json_listener(const struct tfo_output *o, const struct tfo_rec_listener *l,
		       const struct tfo_owner *owners, size_t n_owners,
		       const struct tfo_program *prog,
		       const struct tfo_mptcp_origin *origin);
void tfo_text_finding(const struct tfo_output *o, const struct tfo_finding *f);
void tfo_json_finding(const struct tfo_output *o, const struct tfo_finding *f);
void tfo_text_counters(const struct tfo_output *o, uint32_t netns,
		       const struct tfo_mib *start, const struct tfo_mib *delta);
void tfo_json_counters(const struct tfo_output *o, uint32_t netns,
		       const struct tfo_mib *start, const struct tfo_mib *delta);
void tfo_text_remotes_unobserved(const struct tfo_output *o, const char *mode,
				 uint32_t netns, const struct tfo_mib *delta);
void tfo_json_remotes_unobserved(const struct tfo_output *o, const char *mode,
				 uint32_t netns, const struct tfo_mib *delta);

#endif

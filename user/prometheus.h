/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The run's counters and the correlator's verdicts as a node_exporter
 * textfile-collector file (Prometheus text exposition format 0.0.4), for
 * `tfotrace --prometheus FILE`. No libbpf; no kernel address is written.
 */
#ifndef TFOTRACE_PROMETHEUS_H
#define TFOTRACE_PROMETHEUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "correlate.h"

/* What the loader knows of the run; the correlator's own numbers
 * (tfo_correlator__stats) are read from it at each write. */
struct tfo_prom_run {
	const char *version;	/* NULL: "" */
	const char *mode;	/* the attach mode's name; NULL: "" */
	bool probes;		/* the mode observes each SYN (tcp_try_fastopen):
				 * without, per-listener SYN counters are
				 * unknown and left out, not written as 0 */
	bool remote_probes;	/* the mode sees client connections' SYN-ACKs
				 * (tcp_fastopen_cache_set): without, no
				 * remote server is known */
	bool wire;		/* the handshake observer is attached: it sees
				 * both, whatever the mode */
	uint64_t events;	/* records received */
	uint64_t lost;		/* records the kernel could not deliver */
	uint64_t invalid;	/* records that failed validation */
	uint64_t not_recorded[TFO_CALL__MAX];	/* calls the kernel only
						 * counted, by enum tfo_call */
	int64_t start_time;	/* when tfotrace started, Unix seconds */
};

/* Remote servers given their own series: the most unanswered first. */
#define TFO_PROM_REMOTES	20

/* The whole file's text into OUT. C may be NULL (no socket followed).
 * Returns 0, or -errno when OUT reports a write error. */
int tfo_prom_format(FILE *out, const struct tfo_prom_run *run,
		    const struct tfo_correlator *c);

/* Replaces PATH atomically: the text goes to PATH.tmp.PID in the same
 * directory (a name node_exporter, which reads only *.prom, ignores),
 * mode 0644 whatever the umask, written whole and fsync'd, then renamed
 * over PATH. Returns 0 or -errno; on error the temporary file is removed
 * and PATH is left as it was. */
int tfo_prom_write(const char *path, const struct tfo_prom_run *run,
		   const struct tfo_correlator *c);

#endif

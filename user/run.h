/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* One run of the tracer, once attached: the listener scan, the loop that
 * drains the ring buffer into the output and the correlator, the metrics
 * file, and the report at the end. */
#ifndef TFOTRACE_RUN_H
#define TFOTRACE_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "attach.h"
#include "cgroup.h"
#include "correlate.h"
#include "output.h"
#include "procfs.h"
#include "program.h"
#include "wire.h"

struct ring_buffer;

struct tfo_run {
	/* set by the caller */
	const struct tfo_output *out;
	struct tfo_tracer *tracer;	/* NULL for --scan */
	struct tfo_wire *wire;		/* the handshake observer; NULL: off */
	struct tfo_tracer *scanner;	/* holds the iterator: tracer or --scan's */
	const struct tfo_cgroup *cgroup;
	struct tfo_programs *programs;	/* what processes run, each read once
					 * (through the broker once
					 * unprivileged) */
	const char *version;
	const char *prom_path;		/* --prometheus; NULL: none */
	long interval_sec;		/* between metrics writes and updates
					 * of findings whose numbers changed */
	long duration_sec;		/* 0: until stopped */
	int drain_ms;			/* the ring is drained at least this
					 * often (the kernel wakes us only
					 * for floods) */
	volatile sig_atomic_t *stop;	/* set by a signal handler */
	/* the run's own */
	struct tfo_summary sum;
	struct tfo_correlator *corr;
	tfo_finding_cb finding_cb;	/* NULL: printed to OUT (doctor keeps
					 * them instead) */
	bool finals_only;		/* --scan: the report's findings, not
					 * each first sighting too */
	void *finding_ctx;
	uint64_t lost_told;		/* lost events passed to the correlator */
	int write_err;
	int64_t start_time;		/* CLOCK_REALTIME seconds, for metrics */
	int prom_err;			/* the last --prometheus write's */
	struct tfo_mib mib_start;
	bool have_mib;
};

/* The correlator for this run; false when out of memory. MPTCP_TAKES_TFO:
 * the kernel's MPTCP accepts TCP_FASTOPEN (>= 6.2). */
bool tfo_run_new_correlator(struct tfo_run *run, bool probes,
			    bool mptcp_takes_tfo);

/* Records the kernel had no ring-buffer room for: the tracer's and the
 * observer's. */
uint64_t tfo_run_lost(const struct tfo_run *run);

/* --prometheus: the run so far, as a node_exporter textfile. A failed
 * write is said once (and once more when writing works again); returns
 * 0 or -errno. */
int tfo_run_write_metrics(struct tfo_run *run);

/* The listener scan: every listener of this network namespace and its
 * owners, their programs described, printed (unless OUT is NULL) and fed
 * to the correlator (and, with a tracer, to the kernel's owner map); with
 * -p or --cgroup only theirs. Returns the number of listeners, or -errno
 * with WHY (WHY_LEN bytes) saying why; a warning goes into WHY too. */
int tfo_run_scan(struct tfo_run *run, char *why, size_t why_len);

/* The ring buffer's callback (CTX: the run): decode, print, correlate. */
int tfo_run_on_record(void *ctx, void *data, size_t len);

/* Drains RB until a stop, the duration, or every -p process has exited.
 * Returns 0 or -errno of a polling failure (write errors end the loop and
 * are kept in run->write_err). */
int tfo_run_poll(struct tfo_run *run, struct ring_buffer *rb);

/* What the attach mode cannot see, one phrase each ("per-SYN TCP Fast
 * Open numbers (...)"), into WHAT; "" when it sees it all. True when the
 * namespace's counters stand in for some of it (per-SYN or clients'
 * evidence missing). */
bool tfo_run_unobservable(const struct tfo_run *run, char *what, size_t size);

/* The report: findings, the namespace's counters, the summary, and the
 * metrics file a last time. */
void tfo_run_report(struct tfo_run *run);

#endif

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "decode.h"
#include "pids.h"
#include "prometheus.h"
#include "run.h"
#include "scan.h"

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int tfo_run_write_metrics(struct tfo_run *run)
{
	struct tfo_prom_run pr = {
		.version = run->version,
		.mode = run->sum.mode,
		.probes = run->tracer && tfo_tracer_has_tfo_probes(run->tracer),
		.remote_probes = run->tracer &&
				 tfo_tracer_has_synack_probe(run->tracer),
		.wire = run->wire != NULL,
		.events = run->sum.events,
		.lost = tfo_run_lost(run),
		.invalid = run->sum.invalid,
		.start_time = run->start_time,
	};
	int err;

	if (!run->prom_path)
		return 0;
	if (run->tracer)
		tfo_tracer_skipped(run->tracer, pr.not_recorded);
	err = tfo_prom_write(run->prom_path, &pr, run->corr);
	if (err && err != run->prom_err)
		fprintf(stderr, "tfotrace: cannot write metrics to %s: %s\n",
			run->prom_path, strerror(-err));
	else if (!err && run->prom_err)
		fprintf(stderr, "tfotrace: writing metrics to %s again\n",
			run->prom_path);
	run->prom_err = err;
	return err;
}

static void on_finding(void *ctx, const struct tfo_finding *f)
{
	struct tfo_run *run = ctx;
	int err;

	if (run->write_err || (run->finals_only && !f->final))
		return;
	err = tfo_output_finding(run->out, f);
	if (err)
		run->write_err = err;
}

bool tfo_run_new_correlator(struct tfo_run *run, bool probes,
			    bool mptcp_takes_tfo)
{
	struct tfo_correlator_opts copts = {
		.probes = probes,
		.wire = run->wire != NULL,
		.sysctl = -1,
		.netns = tfo_own_netns("/proc"),
		.mptcp_tfo_supported = mptcp_takes_tfo,
		.programs = run->programs,
		.cb = run->finding_cb ? run->finding_cb : on_finding,
		.cb_ctx = run->finding_cb ? run->finding_ctx : run,
	};
	long sysctl;

	if (!tfo_sysctl_read("/proc", "net.ipv4.tcp_fastopen", &sysctl))
		copts.sysctl = sysctl;
	run->corr = tfo_correlator__new(&copts);
	return run->corr != NULL;
}

uint64_t tfo_run_lost(const struct tfo_run *run)
{
	return (run->tracer ? tfo_tracer_lost(run->tracer) : 0) +
	       (run->wire ? tfo_wire_lost(run->wire) : 0);
}

int tfo_run_on_record(void *ctx, void *data, size_t len)
{
	struct tfo_run *run = ctx;
	union tfo_record rec;
	int ret;

	if (tfo_decode(data, len, &rec)) {
		run->sum.invalid++;
		return 0;
	}
	run->sum.events++;
	if (tfo_pids_reused(rec.hdr.pid)) {
		run->sum.reused_pid++;
		return 0;
	}
	/* a listener's birth, or an MPTCP socket's: the advice its findings
	 * get depends on the program (these records are few, and each
	 * process is read once) */
	if (rec.hdr.type == TFO_REC_LISTEN ||
	    (rec.hdr.type == TFO_REC_SOCKET && rec.socket.protocol == 262))
		tfo_programs__of(run->programs, rec.hdr.pid);
	if (run->tracer) {
		uint64_t lost = tfo_run_lost(run);

		if (lost > run->lost_told) {
			tfo_correlator__lost(run->corr, lost - run->lost_told);
			run->lost_told = lost;
		}
	}
	ret = tfo_output_record(run->out, &rec);
	if (ret < 0) {
		run->write_err = ret;
		return ret;	/* stops ring_buffer__poll */
	}
	run->sum.shown += ret;
	tfo_correlator__feed(run->corr, &rec);
	return run->write_err;
}

/* -p and --cgroup select a scanned listener by the process it is
 * attributed to, as the kernel selects its TFO events. */
static bool owned_by_filter(const struct tfo_run *run,
			    const struct tfo_listener *l)
{
	if (!tfo_pids_count() && !run->cgroup->path)
		return true;
	return l->n_owners && tfo_pids_include(l->owners[0].pid) &&
	       tfo_cgroup_has_pid(run->cgroup, l->owners[0].pid);
}

int tfo_run_scan(struct tfo_run *run, char *why, size_t why_len)
{
	struct tfo_listener *ls = NULL;
	struct tfo_scan_progs progs;
	int n;

	why[0] = '\0';
	tfo_tracer_scan_progs(run->scanner, &progs);
	if (!progs.listeners) {
		snprintf(why, why_len, "no listener scan: the socket iterator needs the kernel's own BTF (/sys/kernel/btf/vmlinux)");
		return -ENOTSUP;
	}
	n = tfo_listeners_read(&progs, &ls, why, why_len);
	if (n < 0)
		return n;
	for (int i = 0; i < n && !run->write_err; i++) {
		const struct tfo_listener *l = &ls[i];
		union tfo_record rec = { .listener = l->rec };
		const struct tfo_program *prog = NULL;
		struct tfo_mptcp_origin origin = { 0 };

		if (!owned_by_filter(run, l))
			continue;
		if (l->n_owners)
			prog = tfo_programs__get(run->programs,
						 tfo_programs__of(run->programs,
								  l->owners[0].pid));
		if (l->rec.sock.protocol == 262)
			tfo_mptcp_origin_of(l->n_owners ? prog : NULL, &origin);
		tfo_listener_owner_to_hdr(l, &rec.listener.hdr);
		if (run->out)
			run->write_err = tfo_output_listener(run->out, &l->rec,
							     l->owners, l->n_owners,
							     prog, &origin);
		tfo_correlator__feed(run->corr, &rec);
		/* the kernel's TFO events of the listener name its creator */
		if (run->tracer && l->n_owners)
			tfo_tracer_seed_owner(run->tracer, l->rec.sock.ino,
					      &l->owners[0]);
	}
	free(ls);
	return n;
}

int tfo_run_poll(struct tfo_run *run, struct ring_buffer *rb)
{
	int64_t deadline = run->duration_sec ?
		now_ns(CLOCK_MONOTONIC) + run->duration_sec * 1000000000LL : 0;
	int64_t period = run->interval_sec * 1000000000LL;
	int64_t next_interval = now_ns(CLOCK_MONOTONIC) + period;
	struct pollfd fds[1 + TFO_MAX_PIDS];
	int err = 0;

	while (!*run->stop) {
		size_t nfds;
		int ready;

		fds[0] = (struct pollfd){ .fd = ring_buffer__epoll_fd(rb),
					  .events = POLLIN };
		nfds = 1 + tfo_pids_pollfds(fds + 1);
		/* The kernel side wakes us per batch, not per record: the
		 * timeout drains what a quiet period left behind. */
		ready = poll(fds, nfds, run->drain_ms);
		if (ready < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		err = ring_buffer__consume(rb);
		if (err < 0)
			break;
		if (err > 0)
			run->write_err = tfo_output_flush(run->out);
		if (run->write_err)
			break;
		err = 0;
		/* an exit seen after the consume above: what it wrote before
		 * it exited is still its own */
		if (tfo_pids_exited(fds + 1, nfds - 1) &&
		    ring_buffer__consume(rb) > 0)
			run->write_err = tfo_output_flush(run->out);
		if (run->write_err)
			break;
		if (tfo_pids_reap()) {
			fprintf(stderr, "tfotrace: every traced process has exited\n");
			break;
		}
		if (now_ns(CLOCK_MONOTONIC) >= next_interval) {
			/* findings whose numbers moved, then the metrics */
			tfo_correlator__refresh(run->corr);
			if (!run->write_err)
				run->write_err = tfo_output_flush(run->out);
			tfo_run_write_metrics(run);
			next_interval += period;
		}
		if (deadline && now_ns(CLOCK_MONOTONIC) >= deadline)
			break;
	}
	/* What arrived before the stop is still reported. */
	if (!run->write_err)
		ring_buffer__consume(rb);
	return run->write_err ? 0 : err;
}

bool tfo_run_unobservable(const struct tfo_run *run, char *what, size_t size)
{
	const struct tfo_tracer *t = run->tracer;
	bool counters;
	size_t n = 0;

	what[0] = '\0';
	if (!t)
		return false;
	/* the handshake observer sees both on the wire */
	if (!tfo_tracer_has_tfo_probes(t) && !run->wire)
		n += snprintf(what + n, size - n, "per-SYN TCP Fast Open numbers "
			      "(tcp_try_fastopen() not hooked)");
	if (n < size && !tfo_tracer_has_synack_probe(t) && !run->wire)
		n += snprintf(what + n, size - n, "%swhich remote servers answer "
			      "this host's TFO clients (tcp_fastopen_cache_set() "
			      "not hooked)", n ? ", " : "");
	counters = n > 0;
	if (n < size && tfo_tracer_mode(t) == TFO_MODE_TRACEPOINT)
		snprintf(what + n, size - n, "%sthe layer that refused a "
			 "setsockopt", n ? ", " : "");
	return counters;
}

void tfo_run_report(struct tfo_run *run)
{
	struct tfo_mib mib_end, mib_delta;
	bool have_mib = run->have_mib;

	run->sum.lost = tfo_run_lost(run);
	tfo_tracer_skipped(run->tracer, run->sum.not_recorded);
	run->sum.wire = run->wire != NULL;
	if (run->wire)
		tfo_wire_skipped(run->wire, run->sum.wire_not_recorded);
	if (run->sum.lost > run->lost_told)
		tfo_correlator__lost(run->corr, run->sum.lost - run->lost_told);
	have_mib = have_mib && !tfo_mib_read("/proc/net/netstat", &mib_end);
	if (have_mib) {
		tfo_mib_delta(&run->mib_start, &mib_end, &mib_delta);
		tfo_correlator__counters(run->corr, &mib_delta);
	}
	if (!run->write_err) {
		char what[512], line[600];

		tfo_output_comment(run->out, "report");
		bool counters = tfo_run_unobservable(run, what, sizeof(what));

		if (what[0]) {
			snprintf(line, sizeof(line), "not observable in %s mode: "
				 "%s%s", run->sum.mode, what,
				 counters ? "; the counters below stand in" : "");
			tfo_output_comment(run->out, line);
		}
		tfo_correlator__finish(run->corr);
	}
	if (!run->write_err && have_mib)
		run->write_err = tfo_output_counters(run->out,
						     tfo_own_netns("/proc"),
						     &run->mib_start, &mib_delta);
	/* said, not left for the reader to infer from an empty section */
	if (!run->write_err && run->tracer && !run->wire &&
	    !tfo_tracer_has_synack_probe(run->tracer))
		run->write_err = tfo_output_remotes_unobserved(
			run->out, run->sum.mode, tfo_own_netns("/proc"),
			have_mib ? &mib_delta : NULL);
	if (!run->write_err) {
		struct tfo_correlator_stats cs;

		tfo_correlator__stats(run->corr, &cs);
		run->sum.sockets = cs.sockets;
		run->sum.evicted = cs.evicted;
		run->sum.remotes = cs.remotes;
		run->sum.remotes_evicted = cs.remotes_evicted;
		run->write_err = tfo_output_summary(run->out, &run->sum);
	}
	tfo_run_write_metrics(run);
	if (run->sum.lost)
		fprintf(stderr, "tfotrace: lost %llu events (ring buffer full)\n",
			(unsigned long long)run->sum.lost);
}

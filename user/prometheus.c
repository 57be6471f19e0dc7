// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "prometheus.h"

#define PROM_MODE	0644
#define STR_(x)		#x
#define STR(x)		STR_(x)

/* ---- label values ---- */

/* S (at most LEN bytes, up to its NUL) as a label value's text: the
 * exposition format's escapes for backslash, double quote and newline, and
 * every other byte outside printable ASCII written as the text \xHH, so
 * that any comm gives valid UTF-8. */
static const char *const call_names[TFO_CALL__MAX] = {
	[TFO_CALL_SOCKET] = "socket",
	[TFO_CALL_LISTEN] = "listen",
	[TFO_CALL_SETSOCKOPT] = "setsockopt",
};

static void label_value(FILE *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len && s[i]; i++) {
		unsigned char ch = s[i];

		if (ch == '\\' || ch == '"')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(out, "\\\\x%02x", ch);
		else
			fputc(ch, out);
	}
}

static void label_str(FILE *out, const char *s)
{
	if (s)
		label_value(out, s, strlen(s));
}

struct named {
	uint16_t value;
	const char *name;
};

static const struct named protos[] = {
	{ 6, "TCP" }, { 262, "MPTCP" }, { 0, NULL },
};
static const struct named families[] = {
	{ 2, "inet" }, { 10, "inet6" }, { 0, NULL },
};

/* VALUE's name in TABLE, or the number when it has none. */
static void named_label(FILE *out, const struct named *table, uint16_t value)
{
	for (; table->name; table++)
		if (table->value == value) {
			fputs(table->name, out);
			return;
		}
	fprintf(out, "%u", value);
}

/* The labels that name a socket, after an opening brace and whatever
 * labels the caller wrote first; closes the braces. */
static void sock_labels(FILE *out, const struct tfo_sock_view *v, bool family)
{
	fprintf(out, "pid=\"%u\",comm=\"", v->pid);
	label_value(out, v->comm, sizeof(v->comm));
	fputs("\",proto=\"", out);
	named_label(out, protos, v->protocol);
	if (family) {
		fputs("\",family=\"", out);
		named_label(out, families, v->family);
	}
	fprintf(out, "\",port=\"%u\",netns=\"%u\",ino=\"%" PRIu64 "\"}", v->port,
		v->netns, v->ino);
}

static void family_head(FILE *out, const char *name, const char *type,
			const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void scalar(FILE *out, const char *name, const char *type,
		   const char *help, uint64_t value)
{
	family_head(out, name, type, help);
	fprintf(out, "%s %" PRIu64 "\n", name, value);
}

/* ---- per-socket families: one walk of the correlator each, as a
 * family's samples must stand together ---- */

struct walk {
	FILE *out;
	const char *name;	/* the sample's metric name */
	size_t field;		/* offset of a uint64_t in tfo_sock_view */
	uint64_t holds[TFO_FINDING__MAX];	/* sockets each kind holds for */
};

static void count_kinds(void *ctx, const struct tfo_sock_view *v,
			uint32_t kinds)
{
	struct walk *w = ctx;

	(void)v;
	for (int k = 0; k < TFO_FINDING__MAX; k++)
		if (kinds & (1u << k))
			w->holds[k]++;
}

static void finding_samples(void *ctx, const struct tfo_sock_view *v,
			    uint32_t kinds)
{
	struct walk *w = ctx;

	for (int k = 0; k < TFO_FINDING__MAX; k++) {
		if (k == TFO_FINDING_TFO_OK || !(kinds & (1u << k)))
			continue;
		fprintf(w->out, "%s{kind=\"%s\",", w->name, tfo_finding_name(k));
		sock_labels(w->out, v, false);
		fputs(" 1\n", w->out);
	}
}

static void queue_samples(void *ctx, const struct tfo_sock_view *v,
			  uint32_t kinds)
{
	struct walk *w = ctx;

	(void)kinds;
	if (!v->listening || !v->qlen_known)
		return;
	fprintf(w->out, "%s{", w->name);
	sock_labels(w->out, v, true);
	fprintf(w->out, " %u\n", v->qlen_max);
}

static void counter_samples(void *ctx, const struct tfo_sock_view *v,
			    uint32_t kinds)
{
	struct walk *w = ctx;
	uint64_t value;

	(void)kinds;
	if (!v->listening)
		return;
	memcpy(&value, (const char *)v + w->field, sizeof(value));
	fprintf(w->out, "%s{", w->name);
	sock_labels(w->out, v, true);
	fprintf(w->out, " %" PRIu64 "\n", value);
}

static void walk(const struct tfo_correlator *c, tfo_sock_cb cb,
		 struct walk *w)
{
	if (c)
		tfo_correlator__for_each(c, cb, w);
}

#define COUNTER(f, name, help) { "tfotrace_listener_" name "_total", help, \
				 offsetof(struct tfo_sock_view, f) }

static const struct listener_counter {
	const char *name;
	const char *help;
	size_t field;
} listener_counters[] = {
	COUNTER(syns, "syns",
		"SYNs that reached tcp_try_fastopen() on the listener while traced."),
	COUNTER(cookie_requests, "cookie_requests",
		"SYNs asking the listener for a TFO cookie."),
	COUNTER(cookies_sent, "cookies_sent",
		"TFO cookies the listener sent in SYN-ACKs."),
	COUNTER(tfo_accepted, "tfo_accepted",
		"SYNs whose data the listener accepted (TFO connections)."),
	COUNTER(syns_unanswered, "syns_unanswered",
		"SYNs that asked for TFO and got neither a cookie nor TFO."),
	COUNTER(cookie_invalid, "cookie_invalid",
		"SYNs whose TFO cookie the listener did not accept."),
	COUNTER(overflows, "queue_overflows",
		"SYNs with data refused because the listener's TFO queue was full."),
};

/* The listener's handshakes as the observer saw them on the wire */
#define WIRE_COUNTER(f, name, help) { "tfotrace_listener_wire_" name "_total", \
				      help, offsetof(struct tfo_sock_view, wire.f) }

static const struct listener_counter wire_counters[] = {
	WIRE_COUNTER(syns, "syns", "SYNs to the listener seen on the wire."),
	WIRE_COUNTER(cookie_requests, "cookie_requests",
		     "SYNs on the wire with the Fast Open option and no cookie."),
	WIRE_COUNTER(cookies_in_syn, "cookies_in_syn",
		     "SYNs on the wire carrying a Fast Open cookie."),
	WIRE_COUNTER(syns_with_data, "syns_with_data",
		     "SYNs on the wire carrying data."),
	WIRE_COUNTER(syns_mp_capable, "syns_mp_capable",
		     "SYNs on the wire offering MPTCP (MP_CAPABLE)."),
	WIRE_COUNTER(synacks, "synacks",
		     "The listener's SYN-ACKs seen on the wire."),
	WIRE_COUNTER(synack_cookies, "synack_cookies",
		     "SYN-ACKs on the wire carrying a Fast Open cookie."),
	WIRE_COUNTER(data_acked, "data_acked",
		     "SYN-ACKs on the wire acknowledging their SYN's data."),
	WIRE_COUNTER(synacks_mp_capable, "synacks_mp_capable",
		     "SYN-ACKs on the wire with MP_CAPABLE: MPTCP negotiated."),
	WIRE_COUNTER(malformed, "malformed",
		     "Packets on the wire whose options could not be walked."),
};

/* ---- remote servers, as this host's TFO clients saw them ---- */

static void count_remote_kinds(void *ctx, const struct tfo_remote_view *r,
			       uint32_t kinds)
{
	count_kinds(ctx, NULL, kinds);
	(void)r;
}

/* Per-server series for the TFO_PROM_REMOTES servers with the most
 * unanswered cookie requests (then the most connections): a host that
 * connects to thousands of servers keeps a bounded file. */
struct remote_top {
	const struct tfo_remote_view *v[TFO_PROM_REMOTES];
	uint32_t kinds[TFO_PROM_REMOTES];
	size_t n;
};

static bool remote_before(const struct tfo_remote_view *a,
			  const struct tfo_remote_view *b)
{
	if (a->cookie_requests_unanswered != b->cookie_requests_unanswered)
		return a->cookie_requests_unanswered > b->cookie_requests_unanswered;
	return a->connections > b->connections;
}

static void keep_top(void *ctx, const struct tfo_remote_view *r, uint32_t kinds)
{
	struct remote_top *t = ctx;
	size_t i;

	if (t->n == TFO_PROM_REMOTES) {
		if (!remote_before(r, t->v[t->n - 1]))
			return;
		t->n--;
	}
	/* insertion into the sorted few; later ties stay after */
	for (i = t->n; i > 0 && remote_before(r, t->v[i - 1]); i--) {
		t->v[i] = t->v[i - 1];
		t->kinds[i] = t->kinds[i - 1];
	}
	t->v[i] = r;
	t->kinds[i] = kinds;
	t->n++;
}

static void remote_labels(FILE *out, const struct tfo_remote_view *r)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(r->family == 10 ? AF_INET6 : AF_INET, r->addr, addr,
		       sizeof(addr)))
		snprintf(addr, sizeof(addr), "?");
	fprintf(out, "remote_addr=\"%s\",remote_port=\"%u\",netns=\"%u\"}",
		addr, r->port, r->netns);
}

#define REMOTE_COUNTER(f, name, help) { "tfotrace_remote_" name "_total", \
					help, offsetof(struct tfo_remote_view, f) }

static const struct remote_counter {
	const char *name;
	const char *help;
	size_t field;
} remote_counters[] = {
	REMOTE_COUNTER(connections, "connections",
		"This host's TFO client connections to the server (SYN-ACKs)."),
	REMOTE_COUNTER(cookie_requests, "cookie_requests",
		"SYNs of this host's clients that asked the server for a cookie."),
	REMOTE_COUNTER(cookie_requests_unanswered, "cookie_requests_unanswered",
		"Cookie requests the server answered without a cookie."),
	REMOTE_COUNTER(cookies_received, "cookies_received",
		"SYN-ACKs from the server that carried a TFO cookie."),
	REMOTE_COUNTER(syn_data_acked, "syn_data_acked",
		"SYNs with data the server acknowledged (TFO connections)."),
};

static void remote_families(FILE *out, const struct tfo_correlator *c)
{
	struct remote_top top;

	memset(&top, 0, sizeof(top));
	if (c)
		tfo_correlator__for_each_remote(c, keep_top, &top);
	family_head(out, "tfotrace_remote_finding", "gauge",
		    "1 for each remote server (of at most "
		    STR(TFO_PROM_REMOTES) ", the most unanswered first) and "
		    "tfo-remote-* kind that holds for it now.");
	for (size_t i = 0; i < top.n; i++)
		for (int k = 0; k < TFO_FINDING__MAX; k++) {
			if (!(top.kinds[i] & (1u << k)))
				continue;
			fprintf(out, "tfotrace_remote_finding{kind=\"%s\",",
				tfo_finding_name(k));
			remote_labels(out, top.v[i]);
			fputs(" 1\n", out);
		}
	for (size_t j = 0; j < sizeof(remote_counters) / sizeof(remote_counters[0]); j++) {
		family_head(out, remote_counters[j].name, "counter",
			    remote_counters[j].help);
		for (size_t i = 0; i < top.n; i++) {
			uint64_t value;

			memcpy(&value, (const char *)top.v[i] + remote_counters[j].field,
			       sizeof(value));
			fprintf(out, "%s{", remote_counters[j].name);
			remote_labels(out, top.v[i]);
			fprintf(out, " %" PRIu64 "\n", value);
		}
	}
}

int tfo_prom_format(FILE *out, const struct tfo_prom_run *run,
		    const struct tfo_correlator *c)
{
	struct tfo_correlator_stats st;
	struct walk w;

	memset(&st, 0, sizeof(st));
	if (c)
		tfo_correlator__stats(c, &st);
	memset(&w, 0, sizeof(w));
	w.out = out;

	family_head(out, "tfotrace_build_info", "gauge",
		    "tfotrace's version and attach mode; always 1.");
	fputs("tfotrace_build_info{version=\"", out);
	label_str(out, run->version);
	fputs("\",mode=\"", out);
	label_str(out, run->mode);
	fputs("\"} 1\n", out);
	family_head(out, "tfotrace_start_time_seconds", "gauge",
		    "When tfotrace started, in seconds since the Unix epoch.");
	fprintf(out, "tfotrace_start_time_seconds %" PRId64 "\n",
		run->start_time);
	scalar(out, "tfotrace_tfo_probes", "gauge",
	       "1 when the attach mode sees each SYN in tcp_try_fastopen() "
	       "(fentry, kprobe), 0 when not (tracepoint): without, the "
	       "tfotrace_listener_*_total counters are left out.",
	       run->probes);
	scalar(out, "tfotrace_remote_probes", "gauge",
	       "1 when the attach mode sees the SYN-ACK of each TFO client "
	       "connection (fentry, kprobe), 0 when not (tracepoint): "
	       "without, the tfotrace_remote_* series are empty whatever "
	       "the servers do.", run->remote_probes);
	scalar(out, "tfotrace_handshake_observer", "gauge",
	       "1 when the handshake observer is attached (it sees each SYN "
	       "and SYN-ACK on the wire in any mode: the per-SYN and remote "
	       "series are then filled where the probes are missing).",
	       run->wire);
	scalar(out, "tfotrace_events_total", "counter",
	       "Records received from the kernel.", run->events);
	scalar(out, "tfotrace_lost_events_total", "counter",
	       "Records the kernel could not deliver (ring buffer full): "
	       "evidence may be partial.", run->lost);
	scalar(out, "tfotrace_invalid_records_total", "counter",
	       "Records that failed validation and were dropped.",
	       run->invalid);
	family_head(out, "tfotrace_calls_not_recorded_total", "counter",
		    "Calls the kernel counted without recording them: routine "
		    "ones no finding needs (--all records them), or successes "
		    "with --failed.");
	for (int call = 0; call < TFO_CALL__MAX; call++)
		fprintf(out, "tfotrace_calls_not_recorded_total{call=\"%s\"} %"
			PRIu64 "\n", call_names[call], run->not_recorded[call]);
	scalar(out, "tfotrace_sockets_tracked", "gauge",
	       "Sockets the correlator follows now (bounded).", st.sockets);
	scalar(out, "tfotrace_sockets_evicted_total", "counter",
	       "Sockets dropped from the correlator's full table, least "
	       "recently used first.", st.evicted);
	scalar(out, "tfotrace_remotes_tracked", "gauge",
	       "Remote servers the correlator follows for this host's TFO "
	       "clients now (bounded).", st.remotes);
	scalar(out, "tfotrace_remotes_evicted_total", "counter",
	       "Remote servers dropped from the full table, least recently "
	       "used first.", st.remotes_evicted);

	family_head(out, "tfotrace_findings", "gauge",
		    "Tracked sockets, or remote servers (tfo-remote-*), for "
		    "which each finding kind holds now.");
	walk(c, count_kinds, &w);
	if (c)
		tfo_correlator__for_each_remote(c, count_remote_kinds, &w);
	for (int k = 0; k < TFO_FINDING__MAX; k++)
		fprintf(out, "tfotrace_findings{kind=\"%s\"} %" PRIu64 "\n",
			tfo_finding_name(k), w.holds[k]);

	w.name = "tfotrace_finding";
	family_head(out, w.name, "gauge",
		    "1 for each socket and finding kind (tfo-ok aside) that "
		    "holds for it now.");
	walk(c, finding_samples, &w);

	w.name = "tfotrace_listener_tfo_queue_max";
	family_head(out, w.name, "gauge",
		    "The listener's TFO queue limit: 0 means TFO is off on it.");
	walk(c, queue_samples, &w);

	for (size_t i = 0; (run->probes || run->wire) &&
	     i < sizeof(listener_counters) / sizeof(listener_counters[0]); i++) {
		w.name = listener_counters[i].name;
		w.field = listener_counters[i].field;
		family_head(out, w.name, "counter", listener_counters[i].help);
		walk(c, counter_samples, &w);
	}
	for (size_t i = 0; run->wire &&
	     i < sizeof(wire_counters) / sizeof(wire_counters[0]); i++) {
		w.name = wire_counters[i].name;
		w.field = wire_counters[i].field;
		family_head(out, w.name, "counter", wire_counters[i].help);
		walk(c, counter_samples, &w);
	}
	remote_families(out, c);
	return fflush(out) || ferror(out) ? -EIO : 0;
}

/* ---- the atomic replacement ---- */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

int tfo_prom_write(const char *path, const struct tfo_prom_run *run,
		   const struct tfo_correlator *c)
{
	char *text = NULL, *tmp = NULL;
	size_t text_len = 0, tmp_len;
	FILE *mem;
	int fd = -1, err;

	if (!path || !*path || !run)
		return -EINVAL;
	/* The whole text first: nothing touches the directory unless it is
	 * complete. */
	mem = open_memstream(&text, &text_len);
	if (!mem)
		return -errno;
	err = tfo_prom_format(mem, run, c);
	if (fclose(mem) || err) {
		err = -ENOMEM;	/* a memory stream fails for want of memory */
		goto out;
	}

	tmp_len = strlen(path) + sizeof(".tmp.") + 3 * sizeof(pid_t);
	tmp = malloc(tmp_len);
	if (!tmp) {
		err = -ENOMEM;
		goto out;
	}
	snprintf(tmp, tmp_len, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  PROM_MODE);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	/* node_exporter may run as another user: 0644 whatever the umask. */
	if (fchmod(fd, PROM_MODE) < 0) {
		err = -errno;
		goto fail;
	}
	err = write_all(fd, text, text_len);
	if (err)
		goto fail;
	if (fsync(fd) < 0) {
		err = -errno;
		goto fail;
	}
	err = close(fd) < 0 ? -errno : 0;
	fd = -1;
	if (err)
		goto fail;
	if (rename(tmp, path) < 0) {
		err = -errno;
		goto fail;
	}
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	free(text);
	return err;
}

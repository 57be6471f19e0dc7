// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The node_exporter textfile: a correlator fed the records of a few
 * sockets, written to a temporary directory and compared whole; label
 * escaping of hostile comms; the atomic replacement and its failures
 * (run as root: no permission bits to lean on). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tfotrace.h"
#include "decode.h"
#include "correlate.h"
#include "prometheus.h"
#include "records.h"

/* kernel ABI values, spelled out */

struct fx {
	char dir[64];
	char path[128];		/* DIR/tfotrace.prom */
	char tmp[160];		/* the writer's temporary name */
	struct tfo_correlator *c;
	struct tfo_prom_run run;
	char *text;		/* what the last read() found */
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	strcpy(fx->dir, "/tmp/test_prometheus.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/tfotrace.prom", fx->dir);
	snprintf(fx->tmp, sizeof(fx->tmp), "%s.tmp.%ld", fx->path,
		 (long)getpid());
	fx->run.version = "1.2.3";
	fx->run.mode = "fentry";
	fx->run.probes = true;
	fx->run.events = 42;
	fx->run.lost = 1;
	fx->run.invalid = 2;
	fx->run.not_recorded[TFO_CALL_SOCKET] = 3;
	fx->run.not_recorded[TFO_CALL_SETSOCKOPT] = 1204332;
	fx->run.start_time = 1795556400;
	*state = fx;
	return 0;
}

/* rm -r PATH (no links to follow in a directory the test made). */
static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[512];

	if (!d) {
		unlink(path);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rm_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	rm_tree(fx->dir);
	tfo_correlator__free(fx->c);
	free(fx->text);
	free(fx);
	return 0;
}

static void start(struct fx *fx, bool probes)
{
	struct tfo_correlator_opts o;

	memset(&o, 0, sizeof(o));
	o.probes = probes;
	o.sysctl = -1;
	o.netns = NETNS;
	fx->c = tfo_correlator__new(&o);
	assert_non_null(fx->c);
	fx->run.probes = probes;
	fx->run.remote_probes = probes;
}

/* The whole of PATH, NUL-terminated; NULL when it cannot be read. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		char *grown = realloc(buf, len + n + 1);

		assert_non_null(grown);
		buf = grown;
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = '\0';
	return buf;
}

/* tfo_prom_write() to fx->path, which must succeed; its text read back. */
static const char *write_read(struct fx *fx)
{
	assert_int_equal(tfo_prom_write(fx->path, &fx->run, fx->c), 0);
	free(fx->text);
	fx->text = slurp(fx->path);
	assert_non_null(fx->text);
	return fx->text;
}

/* Entries of DIR other than . and .. */
static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static bool has_line(const char *text, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[len] == '\n')
			return true;
	return false;
}

/* ---- records as the BPF programs fill them ---- */

static void sockopt(struct fx *fx, uint32_t pid, const char *comm,
		    uint64_t ino, uint16_t proto, int optname, int32_t value,
		    int ret)
{
	union tfo_record r = rec_sockopt(pid, comm, ino, proto, L_TCP, optname,
					 value, ret, TFO_LAYER_MPTCP);

	tfo_correlator__feed(fx->c, &r);
}

static void listen_(struct fx *fx, uint32_t pid, const char *comm,
		    uint64_t ino, uint16_t proto, uint16_t port,
		    uint32_t qlen_max)
{
	union tfo_record r = rec_listen(pid, comm, ino, proto, port, 4096, 0,
					qlen_max, 3);

	tfo_correlator__feed(fx->c, &r);
}

/* A SYN on listener INO: FOC_IN -1 no TFO option, 0 cookie request, >0 a
 * cookie; FOC_OUT > 0 a cookie sent; CHILD: its data accepted. */
static void syn(struct fx *fx, uint64_t ino, uint16_t proto, uint16_t port,
		int foc_in, int foc_out, bool child, uint32_t qlen_max)
{
	union tfo_record r = rec_syn(0, "", ino, proto, port, (struct syn){
		.foc_in = foc_in, .foc_out = foc_out,
		.syn_data = child ? 517 : 0, .qlen_max = qlen_max,
		.sysctl = 3, .child = child });

	tfo_correlator__feed(fx->c, &r);
}

static void scanned(struct fx *fx, uint64_t ino, uint16_t family,
		    uint16_t port, uint32_t qlen_max)
{
	union tfo_record r = rec_listener(ino, P_TCP, port, qlen_max, 0, 3);

	r.listener.sock.family = family;
	memset(r.listener.addr, 0, sizeof(r.listener.addr));
	r.listener.addr[15] = 1;	/* ::1 */
	tfo_correlator__feed(fx->c, &r);
}

/* Four sockets, oldest first:
 *   9925 xray's MPTCP listener on :443, TCP_FASTOPEN refused (6.1), three
 *        SYNs asking for a cookie and getting none: mptcp-tfo-rejected;
 *   9926 nginx's TCP listener on :8443, TFO working: a cookie sent, two
 *        SYNs with data accepted: tfo-ok;
 *   9927 a Go client's MPTCP socket that refused TCP_USER_TIMEOUT:
 *        mptcp-option-rejected, not listening;
 *   5150 sshd's IPv6 listener on :22 from the scan, no TFO: no kind. */
static void feed_four(struct fx *fx)
{
	sockopt(fx, 3141, "xray", 9925, P_MPTCP, O_TCP_FASTOPEN, 256, -92);
	listen_(fx, 3141, "xray", 9925, P_MPTCP, 443, 0);
	for (int i = 0; i < 3; i++)
		syn(fx, 9925, P_MPTCP, 443, 0, -1, false, 0);
	sockopt(fx, 3142, "nginx", 9926, P_TCP, O_TCP_FASTOPEN, 256, 0);
	listen_(fx, 3142, "nginx", 9926, P_TCP, 8443, 256);
	syn(fx, 9926, P_TCP, 8443, 0, 8, false, 256);
	syn(fx, 9926, P_TCP, 8443, 8, -1, true, 256);
	syn(fx, 9926, P_TCP, 8443, 8, -1, true, 256);
	sockopt(fx, 3143, "go", 9927, P_MPTCP, O_TCP_USER_TIMEOUT, 30000, -92);
	scanned(fx, 5150, AF_INET6_, 22, 0);
	tfo_correlator__owner(fx->c, 5150, 1, 1, "sshd");
}

#define XRAY	"pid=\"3141\",comm=\"xray\",proto=\"MPTCP\""
#define NGINX	"pid=\"3142\",comm=\"nginx\",proto=\"TCP\""
#define SSHD	"pid=\"1\",comm=\"sshd\",proto=\"TCP\""
#define XRAY_L	"{" XRAY ",family=\"inet\",port=\"443\",netns=\"4026531840\",ino=\"9925\"}"
#define NGINX_L	"{" NGINX ",family=\"inet\",port=\"8443\",netns=\"4026531840\",ino=\"9926\"}"
#define SSHD_L	"{" SSHD ",family=\"inet6\",port=\"22\",netns=\"4026531840\",ino=\"5150\"}"

static const char head[] =
	"# HELP tfotrace_build_info tfotrace's version and attach mode; always 1.\n"
	"# TYPE tfotrace_build_info gauge\n"
	"tfotrace_build_info{version=\"1.2.3\",mode=\"fentry\"} 1\n"
	"# HELP tfotrace_start_time_seconds When tfotrace started, in seconds since the Unix epoch.\n"
	"# TYPE tfotrace_start_time_seconds gauge\n"
	"tfotrace_start_time_seconds 1795556400\n"
	"# HELP tfotrace_tfo_probes 1 when the attach mode sees each SYN in tcp_try_fastopen() (fentry, kprobe), 0 when not (tracepoint): without, the tfotrace_listener_*_total counters are left out.\n"
	"# TYPE tfotrace_tfo_probes gauge\n";

static const char remote_probes_head[] =
	"# HELP tfotrace_remote_probes 1 when the attach mode sees the SYN-ACK of each TFO client connection (fentry, kprobe), 0 when not (tracepoint): without, the tfotrace_remote_* series are empty whatever the servers do.\n"
	"# TYPE tfotrace_remote_probes gauge\n";

static const char middle[] =
	"# HELP tfotrace_handshake_observer 1 when the handshake observer is attached (it sees each SYN and SYN-ACK on the wire in any mode: the per-SYN and remote series are then filled where the probes are missing).\n"
	"# TYPE tfotrace_handshake_observer gauge\n"
	"tfotrace_handshake_observer 0\n"
	"# HELP tfotrace_events_total Records received from the kernel.\n"
	"# TYPE tfotrace_events_total counter\n"
	"tfotrace_events_total 42\n"
	"# HELP tfotrace_lost_events_total Records the kernel could not deliver (ring buffer full): evidence may be partial.\n"
	"# TYPE tfotrace_lost_events_total counter\n"
	"tfotrace_lost_events_total 1\n"
	"# HELP tfotrace_invalid_records_total Records that failed validation and were dropped.\n"
	"# TYPE tfotrace_invalid_records_total counter\n"
	"tfotrace_invalid_records_total 2\n"
	"# HELP tfotrace_calls_not_recorded_total Calls the kernel counted without recording them: routine ones no finding needs (--all records them), or successes with --failed.\n"
	"# TYPE tfotrace_calls_not_recorded_total counter\n"
	"tfotrace_calls_not_recorded_total{call=\"socket\"} 3\n"
	"tfotrace_calls_not_recorded_total{call=\"listen\"} 0\n"
	"tfotrace_calls_not_recorded_total{call=\"setsockopt\"} 1204332\n"
	"# HELP tfotrace_sockets_tracked Sockets the correlator follows now (bounded).\n"
	"# TYPE tfotrace_sockets_tracked gauge\n"
	"tfotrace_sockets_tracked 4\n"
	"# HELP tfotrace_sockets_evicted_total Sockets dropped from the correlator's full table, least recently used first.\n"
	"# TYPE tfotrace_sockets_evicted_total counter\n"
	"tfotrace_sockets_evicted_total 0\n"
	"# HELP tfotrace_remotes_tracked Remote servers the correlator follows for this host's TFO clients now (bounded).\n"
	"# TYPE tfotrace_remotes_tracked gauge\n"
	"tfotrace_remotes_tracked 0\n"
	"# HELP tfotrace_remotes_evicted_total Remote servers dropped from the full table, least recently used first.\n"
	"# TYPE tfotrace_remotes_evicted_total counter\n"
	"tfotrace_remotes_evicted_total 0\n"
	"# HELP tfotrace_findings Tracked sockets, or remote servers (tfo-remote-*), for which each finding kind holds now.\n"
	"# TYPE tfotrace_findings gauge\n"
	"tfotrace_findings{kind=\"mptcp-tfo-rejected\"} 1\n"
	"tfotrace_findings{kind=\"mptcp-option-rejected\"} 1\n"
	"tfotrace_findings{kind=\"tfo-server-disabled\"} 0\n"
	"tfotrace_findings{kind=\"tfo-queue-overflow\"} 0\n"
	"tfotrace_findings{kind=\"tfo-cookie-invalid\"} 0\n"
	"tfotrace_findings{kind=\"tfo-client-blackhole\"} 0\n"
	"tfotrace_findings{kind=\"mptcp-legacy-api\"} 0\n"
	"tfotrace_findings{kind=\"tfo-remote-no-cookie\"} 0\n"
	"tfotrace_findings{kind=\"tfo-remote-ok\"} 0\n"
	"tfotrace_findings{kind=\"mptcp-fell-back\"} 0\n"
	"tfotrace_findings{kind=\"tfo-ok\"} 1\n"
	"# HELP tfotrace_finding 1 for each socket and finding kind (tfo-ok aside) that holds for it now.\n"
	"# TYPE tfotrace_finding gauge\n"
	"tfotrace_finding{kind=\"mptcp-tfo-rejected\"," XRAY ",port=\"443\",netns=\"4026531840\",ino=\"9925\"} 1\n"
	"tfotrace_finding{kind=\"mptcp-option-rejected\",pid=\"3143\",comm=\"go\",proto=\"MPTCP\",port=\"0\",netns=\"4026531840\",ino=\"9927\"} 1\n"
	"# HELP tfotrace_listener_tfo_queue_max The listener's TFO queue limit: 0 means TFO is off on it.\n"
	"# TYPE tfotrace_listener_tfo_queue_max gauge\n"
	"tfotrace_listener_tfo_queue_max" XRAY_L " 0\n"
	"tfotrace_listener_tfo_queue_max" NGINX_L " 256\n"
	"tfotrace_listener_tfo_queue_max" SSHD_L " 0\n";

static const char listener_counters[] =
	"# HELP tfotrace_listener_syns_total SYNs that reached tcp_try_fastopen() on the listener while traced.\n"
	"# TYPE tfotrace_listener_syns_total counter\n"
	"tfotrace_listener_syns_total" XRAY_L " 3\n"
	"tfotrace_listener_syns_total" NGINX_L " 3\n"
	"tfotrace_listener_syns_total" SSHD_L " 0\n"
	"# HELP tfotrace_listener_cookie_requests_total SYNs asking the listener for a TFO cookie.\n"
	"# TYPE tfotrace_listener_cookie_requests_total counter\n"
	"tfotrace_listener_cookie_requests_total" XRAY_L " 3\n"
	"tfotrace_listener_cookie_requests_total" NGINX_L " 1\n"
	"tfotrace_listener_cookie_requests_total" SSHD_L " 0\n"
	"# HELP tfotrace_listener_cookies_sent_total TFO cookies the listener sent in SYN-ACKs.\n"
	"# TYPE tfotrace_listener_cookies_sent_total counter\n"
	"tfotrace_listener_cookies_sent_total" XRAY_L " 0\n"
	"tfotrace_listener_cookies_sent_total" NGINX_L " 1\n"
	"tfotrace_listener_cookies_sent_total" SSHD_L " 0\n"
	"# HELP tfotrace_listener_tfo_accepted_total SYNs whose data the listener accepted (TFO connections).\n"
	"# TYPE tfotrace_listener_tfo_accepted_total counter\n"
	"tfotrace_listener_tfo_accepted_total" XRAY_L " 0\n"
	"tfotrace_listener_tfo_accepted_total" NGINX_L " 2\n"
	"tfotrace_listener_tfo_accepted_total" SSHD_L " 0\n"
	"# HELP tfotrace_listener_syns_unanswered_total SYNs that asked for TFO and got neither a cookie nor TFO.\n"
	"# TYPE tfotrace_listener_syns_unanswered_total counter\n"
	"tfotrace_listener_syns_unanswered_total" XRAY_L " 3\n"
	"tfotrace_listener_syns_unanswered_total" NGINX_L " 0\n"
	"tfotrace_listener_syns_unanswered_total" SSHD_L " 0\n"
	"# HELP tfotrace_listener_cookie_invalid_total SYNs whose TFO cookie the listener did not accept.\n"
	"# TYPE tfotrace_listener_cookie_invalid_total counter\n"
	"tfotrace_listener_cookie_invalid_total" XRAY_L " 0\n"
	"tfotrace_listener_cookie_invalid_total" NGINX_L " 0\n"
	"tfotrace_listener_cookie_invalid_total" SSHD_L " 0\n"
	"# HELP tfotrace_listener_queue_overflows_total SYNs with data refused because the listener's TFO queue was full.\n"
	"# TYPE tfotrace_listener_queue_overflows_total counter\n"
	"tfotrace_listener_queue_overflows_total" XRAY_L " 0\n"
	"tfotrace_listener_queue_overflows_total" NGINX_L " 0\n"
	"tfotrace_listener_queue_overflows_total" SSHD_L " 0\n";

/* No remote server: the families, without samples. */
static const char remote_families[] =
	"# HELP tfotrace_remote_finding 1 for each remote server (of at most 20, the most unanswered first) and tfo-remote-* kind that holds for it now.\n"
	"# TYPE tfotrace_remote_finding gauge\n"
	"# HELP tfotrace_remote_connections_total This host's TFO client connections to the server (SYN-ACKs).\n"
	"# TYPE tfotrace_remote_connections_total counter\n"
	"# HELP tfotrace_remote_cookie_requests_total SYNs of this host's clients that asked the server for a cookie.\n"
	"# TYPE tfotrace_remote_cookie_requests_total counter\n"
	"# HELP tfotrace_remote_cookie_requests_unanswered_total Cookie requests the server answered without a cookie.\n"
	"# TYPE tfotrace_remote_cookie_requests_unanswered_total counter\n"
	"# HELP tfotrace_remote_cookies_received_total SYN-ACKs from the server that carried a TFO cookie.\n"
	"# TYPE tfotrace_remote_cookies_received_total counter\n"
	"# HELP tfotrace_remote_syn_data_acked_total SYNs with data the server acknowledged (TFO connections).\n"
	"# TYPE tfotrace_remote_syn_data_acked_total counter\n";

static void assert_text(const char *got, const char *want)
{
	if (strcmp(got, want))
		fprintf(stderr, "--- want\n%s--- got\n%s---\n", want, got);
	assert_string_equal(got, want);
}

/* With the handshake observer in tracepoint mode: the listeners' per-SYN
 * counters (the observer's) and their wire counters. */
static void test_wire_counters(void **state)
{
	struct fx *fx = *state;
	union tfo_record r;

	start(fx, false);
	fx->run.wire = true;
	sockopt(fx, 3141, "xray", 9925, P_MPTCP, O_TCP_FASTOPEN, 256, -92);
	listen_(fx, 3141, "xray", 9925, P_MPTCP, 443, 0);
	r = rec_wire(0, "", 9925, P_MPTCP, TFO_WIRE_SYN_IN, 443, 50000,
		     (struct wire){ .tfo = TFO_WIRE_TFO_REQUEST, .malformed = 1 });
	tfo_correlator__feed(fx->c, &r);
	write_read(fx);
	assert_true(has_line(fx->text, "tfotrace_handshake_observer 1"));
	assert_true(has_line(fx->text, "tfotrace_listener_wire_syns_total" XRAY_L " 1"));
	assert_true(has_line(fx->text, "tfotrace_listener_wire_cookie_requests_total"
			     XRAY_L " 1"));
	assert_true(has_line(fx->text, "tfotrace_listener_wire_malformed_total"
			     XRAY_L " 1"));
	assert_true(has_line(fx->text, "tfotrace_listener_wire_synacks_total" XRAY_L " 0"));
	/* the per-SYN ones, from the wire where the mode has no probes */
	assert_true(has_line(fx->text, "tfotrace_listener_cookie_requests_total"
			     XRAY_L " 1"));
}

/* ---- content ---- */

static void test_whole_file_with_probes(void **state)
{
	struct fx *fx = *state;
	char want[16384];

	start(fx, true);
	feed_four(fx);
	snprintf(want, sizeof(want),
		 "%stfotrace_tfo_probes 1\n%stfotrace_remote_probes 1\n%s%s%s",
		 head, remote_probes_head, middle, listener_counters,
		 remote_families);
	assert_text(write_read(fx), want);
}

/* Without per-SYN probes the counters are unknown: left out, headers and
 * all, never written as 0. The queue limit is still known. */
static void test_whole_file_without_probes(void **state)
{
	struct fx *fx = *state;
	char want[16384];

	start(fx, false);
	fx->run.mode = "tracepoint";
	/* no SYN records in tracepoint mode */
	sockopt(fx, 3141, "xray", 9925, P_MPTCP, O_TCP_FASTOPEN, 256, -92);
	listen_(fx, 3141, "xray", 9925, P_MPTCP, 443, 0);
	sockopt(fx, 3142, "nginx", 9926, P_TCP, O_TCP_FASTOPEN, 256, 0);
	listen_(fx, 3142, "nginx", 9926, P_TCP, 8443, 256);
	sockopt(fx, 3143, "go", 9927, P_MPTCP, O_TCP_USER_TIMEOUT, 30000, -92);
	scanned(fx, 5150, AF_INET6_, 22, 0);
	tfo_correlator__owner(fx->c, 5150, 1, 1, "sshd");
	snprintf(want, sizeof(want),
		 "%stfotrace_tfo_probes 0\n%stfotrace_remote_probes 0\n%s%s",
		 head, remote_probes_head, middle, remote_families);
	/* the same file but for the mode, and no listener counters */
	memcpy(strstr(want, "mode=\"fentry\""), "mode=\"tracepoint\"",
	       strlen("mode=\"fentry\""));
	assert_text(strstr(write_read(fx), "# HELP tfotrace_events_total"),
		    strstr(want, "# HELP tfotrace_events_total"));
	assert_true(has_line(fx->text,
			     "tfotrace_build_info{version=\"1.2.3\",mode=\"tracepoint\"} 1"));
	assert_true(has_line(fx->text, "tfotrace_tfo_probes 0"));
	assert_true(has_line(fx->text, "tfotrace_remote_probes 0"));
	assert_null(strstr(fx->text, "tfotrace_listener_syns_total{"));
	assert_null(strstr(fx->text, "tfotrace_listener_syns"));
	assert_true(has_line(fx->text, "tfotrace_listener_tfo_queue_max" NGINX_L
			     " 256"));
}

/* No socket at all, or no correlator: every kind is listed, at 0, so that
 * an alert on `tfotrace_findings{kind="..."} > 0` always has a series. */
static void test_every_kind_listed(void **state)
{
	struct fx *fx = *state;
	char line[128];

	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			start(fx, true);
		write_read(fx);
		for (int k = 0; k < TFO_FINDING__MAX; k++) {
			snprintf(line, sizeof(line),
				 "tfotrace_findings{kind=\"%s\"} 0",
				 tfo_finding_name(k));
			assert_true(has_line(fx->text, line));
		}
		assert_true(has_line(fx->text, "tfotrace_sockets_tracked 0"));
		assert_null(strstr(fx->text, "tfotrace_finding{"));
		assert_null(strstr(fx->text, "tfotrace_listener_tfo_queue_max{"));
		/* the counter families are there, without samples */
		assert_true(has_line(fx->text,
				     "# TYPE tfotrace_listener_syns_total counter"));
		assert_null(strstr(fx->text, "tfotrace_listener_syns_total{"));
	}
}

/* One SYN-ACK of a client connection to 10.0.0.LAST:PORT (or, FAMILY
 * AF_INET6, 2001:db8::LAST): ANSWERED a cookie came back. */
static void synack(struct fx *fx, uint16_t family, uint8_t last, uint16_t port,
		   bool answered)
{
	union tfo_record r = rec_synack(700, "curl", (struct synack){
		.family = family, .last = last, .port = port,
		.cookie_requested = 1, .cookie_len = answered ? 8 : -1 });

	r.tfo_synack.sock.family = family;
	memset(r.tfo_synack.raddr, 0, sizeof(r.tfo_synack.raddr));
	if (family == AF_INET_) {
		r.tfo_synack.raddr[0] = 10;
		r.tfo_synack.raddr[3] = last;
	} else {
		r.tfo_synack.raddr[0] = 0x20;
		r.tfo_synack.raddr[1] = 0x01;
		r.tfo_synack.raddr[2] = 0x0d;
		r.tfo_synack.raddr[3] = 0xb8;
		r.tfo_synack.raddr[15] = last;
	}
	tfo_correlator__feed(fx->c, &r);
}

/* Servers this host's clients reached: counted by kind; per-server series
 * for the 20 with the most unanswered cookie requests only. */
static void test_remote_servers(void **state)
{
	struct fx *fx = *state;
	const char *text;

	start(fx, true);
	/* 10.0.0.1..30:443, server N unanswered N times; 10.0.0.1 also once
	 * answered; [2001:db8::9]:8443 answers */
	for (uint8_t last = 1; last <= 30; last++)
		for (uint8_t i = 0; i < last; i++)
			synack(fx, AF_INET_, last, 443, false);
	synack(fx, AF_INET_, 1, 443, true);
	synack(fx, AF_INET6_, 9, 8443, true);
	synack(fx, AF_INET6_, 9, 8443, true);
	text = write_read(fx);
	assert_true(has_line(text, "tfotrace_remotes_tracked 31"));
	assert_true(has_line(text, "tfotrace_findings{kind=\"tfo-remote-no-cookie\"} 29"));
	assert_true(has_line(text, "tfotrace_findings{kind=\"tfo-remote-ok\"} 2"));
	assert_true(has_line(text, "tfotrace_remote_finding{kind=\"tfo-remote-no-cookie\","
			     "remote_addr=\"10.0.0.30\",remote_port=\"443\","
			     "netns=\"4026531840\"} 1"));
	assert_true(has_line(text, "tfotrace_remote_cookie_requests_unanswered_total{"
			     "remote_addr=\"10.0.0.30\",remote_port=\"443\","
			     "netns=\"4026531840\"} 30"));
	assert_true(has_line(text, "tfotrace_remote_cookie_requests_unanswered_total{"
			     "remote_addr=\"10.0.0.11\",remote_port=\"443\","
			     "netns=\"4026531840\"} 11"));
	/* the 21st most unanswered, and the servers that answer, are left out */
	assert_null(strstr(text, "remote_addr=\"10.0.0.10\""));
	assert_null(strstr(text, "remote_addr=\"2001:db8::9\""));
	assert_null(strstr(text, "remote_addr=\"10.0.0.1\""));
	/* the most unanswered first, in every family */
	assert_true(strstr(text, "tfotrace_remote_connections_total{remote_addr=\"10.0.0.30\"") <
		    strstr(text, "tfotrace_remote_connections_total{remote_addr=\"10.0.0.29\""));
	/* fewer servers: each one, the answering too, with its numbers */
	tfo_correlator__free(fx->c);
	start(fx, true);
	synack(fx, AF_INET_, 7, 443, false);
	synack(fx, AF_INET6_, 9, 8443, true);
	synack(fx, AF_INET6_, 9, 8443, false);
	text = write_read(fx);
	assert_true(has_line(text, "tfotrace_remote_finding{kind=\"tfo-remote-ok\","
			     "remote_addr=\"2001:db8::9\",remote_port=\"8443\","
			     "netns=\"4026531840\"} 1"));
	assert_true(has_line(text, "tfotrace_remote_cookies_received_total{"
			     "remote_addr=\"2001:db8::9\",remote_port=\"8443\","
			     "netns=\"4026531840\"} 1"));
	assert_true(has_line(text, "tfotrace_remote_connections_total{"
			     "remote_addr=\"2001:db8::9\",remote_port=\"8443\","
			     "netns=\"4026531840\"} 2"));
	assert_true(has_line(text, "tfotrace_remote_cookies_received_total{"
			     "remote_addr=\"10.0.0.7\",remote_port=\"443\","
			     "netns=\"4026531840\"} 0"));
	assert_true(has_line(text, "tfotrace_remote_finding{kind=\"tfo-remote-no-cookie\","
			     "remote_addr=\"10.0.0.7\",remote_port=\"443\","
			     "netns=\"4026531840\"} 1"));
}

/* Each family: one HELP, one TYPE, before its samples; no family twice. */
static void test_family_headers(void **state)
{
	struct fx *fx = *state;
	const char *p;
	int families = 0;

	start(fx, true);
	feed_four(fx);
	p = write_read(fx);
	while (*p) {
		const char *eol = strchr(p, '\n');
		char name[96], other[96], type[16], help[112];
		int n;

		assert_non_null(eol);
		if (!strncmp(p, "# HELP ", 7)) {
			families++;
			assert_int_equal(sscanf(p, "# HELP %95s", name), 1);
			assert_int_equal(sscanf(eol + 1, "# TYPE %95s %15s", other,
						type), 2);
			assert_string_equal(name, other);
			/* counters, and only counters, end in _total */
			n = strlen(name);
			assert_int_equal(n > 6 && !strcmp(name + n - 6, "_total"),
					 !strcmp(type, "counter"));
			snprintf(help, sizeof(help), "# HELP %s ", name);
			assert_ptr_equal(strstr(fx->text, help), p);
			assert_null(strstr(p + 1, help));
		} else if (*p != '#') {
			/* a sample: of the family last opened */
			assert_true(families > 0);
		}
		p = eol + 1;
	}
	/* 16 of the run, 7 per listener, 6 per remote server */
	assert_int_equal(families, 16 + 7 + 6);
	/* no kernel address, no hex at all */
	assert_null(strstr(fx->text, "0x"));
	assert_null(strstr(fx->text, "ffff"));
}

/* A comm is 16 arbitrary bytes: the exposition format's escapes for quote,
 * backslash and newline, and \xHH text for any other byte outside
 * printable ASCII, so the file is ASCII (and so UTF-8) whatever a process
 * calls itself. */
static void test_label_escaping(void **state)
{
	struct fx *fx = *state;
	static const char comm[] = "a\"b\\c\nd\xff\x01\x7f\t";

	start(fx, true);
	fx->run.version = "v\"1\\\n\x80";
	fx->run.mode = NULL;
	sockopt(fx, 77, comm, 4242, P_MPTCP, O_TCP_FASTOPEN, 256, -92);
	listen_(fx, 77, comm, 4242, P_MPTCP, 443, 0);
	write_read(fx);
	assert_true(has_line(fx->text,
			     "tfotrace_build_info{version=\"v\\\"1\\\\\\n\\\\x80\",mode=\"\"} 1"));
	assert_true(has_line(fx->text,
			     "tfotrace_finding{kind=\"mptcp-tfo-rejected\",pid=\"77\","
			     "comm=\"a\\\"b\\\\c\\nd\\\\xff\\\\x01\\\\x7f\\\\x09\","
			     "proto=\"MPTCP\",port=\"443\",netns=\"4026531840\","
			     "ino=\"4242\"} 1"));
	for (const unsigned char *p = (const unsigned char *)fx->text; *p; p++)
		assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f));

	/* a full 16-byte comm with no NUL: not one byte further */
	tfo_correlator__free(fx->c);
	start(fx, true);
	sockopt(fx, 78, "0123456789abcdefOVERRUN", 4243, P_MPTCP,
		O_TCP_USER_TIMEOUT, 1, -92);
	write_read(fx);
	assert_non_null(strstr(fx->text, "comm=\"0123456789abcde\","));
}

/* A family or protocol with no name (a record the kernel filled oddly)
 * is its number. */
static void test_unnamed_family_is_number(void **state)
{
	struct fx *fx = *state;
	union tfo_record r;

	start(fx, false);
	r = rec_listener(31337, P_TCP, 7, 0, 0, 0);
	r.listener.sock.family = 0;
	tfo_correlator__feed(fx->c, &r);
	write_read(fx);
	assert_true(has_line(fx->text,
			     "tfotrace_listener_tfo_queue_max{pid=\"0\",comm=\"\","
			     "proto=\"TCP\",family=\"0\",port=\"7\","
			     "netns=\"4026531840\",ino=\"31337\"} 0"));
}

/* ---- the atomic replacement ---- */

static void test_replaced_whole_no_leftover(void **state)
{
	struct fx *fx = *state;
	mode_t old_umask = umask(077);
	struct stat st;

	start(fx, true);
	write_read(fx);
	assert_true(has_line(fx->text, "tfotrace_sockets_tracked 0"));
	feed_four(fx);
	fx->run.events = 43;
	write_read(fx);
	umask(old_umask);
	assert_true(has_line(fx->text, "tfotrace_sockets_tracked 4"));
	assert_true(has_line(fx->text, "tfotrace_events_total 43"));
	assert_int_equal(dir_entries(fx->dir), 1);
	assert_int_equal(access(fx->tmp, F_OK), -1);
	/* node_exporter, running as another user, can read it */
	assert_int_equal(stat(fx->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	/* a stale temporary file of a killed run with this pid is reused */
	fclose(fopen(fx->tmp, "w"));
	write_read(fx);
	assert_int_equal(dir_entries(fx->dir), 1);
}

/* The directory is missing, or is a file. */
static void test_no_directory(void **state)
{
	struct fx *fx = *state;
	char path[192];
	FILE *f;

	start(fx, true);
	snprintf(path, sizeof(path), "%s/missing/tfotrace.prom", fx->dir);
	assert_int_equal(tfo_prom_write(path, &fx->run, fx->c), -ENOENT);
	snprintf(path, sizeof(path), "%s/file", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/file/tfotrace.prom", fx->dir);
	assert_int_equal(tfo_prom_write(path, &fx->run, fx->c), -ENOTDIR);
	assert_int_equal(dir_entries(fx->dir), 1);
	assert_int_equal(tfo_prom_write("", &fx->run, fx->c), -EINVAL);
	assert_int_equal(tfo_prom_write(NULL, &fx->run, fx->c), -EINVAL);
	assert_int_equal(tfo_prom_write(fx->path, NULL, fx->c), -EINVAL);
}

/* Every failure after the old file exists leaves it as it was, and no
 * temporary file behind. */
static void test_failures_keep_old_file(void **state)
{
	struct fx *fx = *state;
	struct rlimit saved, small;
	char keep[192];
	char *old;
	int err;

	start(fx, true);
	old = strdup(write_read(fx));
	assert_non_null(old);
	feed_four(fx);

	/* the temporary name cannot be opened (a directory holds it) */
	assert_int_equal(mkdir(fx->tmp, 0755), 0);
	assert_int_equal(tfo_prom_write(fx->path, &fx->run, fx->c), -EISDIR);
	assert_int_equal(rmdir(fx->tmp), 0);

	/* a write fails halfway (the file size limit, as a full disk would) */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	small = saved;
	small.rlim_cur = 512;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	err = tfo_prom_write(fx->path, &fx->run, fx->c);
	/* restored before anything is printed */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(err, -EFBIG);

	free(fx->text);
	fx->text = slurp(fx->path);
	assert_string_equal(fx->text, old);
	assert_int_equal(dir_entries(fx->dir), 1);

	/* the rename fails: the path is a directory that is not empty */
	assert_int_equal(unlink(fx->path), 0);
	assert_int_equal(mkdir(fx->path, 0755), 0);
	snprintf(keep, sizeof(keep), "%s/keep", fx->path);
	fclose(fopen(keep, "w"));
	assert_int_equal(tfo_prom_write(fx->path, &fx->run, fx->c), -EISDIR);
	assert_int_equal(dir_entries(fx->dir), 1);
	assert_int_equal(dir_entries(fx->path), 1);
	free(old);
}

/* A stream that fails says so. */
static void test_format_stream_error(void **state)
{
	struct fx *fx = *state;
	FILE *f = fopen("/dev/null", "r");

	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	assert_int_equal(tfo_prom_format(f, &fx->run, NULL), -EIO);
	fclose(f);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_whole_file_with_probes),
		T(test_wire_counters),
		T(test_whole_file_without_probes),
		T(test_every_kind_listed),
		T(test_remote_servers),
		T(test_family_headers),
		T(test_label_escaping),
		T(test_unnamed_family_is_number),
		T(test_replaced_whole_no_leftover),
		T(test_no_directory),
		T(test_failures_keep_old_file),
		T(test_format_stream_error),
	};

	return cmocka_run_group_tests_name("prometheus", tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "advice.h"
#include "names.h"

#define PROTO_MPTCP		262
#define SOL_TCP_LEVEL		6
#define OPT_TCP_FASTOPEN	23
#define TFO_SERVER_ENABLE	0x2
#define TFO_FIX_SYSCTL		0x403	/* client, server, server without sockopt */
#define RESULT_TCP		"its listeners become plain TCP and TCP_FASTOPEN works"
/* a GODEBUG value with multipathtcp=0 merged in, and shown (\xNN) */
#define MERGED_LEN		(TFO_ENV_VALUE_LEN + 32)
#define SHOWN_LEN		(4 * MERGED_LEN)
#define GODEBUG_ARG_LEN		(SHOWN_LEN + 16)

static void add_advice(struct tfo_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_advice(struct tfo_finding *f, const char *fmt, ...)
{
	va_list ap;

	if (f->n_advice == TFO_ADVICE_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(f->advice[f->n_advice++], TFO_ADVICE_LEN, fmt, ap);
	va_end(ap);
}

/* ---- pasteable values ---- */

/* S as it can be pasted: bytes outside printable ASCII as \xNN (such a
 * value cannot be pasted as it is anyway: said, not hidden). */
static const char *printable(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s && n + 5 < size; s++) {
		unsigned char c = *s;

		if (c >= 0x20 && c < 0x7f)
			buf[n++] = c;
		else
			n += snprintf(buf + n, size - n, "\\x%02x", c);
	}
	buf[n] = '\0';
	return buf;
}

/* Whether a GODEBUG value needs quotes in a unit file or a shell. */
static bool needs_quotes(const char *s)
{
	return s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789=,._#/:+-")] != '\0';
}

/* The GODEBUG its environment should have: what it has, multipathtcp=0
 * set (Go takes the last setting of a key: the others stay). */
static const char *godebug_off(const struct tfo_program *p, char *buf,
			       size_t size)
{
	char merged[MERGED_LEN], shown[SHOWN_LEN];
	const char *have = p && !p->environ_err && p->env.has_godebug ?
			   p->env.godebug : "";

	tfo_godebug_merge(have, "multipathtcp", "0", merged, sizeof(merged));
	printable(merged, shown, sizeof(shown));
	if (needs_quotes(merged))
		snprintf(buf, size, "\"GODEBUG=%s\"", shown);
	else
		snprintf(buf, size, "GODEBUG=%s", shown);
	return buf;
}

/* ---- where a setting is applied ---- */

/* A sysctl for the listener's network namespace: a sysctl is per
 * namespace, and one run in tfotrace's own fixes nothing elsewhere. */
static void sysctl_step(char *buf, size_t size, const struct tfo_finding *f,
			const struct tfo_advice_ctx *ctx, const char *setting)
{
	const struct tfo_sock_view *v = f->sock;
	const struct tfo_program *p = f->program;

	if (!v->netns || !ctx->own_netns || v->netns == ctx->own_netns) {
		snprintf(buf, size, "sysctl -w %s", setting);
	} else if (p && p->container[0] && v->pid) {
		snprintf(buf, size, "nsenter --net=/proc/%u/ns/net sysctl -w %s "
			 "(the network namespace of container %s, netns %u; "
			 "lost when it restarts: `docker run --sysctl %s`, or "
			 "its runtime's own, keeps it)", v->pid, setting,
			 p->container, v->netns, setting);
	} else if (v->pid) {
		snprintf(buf, size, "nsenter --net=/proc/%u/ns/net sysctl -w %s "
			 "(in its network namespace, netns %u, not tfotrace's)",
			 v->pid, setting, v->netns);
	} else {
		snprintf(buf, size, "sysctl -w %s in network namespace %u (not "
			 "tfotrace's: `ip netns identify` or a process of it "
			 "with nsenter --net=/proc/PID/ns/net)", setting, v->netns);
	}
}

/* The GODEBUG fix, written for where COMM's environment is set: its
 * unit (with where the unit sets GODEBUG now, when that beats `systemctl
 * edit`), its container, or its launcher. LEAD says why. */
static void advise_godebug(struct tfo_finding *f, const char *lead)
{
	const struct tfo_sock_view *v = f->sock;
	const struct tfo_program *p = f->program;
	const struct tfo_unit_env *set = &p->godebug_set;
	char value[GODEBUG_ARG_LEN];

	godebug_off(p, value, sizeof(value));
	if (p->unit[0] && (set->kind == TFO_UNIT_ENV_FILE ||
			   (set->kind == TFO_UNIT_ENV_DROPIN && set->after_override))) {
		add_advice(f, "%s: its GODEBUG is set in %s (%s, which `systemctl "
			   "edit` cannot override): change that line to `%s`, "
			   "then `systemctl daemon-reload` and `systemctl restart "
			   "%s`: %s", lead, set->path,
			   set->kind == TFO_UNIT_ENV_FILE ? "its EnvironmentFile=, "
			   "read after Environment=" : "a drop-in read after "
			   "override.conf", value, p->unit, RESULT_TCP);
	} else if (p->unit[0]) {
		add_advice(f, "%s%s%s%s: `systemctl edit %s`, add the lines "
			   "`[Service]` and `Environment=%s`, then `systemctl "
			   "restart %s`: %s%s%s%s", lead,
			   set->kind == TFO_UNIT_ENV_UNIT ||
			   set->kind == TFO_UNIT_ENV_DROPIN ?
			   " (its GODEBUG is set by Environment= in " : "",
			   set->kind == TFO_UNIT_ENV_UNIT ||
			   set->kind == TFO_UNIT_ENV_DROPIN ? set->path : "",
			   set->kind == TFO_UNIT_ENV_UNIT ||
			   set->kind == TFO_UNIT_ENV_DROPIN ? ")" : "",
			   p->unit, value, p->unit, RESULT_TCP,
			   set->kind == TFO_UNIT_ENV_FILE_UNREADABLE ?
			   " (unless its EnvironmentFile=" : "",
			   set->kind == TFO_UNIT_ENV_FILE_UNREADABLE ? set->path : "",
			   set->kind == TFO_UNIT_ENV_FILE_UNREADABLE ?
			   ", unreadable here, sets GODEBUG: that file beats "
			   "Environment=, change it there)" : "");
	} else if (p->container[0]) {
		add_advice(f, "%s: in its container's environment (%s): `docker "
			   "run -e %s` (podman the same), `env:` in its pod spec "
			   "on kubernetes, `environment:` in a compose file; the "
			   "container restarted: %s", lead, p->container, value,
			   RESULT_TCP);
	} else {
		add_advice(f, "%s: start %s (pid %u) with `%s` in its environment, "
			   "where its launcher sets it: %s", lead, v->comm, v->pid,
			   value, RESULT_TCP);
	}
}

/* The program-level fix: one per source of its MPTCP. */
static void advise_program(struct tfo_finding *f)
{
	const struct tfo_sock_view *v = f->sock;
	const struct tfo_program *p = f->program;
	const struct tfo_mptcp_origin *o = &f->origin;
	const char *ver = p && p->go.version[0] ? p->go.version :
			  "a Go of unknown version";
	char lead[512], lib[96], shown[4 * TFO_ENV_VALUE_LEN];

	if (!v->pid) {
		add_advice(f, "the listener's owner is unknown: `tfotrace --scan` "
			   "(or `ss -ltnp`) names it; a Go >= 1.24 program takes "
			   "GODEBUG=multipathtcp=0 in its environment, another its "
			   "own MPTCP setting");
		return;
	}
	switch (o->source) {
	case TFO_MPTCP_SOURCE_ENVIRONMENT:
		snprintf(lead, sizeof(lead), "%s's MPTCP comes from its "
			 "environment, not its code (%s, which %s takes over its "
			 "build's default): set multipathtcp=0 there", v->comm,
			 o->detail, ver);
		advise_godebug(f, lead);
		break;
	case TFO_MPTCP_SOURCE_GO_DEFAULT:
		snprintf(lead, sizeof(lead), "%s listens with MPTCP by %s: "
			 "GODEBUG=multipathtcp=0 in its environment turns that off",
			 v->comm, o->detail);
		advise_godebug(f, lead);
		break;
	case TFO_MPTCP_SOURCE_PRELOAD:
		tfo_preload_mptcp(p->env.preload, lib, sizeof(lib));
		if (!strncmp(lib, "libmptcpwrap", 12) && p->unit[0])
			add_advice(f, "%s runs under mptcpize (%s makes its TCP "
				   "sockets MPTCP): `mptcpize disable %s`, then "
				   "`systemctl daemon-reload` and `systemctl restart "
				   "%s`: its listeners become plain TCP and "
				   "TCP_FASTOPEN works", v->comm, lib, p->unit, p->unit);
		else if (!strncmp(lib, "libmptcpwrap", 12))
			add_advice(f, "%s (pid %u) runs under mptcpize (%s makes its "
				   "TCP sockets MPTCP): start it without `mptcpize "
				   "run` (no LD_PRELOAD=%s): its listeners become "
				   "plain TCP and TCP_FASTOPEN works", v->comm, v->pid,
				   lib, printable(p->env.preload, shown, sizeof(shown)));
		else
			add_advice(f, "%s (pid %u) runs with LD_PRELOAD=%s, a library "
				   "that makes its sockets MPTCP (%s): start it "
				   "without it%s%s: its listeners become plain TCP "
				   "and TCP_FASTOPEN works", v->comm, v->pid,
				   printable(p->env.preload, shown, sizeof(shown)), lib,
				   p->unit[0] ? " (its unit " : "",
				   p->unit[0] ? p->unit : "");
		if (p->go.is_go)
			add_advice(f, "%s is a Go program: Go makes its own system "
				   "calls and never calls the preloaded library; "
				   "mptcpize set its GODEBUG too, which goes with it",
				   v->comm);
		break;
	case TFO_MPTCP_SOURCE_PROGRAM:
		if (p && p->go.is_go && tfo_go_listens_mptcp(p->go.version, NULL) >= 0)
			add_advice(f, "%s (%s) asks for MPTCP in its code: "
				   "net.ListenConfig.SetMultipathTCP(true) beats "
				   "GODEBUG; turn that off there or in its "
				   "configuration", v->comm, ver);
		else if (p && p->go.is_go)
			add_advice(f, "%s (%s) creates its MPTCP socket in its own "
				   "code (Go before 1.21 has no MPTCP in its net "
				   "package): turn that off there", v->comm, ver);
		else if (p && !p->environ_err && p->env.has_preload)
			add_advice(f, "%s is not a Go program: it creates its socket "
				   "with IPPROTO_MPTCP itself: turn that off in its "
				   "configuration or code (it also runs with "
				   "LD_PRELOAD=%s: if that library makes sockets "
				   "MPTCP, start it without)", v->comm,
				   printable(p->env.preload, shown, sizeof(shown)));
		else
			add_advice(f, "%s is not a Go program: it creates its socket "
				   "with IPPROTO_MPTCP itself: turn that off in its "
				   "configuration or code", v->comm);
		break;
	default:
		add_advice(f, "tfotrace could not tell where %s's MPTCP comes from "
			   "(%s): if it is a Go >= 1.24 program, GODEBUG="
			   "multipathtcp=0 in its environment; if it runs under "
			   "mptcpize, without it; otherwise its own MPTCP setting",
			   v->comm, o->detail);
		break;
	}
}

/* net.mptcp.enabled=0 only where the listener survives it: Go >= 1.21
 * falls back to TCP when MPTCP is refused; other programs may simply fail
 * to listen (a C proxy from Debian's archive did: "failed to listen on any
 * address"). The consequence for the namespace's other programs is said. */
static void advise_mptcp_disabled(struct tfo_finding *f,
				  const struct tfo_advice_ctx *ctx)
{
	const struct tfo_program *p = f->program;
	char step[TFO_ADVICE_LEN];

	if (!p || p->exe_err || !p->go.is_go ||
	    tfo_go_listens_mptcp(p->go.version, NULL) < 0)
		return;
	sysctl_step(step, sizeof(step), f, ctx, "net.mptcp.enabled=0");
	add_advice(f, "%s: no MPTCP in that network namespace; %s, a Go "
		   "program, falls back to TCP, but any other program there that "
		   "asks for MPTCP and does not fall back stops listening", step,
		   f->sock->comm);
}

static void advise_kernel(struct tfo_finding *f)
{
	add_advice(f, "a kernel >= 6.3 (MPTCP has TFO since 6.2; 6.2 could "
		   "crash, CVE-2023-54085): on Debian 12 the 6.12 kernel, "
		   "linux-image-6.12.*+deb12-amd64");
}

static void advise_0x403(struct tfo_finding *f, const struct tfo_advice_ctx *ctx)
{
	unsigned long cur = ctx->sysctl >= 0 ? (unsigned long)ctx->sysctl : 0x1;
	char setting[64], step[TFO_ADVICE_LEN];

	snprintf(setting, sizeof(setting), "net.ipv4.tcp_fastopen=0x%lx",
		 cur | TFO_FIX_SYSCTL);
	sysctl_step(step, sizeof(step), f, ctx, setting);
	add_advice(f, "%s: TFO on every listener of that network namespace, "
		   "MPTCP kept (0x400 enables it without the setsockopt); only "
		   "for idempotent protocols, as SYN data can be replayed", step);
}

/* ---- socket findings ---- */

static void explain_tfo_rejected(struct tfo_finding *f,
				 const struct tfo_advice_ctx *ctx)
{
	const struct tfo_sock_view *v = f->sock;

	f->err = v->tfo_sockopt < 0 ? -v->tfo_sockopt : 0;
	if (v->tfo_sockopt < 0)
		f->why = "MPTCP sockets on kernels before 6.2 do not support "
			 "TCP_FASTOPEN: the setsockopt fails, the listener's TFO "
			 "queue stays 0, and SYNs asking for a cookie get a "
			 "SYN-ACK without one. The application runs on without TFO.";
	else if (!v->syns)
		f->why = "this MPTCP listener has no TFO queue, and its "
			 "network namespace counted cookie requests that "
			 "no listener answered (TcpExtTCPFastOpenCookieReqd "
			 "rose, Passive did not): on kernels before 6.2 MPTCP "
			 "rejects TCP_FASTOPEN, so an application that asked "
			 "for it (Go >= 1.24 servers such as Xray do) runs "
			 "without TFO. Per-listener numbers need the fentry "
			 "or kprobe mode.";
	else
		f->why = "this MPTCP listener has no TFO queue while clients ask "
			 "for TFO (cookie requests, or SYN data with a cookie): on "
			 "kernels before 6.2 MPTCP rejects "
			 "TCP_FASTOPEN, so an application that asked for it (Go >= "
			 "1.24 servers such as Xray do) runs without TFO. Its "
			 "setsockopt came before tfotrace started.";
	advise_0x403(f, ctx);
	advise_program(f);
	advise_mptcp_disabled(f, ctx);
	advise_kernel(f);
}

static void explain_option_rejected(struct tfo_finding *f,
				    const struct tfo_advice_ctx *ctx)
{
	const struct tfo_sock_view *v = f->sock;

	f->err = ENOPROTOOPT;
	for (uint32_t i = 0; i < v->n_opts && i < TFO_OPT_HISTORY; i++)
		if ((v->opts[i].ret == -ENOPROTOOPT ||
		     v->opts[i].ret == -EOPNOTSUPP) &&
		    !(v->opts[i].level == SOL_TCP_LEVEL &&
		      v->opts[i].optname == OPT_TCP_FASTOPEN)) {
			f->err = -v->opts[i].ret;
			break;
		}
	f->why = f->err == EOPNOTSUPP ?
		 "this MPTCP socket refused socket options the application set "
		 "(EOPNOTSUPP: MPTCP lists them but does not implement them on "
		 "this kernel): it believes they are in effect; they are not." :
		 "this MPTCP socket refused socket options the application set: "
		 "it believes they are in effect; they are not.";
	advise_program(f);
	advise_mptcp_disabled(f, ctx);
	add_advice(f, "a kernel whose MPTCP supports these options (see "
		   "mptcp_supported_sockopt() in net/mptcp/sockopt.c; "
		   "TCP_USER_TIMEOUT, TCP_MD5SIG, TCP_WINDOW_CLAMP, TCP_LINGER2, "
		   "TCP_QUICKACK and TCP_SAVE_SYN are refused by every kernel "
		   "so far)");
}

static void explain_fell_back(struct tfo_finding *f,
			      const struct tfo_advice_ctx *ctx)
{
	const struct tfo_sock_view *v = f->sock;
	const char *opt = tfo_optname_name(v->fell_back_level,
					   v->fell_back_optname);
	bool tfo = v->fell_back_level == SOL_TCP_LEVEL &&
		   v->fell_back_optname == OPT_TCP_FASTOPEN;
	char setting[64], step[TFO_ADVICE_LEN];

	f->err = -v->fell_back_ret;
	f->why = "informational, no fault: MPTCP refused an option on this "
		 "process's MPTCP socket, and the process then listened with "
		 "plain TCP instead (Go's net package retries with TCP on any "
		 "MPTCP error, including one its ListenConfig.Control returns): "
		 "the option works, MPTCP is off for this listener, and nothing "
		 "said so.";
	if (tfo) {
		add_advice(f, "for MPTCP and TFO both: a kernel >= 6.3 (MPTCP takes "
			   "TCP_FASTOPEN since 6.2): the same program then listens "
			   "with MPTCP and TFO works");
		snprintf(setting, sizeof(setting), "net.ipv4.tcp_fastopen=0x%lx",
			 (ctx->sysctl >= 0 ? (unsigned long)ctx->sysctl : 0x1) |
			 TFO_FIX_SYSCTL);
		sysctl_step(step, sizeof(step), f, ctx, setting);
		add_advice(f, "on this kernel: %s gives every listener of that "
			   "namespace TFO without the setsockopt, and %s's Control "
			   "then has to ignore the TCP_FASTOPEN error instead of "
			   "returning it, to keep MPTCP", step, v->comm);
	} else {
		add_advice(f, "for MPTCP and %s both: a kernel whose MPTCP supports "
			   "it (mptcp_supported_sockopt() in net/mptcp/sockopt.c)",
			   opt ? opt : "the option");
	}
}

static void explain_sock(struct tfo_finding *f, const struct tfo_advice_ctx *ctx)
{
	const struct tfo_sock_view *v = f->sock;
	unsigned long cur = ctx->sysctl >= 0 ? (unsigned long)ctx->sysctl : 0x1;
	char setting[64], step[TFO_ADVICE_LEN];

	switch (f->kind) {
	case TFO_FINDING_MPTCP_TFO_REJECTED:
		explain_tfo_rejected(f, ctx);
		break;
	case TFO_FINDING_MPTCP_OPTION_REJECTED:
		explain_option_rejected(f, ctx);
		break;
	case TFO_FINDING_MPTCP_FELL_BACK:
		explain_fell_back(f, ctx);
		break;
	case TFO_FINDING_TFO_SERVER_DISABLED:
		f->why = "TFO is asked for on this listener but net.ipv4.tcp_fastopen "
			 "lacks the server bit (0x2): the kernel answers no cookie "
			 "request and accepts no SYN data.";
		snprintf(setting, sizeof(setting), "net.ipv4.tcp_fastopen=0x%lx",
			 cur | TFO_SERVER_ENABLE);
		sysctl_step(step, sizeof(step), f, ctx, setting);
		add_advice(f, "%s (adds the server bit)", step);
		break;
	case TFO_FINDING_TFO_QUEUE_OVERFLOW:
		f->why = "the listener's TFO queue was full: SYN data was refused and "
			 "those clients fell back to a normal handshake "
			 "(TcpExtTCPFastOpenListenOverflow).";
		add_advice(f, "raise the queue length the application passes to "
			   "TCP_FASTOPEN (now %u), or accept faster", v->qlen_max);
		break;
	case TFO_FINDING_TFO_COOKIE_INVALID:
		f->why = "clients presented cookies this server did not accept (its "
			 "key changed, or the client's address did): their SYN data "
			 "waited for the handshake (TcpExtTCPFastOpenPassiveFail).";
		add_advice(f, "transient after a key change: clients get a fresh "
			   "cookie in the SYN-ACK; if it persists, give the servers "
			   "behind one address the same net.ipv4.tcp_fastopen_key");
		break;
	case TFO_FINDING_TFO_CLIENT_BLACKHOLE:
		f->why = "the kernel turned client TFO off after detecting a "
			 "blackhole: SYNs with data or cookies were lost on the path.";
		add_advice(f, "find the middlebox dropping SYNs with data; "
			   "net.ipv4.tcp_fastopen_blackhole_timeout_sec=0 turns the "
			   "detection off");
		break;
	case TFO_FINDING_MPTCP_LEGACY_API:
		f->err = ENOPROTOOPT;
		if (v->protocol == PROTO_MPTCP) {
			f->why = "setsockopt(SOL_TCP, 42 /* MPTCP_ENABLED */) is the API "
				 "of the out-of-tree multipath-tcp.org kernels; mainline "
				 "Linux never had it (ENOPROTOOPT, and from 6.7 on 42 is "
				 "TCP_AO_REPAIR). This socket is MPTCP already (made with "
				 "IPPROTO_MPTCP): the call is left over and does nothing.";
			add_advice(f, "nothing to fix for MPTCP: drop the leftover "
				   "setsockopt(SOL_TCP, 42) from %s's code or "
				   "configuration", v->comm);
		} else {
			f->why = "setsockopt(SOL_TCP, 42 /* MPTCP_ENABLED */) is the API "
				 "of the out-of-tree multipath-tcp.org kernels; mainline "
				 "Linux never had it (ENOPROTOOPT, and from 6.7 on 42 is "
				 "TCP_AO_REPAIR): the socket stays plain TCP.";
			add_advice(f, "for MPTCP on this kernel the program must create "
				   "its socket with IPPROTO_MPTCP (262), or be started "
				   "under mptcpize (Debian's mptcpize package)");
		}
		break;
	case TFO_FINDING_TFO_OK:
		f->err = v->tfo_sockopt < 0 ? -v->tfo_sockopt : 0;
		f->why = v->tfo_sockopt < 0 ?
			 "TFO works on this listener although setsockopt("
			 "TCP_FASTOPEN) failed: net.ipv4.tcp_fastopen's 0x400 flag "
			 "enables it on every listener." :
			 "TFO works on this listener.";
		break;
	default:
		break;
	}
}

/* ---- remote servers, as this host's TFO clients saw them ---- */

static void explain_remote(struct tfo_finding *f)
{
	const struct tfo_remote_view *r = f->remote;

	switch (f->kind) {
	case TFO_FINDING_TFO_REMOTE_NO_COOKIE:
		f->why = "this host's TFO clients asked this server for a cookie "
			 "(or sent it data in the SYN) and never got one: its TCP "
			 "Fast Open is off. Usually the server's net.ipv4.tcp_fastopen "
			 "lacks the server bit 0x2; or it asked for TFO on an MPTCP "
			 "listener of a kernel before 6.2 (a Go >= 1.24 server such as "
			 "Xray on Debian 12's 6.1 does); or a middlebox on the path "
			 "strips the TFO option. The clients fall back to a full "
			 "handshake: one round trip more per connection.";
		add_advice(f, "on the server: `tfotrace doctor` tells which (and "
			   "`tfotrace --scan` names the listener of port %u and its "
			   "program)", r->port);
		add_advice(f, "on the server: `nstat -az TcpExtTCPFastOpenCookieReqd "
			   "TcpExtTCPFastOpenPassive`: cookie requests that rise while "
			   "Passive stays are a listener without TFO; if neither rises "
			   "while these clients connect, the option does not arrive (a "
			   "middlebox)");
		break;
	case TFO_FINDING_TFO_REMOTE_OK:
		f->why = r->cookie_requests_unanswered || r->syn_data_refused ?
			 "this server answers TFO, not always: some cookie requests "
			 "or SYN data went unanswered (servers behind one address "
			 "that differ, or a key change)." :
			 "this server answers TFO: it sends cookies and accepts "
			 "data in the SYN.";
		break;
	default:
		break;
	}
}

void tfo_advise(struct tfo_finding *f, const struct tfo_advice_ctx *ctx)
{
	if (f->remote)
		explain_remote(f);
	else if (f->sock)
		explain_sock(f, ctx);
}

void tfo_advise_kernel_rejects(struct tfo_finding *f)
{
	add_advice(f, "sysctl -w net.ipv4.tcp_fastopen=0x403: TFO on every "
		   "listener of the namespace, MPTCP kept (only for idempotent "
		   "protocols: SYN data can be replayed)");
	add_advice(f, "for a Go >= 1.24 program (it listens with MPTCP by "
		   "default): GODEBUG=multipathtcp=0 in its environment makes its "
		   "listeners plain TCP; another program: its own MPTCP setting "
		   "(mptcpize disable, or its configuration)");
	advise_kernel(f);
}

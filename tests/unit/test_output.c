// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Formatting of every record type, as text and as JSON Lines, compared
 * whole against the expected line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "output.h"
#include "records.h"

struct capture {
	struct tfo_output_state state;
	struct tfo_output out;
};

static int setup(void **state)
{
	struct capture *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	tfo_output_init(&c->out, &c->state, TFO_SINK_MEMORY);
	c->out.format = TFO_FMT_JSON;
	c->out.view = TFO_VIEW_ALL;
	/* Realtime 2026-11-24 21:40:00 UTC was monotonic 1 s. */
	c->out.realtime_offset_ns = 1795556400000000000LL - 1000000000LL;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct capture *c = *state;

	tfo_sink_free(&c->state.sink);
	free(c);
	return 0;
}

/* Everything printed since setup. */
static const char *captured(struct capture *c)
{
	const char *text = tfo_sink_text(&c->state.sink);

	assert_non_null(text);
	return text;
}

/* xray's main thread's record at a fixed time */
static void hdr(struct tfo_rec_hdr *h, uint32_t type)
{
	rec_hdr(h, type, 4242, "xray");
	h->ts_ns = 1000000000ULL + 123456789ULL;
	h->tid = 4243;
}

static void mptcp_sock(struct tfo_sock_id *s)
{
	s->ino = 9925;
	s->netns = 4026531840u;
	s->family = 10;		/* AF_INET6 */
	s->type = 1;		/* SOCK_STREAM */
	s->protocol = 262;
	s->state = 7;		/* TCP_CLOSE */
	s->lport = 0;
}

static union tfo_record fastopen_on_mptcp(void)
{
	union tfo_record r;
	int32_t qlen = 256;

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, TFO_REC_SETSOCKOPT);
	mptcp_sock(&r.setsockopt.sock);
	r.setsockopt.fd = 3;
	r.setsockopt.level = 6;
	r.setsockopt.optname = 23;
	r.setsockopt.optlen = 4;
	r.setsockopt.ret = -92;
	r.setsockopt.err_layer = TFO_LAYER_MPTCP;
	r.setsockopt.optval_len = 4;
	memcpy(r.setsockopt.optval, &qlen, sizeof(qlen));
	return r;
}

static void test_json_setsockopt_mptcp_rejected(void **state)
{
	struct capture *c = *state;
	union tfo_record r = fastopen_on_mptcp();

	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_string_equal(captured(c),
		"{\"type\":\"setsockopt\",\"time_ns\":1795556400123456789,"
		"\"pid\":4242,\"tid\":4243,\"ns_pid\":4242,\"comm\":\"xray\",\"fd\":3,"
		"\"sock_ino\":9925,\"netns\":4026531840,\"family\":\"AF_INET6\","
		"\"family_num\":10,\"sock_type\":\"STREAM\",\"proto\":\"MPTCP\","
		"\"proto_num\":262,\"state\":\"CLOSE\",\"port\":0,"
		"\"level\":\"SOL_TCP\",\"level_num\":6,\"optname\":\"TCP_FASTOPEN\","
		"\"optname_num\":23,\"optval\":256,\"optval_hex\":null,\"optlen\":4,"
		"\"ret\":-92,\"errno\":\"ENOPROTOOPT\",\"err_layer\":\"mptcp_setsockopt\"}\n");
}

static void test_json_setsockopt_string_and_unknown(void **state)
{
	struct capture *c = *state;
	union tfo_record r = fastopen_on_mptcp();

	/* TCP_CONGESTION "cubic": not an integer, shown as bytes */
	r.setsockopt.optname = 13;
	r.setsockopt.optlen = 5;
	r.setsockopt.optval_len = 5;
	memcpy(r.setsockopt.optval, "cubic", 5);
	r.setsockopt.ret = 0;
	r.setsockopt.err_layer = 0;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c),
		"\"optname\":\"TCP_CONGESTION\",\"optname_num\":13,\"optval\":null,"
		"\"optval_hex\":\"6375626963\",\"optlen\":5,\"ret\":0,"
		"\"errno\":null,\"err_layer\":null}\n"));

	/* an option number nobody knows, on a level nobody knows */
	r.setsockopt.level = 9999;
	r.setsockopt.optname = 7777;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c),
		"\"level\":null,\"level_num\":9999,\"optname\":null,"
		"\"optname_num\":7777,"));
}

static void test_json_socket_and_listen(void **state)
{
	struct capture *c = *state;
	union tfo_record r;

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, TFO_REC_SOCKET);
	mptcp_sock(&r.socket.sock);
	r.socket.family = 10;
	r.socket.type = 1 | 02000000;	/* SOCK_CLOEXEC */
	r.socket.protocol = 262;
	r.socket.ret = 3;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c),
		"{\"type\":\"socket\",\"time_ns\":1795556400123456789,\"pid\":4242,"
		"\"tid\":4243,\"ns_pid\":4242,\"comm\":\"xray\",\"family\":\"AF_INET6\","
		"\"family_num\":10,\"sock_type\":\"STREAM\",\"sock_type_num\":524289,"
		"\"proto\":\"MPTCP\",\"proto_num\":262,\"ret\":3,\"errno\":null,"
		"\"fd\":3,\"sock_ino\":9925,\"netns\":4026531840}\n"));

	r.socket.ret = -93;	/* EPROTONOSUPPORT: MPTCP disabled */
	r.socket.sock.ino = 0;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c),
		"\"ret\":-93,\"errno\":\"EPROTONOSUPPORT\",\"fd\":null,\"sock_ino\":0,"));

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, TFO_REC_LISTEN);
	mptcp_sock(&r.listen.sock);
	r.listen.sock.state = 10;
	r.listen.sock.lport = 40123;
	r.listen.fd = 3;
	r.listen.backlog = 4096;
	r.listen.tfo_qlen_max = 0;
	r.listen.sysctl = 1;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c),
		"{\"type\":\"listen\",\"time_ns\":1795556400123456789,\"pid\":4242,"
		"\"tid\":4243,\"ns_pid\":4242,\"comm\":\"xray\",\"fd\":3,\"backlog\":4096,\"ret\":0,"
		"\"errno\":null,\"sock_ino\":9925,\"netns\":4026531840,"
		"\"family\":\"AF_INET6\",\"family_num\":10,\"sock_type\":\"STREAM\","
		"\"proto\":\"MPTCP\",\"proto_num\":262,\"state\":\"LISTEN\","
		"\"port\":40123,\"tfo_qlen_max\":0,\"sysctl_tcp_fastopen\":1}\n"));
}

static void test_json_escapes_comm(void **state)
{
	struct capture *c = *state;
	union tfo_record r = fastopen_on_mptcp();

	memcpy(r.hdr.comm, "a\"b\\c\nd\x01\xff", 10);
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c),
		"\"comm\":\"a\\\"b\\\\c\\u000ad\\u0001\\u00ff\","));
}

static void test_json_start_and_summary(void **state)
{
	struct capture *c = *state;
	struct tfo_summary s = { .mode = "tracepoint", .events = 7,
				 .shown = 5, .lost = 2, .reused_pid = 1,
				 .sockets = 3, .evicted = 4 };

	assert_int_equal(tfo_output_start(&c->out, "tracepoint", "0.1.0"), 0);
	assert_int_equal(tfo_output_summary(&c->out, &s), 0);
	assert_string_equal(captured(c),
		"{\"type\":\"start\",\"mode\":\"tracepoint\",\"version\":\"0.1.0\"}\n"
		"{\"type\":\"summary\",\"mode\":\"tracepoint\",\"events\":7,"
		"\"shown\":5,\"lost\":2,\"invalid\":0,\"reused_pid\":1,"
		"\"record\":\"relevant\",\"not_recorded\":0,\"not_recorded_calls\":"
		"{\"socket\":0,\"listen\":0,\"setsockopt\":0},"
		"\"sockets\":3,\"evicted\":4,\"remotes\":0,\"remotes_evicted\":0,\"wire_not_recorded\":null}\n");
}

static void test_text_lines(void **state)
{
	struct capture *c = *state;
	union tfo_record r = fastopen_on_mptcp();

	c->out.format = TFO_FMT_TEXT;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_string_equal(captured(c),
		"21:40:00.123456 4242    4243    xray             setsockopt"
		" fd=3 ino=9925 netns=4026531840 MPTCP/AF_INET6 :0 CLOSE SOL_TCP TCP_FASTOPEN=256"
		" len=4 = -92 ENOPROTOOPT (from mptcp_setsockopt)\n");
}

/* A process in a container: the host's pid, and its own namespace's. */
static void test_container_pid(void **state)
{
	struct capture *c = *state;
	union tfo_record r = fastopen_on_mptcp();

	r.hdr.ns_pid = 7;
	c->out.format = TFO_FMT_TEXT;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c), " 4242/7  4243    xray "));
	c->out.format = TFO_FMT_JSON;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c), "\"pid\":4242,\"tid\":4243,\"ns_pid\":7,"));
	r.hdr.ns_pid = 0;	/* unknown */
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c), "\"tid\":4243,\"ns_pid\":null,"));
}

static void test_text_string_bytes_and_comm(void **state)
{
	struct capture *c = *state;
	union tfo_record r = fastopen_on_mptcp();

	c->out.format = TFO_FMT_TEXT;
	r.setsockopt.optname = 13;	/* TCP_CONGESTION */
	r.setsockopt.optlen = 5;
	r.setsockopt.optval_len = 5;
	memcpy(r.setsockopt.optval, "cubic", 5);
	r.setsockopt.ret = 0;
	memcpy(r.hdr.comm, "ev\nil", 6);
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c), " ev?il "));
	assert_non_null(strstr(captured(c),
		"SOL_TCP TCP_CONGESTION=\"cubic\" len=5 = 0\n"));

	r.setsockopt.optname = 14;	/* TCP_MD5SIG: a struct */
	r.setsockopt.optlen = 216;
	r.setsockopt.optval_len = TFO_OPTVAL_MAX;
	memset(r.setsockopt.optval, 0xee, TFO_OPTVAL_MAX);
	r.setsockopt.ret = -95;
	r.setsockopt.err_layer = 0;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c),
		"TCP_MD5SIG=0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee... len=216"
		" = -95 EOPNOTSUPP\n"));
}

static void test_failed_only_hides_success(void **state)
{
	struct capture *c = *state;
	union tfo_record r = fastopen_on_mptcp();

	c->out.failed_only = true;
	r.setsockopt.ret = 0;
	assert_int_equal(tfo_output_record(&c->out, &r), 0);
	assert_string_equal(captured(c), "");
	r.setsockopt.ret = -92;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c), "\"ret\":-92"));
}

/* ---- the sink ---- */

static void test_sink_decimals(void **state)
{
	struct tfo_sink s;

	(void)state;
	tfo_sink_init(&s, TFO_SINK_MEMORY);
	assert_int_equal(tfo_sink_u64(&s, 0), 1);
	tfo_sink_char(&s, ' ');
	assert_int_equal(tfo_sink_u64(&s, UINT64_MAX), 20);
	tfo_sink_char(&s, ' ');
	assert_int_equal(tfo_sink_i64(&s, INT64_MIN), 20);
	tfo_sink_char(&s, ' ');
	assert_int_equal(tfo_sink_i64(&s, INT64_MAX), 19);
	tfo_sink_char(&s, ' ');
	assert_int_equal(tfo_sink_i64(&s, -1), 2);
	tfo_sink_char(&s, ' ');
	assert_int_equal(tfo_sink_u64(&s, 100), 3);
	tfo_sink_char(&s, ' ');
	assert_int_equal(tfo_sink_u64(&s, 99), 2);
	tfo_sink_char(&s, ' ');
	tfo_sink_u64_zero_padded(&s, 5, 6);
	tfo_sink_char(&s, ' ');
	tfo_sink_u64_zero_padded(&s, 0, 6);
	tfo_sink_char(&s, ' ');
	tfo_sink_u64_zero_padded(&s, 1234567, 6);	/* wider: all of it */
	tfo_sink_char(&s, ' ');
	tfo_sink_hex(&s, "\x00\x7f\xab\xff", 4);
	assert_string_equal(tfo_sink_text(&s),
		"0 18446744073709551615 -9223372036854775808 9223372036854775807"
		" -1 100 99 000005 000000 1234567 007fabff");
	tfo_sink_free(&s);
}

static void test_sink_json_string(void **state)
{
	struct tfo_sink s;

	(void)state;
	tfo_sink_init(&s, TFO_SINK_MEMORY);
	tfo_sink_json_string(&s, "a\"b\\c\nd\x01\x1f \x7e\x7f\x80\xff", 14);
	tfo_sink_char(&s, ' ');
	tfo_sink_json_string(&s, "stops at NUL\0not this", 21);
	tfo_sink_char(&s, ' ');
	tfo_sink_json_string(&s, "max 3 bytes", 3);
	tfo_sink_char(&s, ' ');
	tfo_sink_json_string(&s, "", 5);
	assert_string_equal(tfo_sink_text(&s),
		"\"a\\\"b\\\\c\\u000ad\\u0001\\u001f ~\\u007f\\u0080\\u00ff\""
		" \"stops at NUL\" \"max\" \"\"");
	tfo_sink_free(&s);
}

/* A memory sink grows past its first buffer and keeps every byte. */
static void test_sink_memory_grows(void **state)
{
	struct tfo_sink s;
	const char *text;

	(void)state;
	tfo_sink_init(&s, TFO_SINK_MEMORY);
	for (int i = 0; i < 3 * TFO_SINK_BYTES / 8; i++)
		tfo_sink_str(&s, "0123456");
	tfo_sink_printf(&s, "%s|%d", "end", 42);
	text = tfo_sink_text(&s);
	assert_non_null(text);
	assert_int_equal(strlen(text), 3 * TFO_SINK_BYTES / 8 * 7 + 6);
	assert_memory_equal(text + 7 * 1000, "0123456", 7);
	assert_string_equal(text + 3 * TFO_SINK_BYTES / 8 * 7, "end|42");
	tfo_sink_free(&s);
}

static off_t file_size(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_size;
}

/* Several buffers' worth, in small appends, one larger than the buffer and
 * a printf that does not fit what is left: the buffer writes itself out
 * when full, and the file has every byte in order. */
static void test_sink_flushes_to_a_file(void **state)
{
	enum { SMALL = 20000, BIG = TFO_SINK_BYTES * 2 + 123,
	       ALL = SMALL * 6 + BIG + TFO_SINK_BYTES + 64 };
	struct tfo_sink *s = malloc(sizeof(*s));
	char *big = malloc(BIG), *expect = malloc(ALL), *got = malloc(ALL);
	size_t n = 0;
	FILE *tmp = tmpfile();
	int fd;

	(void)state;
	assert_true(s && big && expect && got);
	assert_non_null(tmp);
	fd = fileno(tmp);
	tfo_sink_init(s, fd);
	for (int i = 0; i < SMALL; i++) {
		tfo_sink_u64_zero_padded(s, (uint64_t)i % 100000, 5);
		tfo_sink_char(s, '\n');
		n += (size_t)sprintf(expect + n, "%05d\n", i % 100000);
	}
	assert_true(file_size(fd) > 0);	/* flushed by itself */
	for (int i = 0; i < BIG; i++)
		big[i] = (char)('a' + i % 26);
	tfo_sink_bytes(s, big, BIG);
	memcpy(expect + n, big, BIG);
	n += BIG;
	tfo_sink_fill(s, '-', TFO_SINK_BYTES - 10);	/* nearly full again */
	memset(expect + n, '-', TFO_SINK_BYTES - 10);
	n += TFO_SINK_BYTES - 10;
	tfo_sink_printf(s, "%s %d\n", "longer than ten bytes", 7);
	n += (size_t)sprintf(expect + n, "%s %d\n", "longer than ten bytes", 7);
	assert_int_equal(tfo_sink_flush(s), 0);
	assert_int_equal(file_size(fd), n);
	assert_int_equal(pread(fd, got, n, 0), n);
	assert_memory_equal(got, expect, n);
	fclose(tmp);
	free(s);
	free(big);
	free(expect);
	free(got);
}

/* EPIPE (the reader is gone) is kept: later appends do nothing, every
 * flush and every printer reports it. */
static void test_sink_write_error_is_sticky(void **state)
{
	struct capture *c = *state;
	union tfo_record r = fastopen_on_mptcp();
	int pipe_fds[2];

	assert_int_equal(pipe(pipe_fds), 0);
	close(pipe_fds[0]);
	tfo_output_init(&c->out, &c->state, pipe_fds[1]);
	assert_int_equal(tfo_output_record(&c->out, &r), 1);	/* buffered */
	assert_int_equal(tfo_output_flush(&c->out), -EPIPE);
	assert_int_equal(c->state.sink.len, 0);
	assert_int_equal(tfo_output_record(&c->out, &r), -EPIPE);
	assert_int_equal(c->state.sink.len, 0);
	close(pipe_fds[1]);
	/* a later, different failure does not replace the first */
	assert_int_equal(tfo_output_flush(&c->out), -EPIPE);
	assert_int_equal(tfo_output_summary(&c->out, &(struct tfo_summary){
		.mode = "fentry" }), -EPIPE);

	/* a descriptor that is not open */
	tfo_output_init(&c->out, &c->state, pipe_fds[1]);
	tfo_sink_str(&c->state.sink, "lost");
	assert_int_equal(tfo_output_flush(&c->out), -EBADF);
	assert_int_equal(tfo_output_start(&c->out, "fentry", "0.1.0"), -EBADF);
	/* the capture's teardown frees a memory sink */
	tfo_output_init(&c->out, &c->state, TFO_SINK_MEMORY);
}

/* ---- views ---- */

static union tfo_record tfo_syn(void)
{
	union tfo_record r;

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, TFO_REC_TFO_SERVER);
	mptcp_sock(&r.tfo_server.sock);
	r.tfo_server.sock.state = 10;
	r.tfo_server.sock.lport = 443;
	r.tfo_server.foc_in = 0;
	r.tfo_server.qlen_max = 0;
	r.tfo_server.sysctl = 0x403;
	return r;
}

static union tfo_record tfo_client_check(void)
{
	union tfo_record r;

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, TFO_REC_TFO_CLIENT);
	mptcp_sock(&r.tfo_client.sock);
	r.tfo_client.probe = TFO_CLIENT_COOKIE_CHECK;
	r.tfo_client.ret = 1;
	r.tfo_client.cookie_len = 8;
	return r;
}

static struct tfo_rec_listener listener_443(void)
{
	struct tfo_rec_listener l;

	memset(&l, 0, sizeof(l));
	hdr(&l.hdr, TFO_REC_LISTENER);
	l.hdr.pid = l.hdr.tid = l.hdr.ns_pid = 0;
	mptcp_sock(&l.sock);
	l.sock.state = 10;
	l.sock.lport = 443;
	l.backlog = 4096;
	return l;
}

static void test_view_default_hides_per_syn_records(void **state)
{
	struct capture *c = *state;
	union tfo_record syn = tfo_syn(), client = tfo_client_check();
	union tfo_record call = fastopen_on_mptcp();
	struct tfo_rec_listener l = listener_443();

	c->out.view = TFO_VIEW_DEFAULT;
	assert_int_equal(tfo_output_record(&c->out, &syn), 0);
	assert_int_equal(tfo_output_record(&c->out, &client), 0);
	assert_string_equal(captured(c), "");
	assert_int_equal(tfo_output_record(&c->out, &call), 1);
	assert_int_equal(tfo_output_listener(&c->out, &l, NULL, 0, NULL, NULL), 0);
	assert_non_null(strstr(captured(c), "{\"type\":\"setsockopt\""));
	assert_non_null(strstr(captured(c), "{\"type\":\"listener\""));
	assert_null(strstr(captured(c), "tfo_server"));
	assert_null(strstr(captured(c), "tfo_client"));
}

static void test_view_all_shows_every_record(void **state)
{
	struct capture *c = *state;
	union tfo_record syn = tfo_syn(), client = tfo_client_check();

	c->out.view = TFO_VIEW_ALL;
	c->out.format = TFO_FMT_TEXT;
	assert_int_equal(tfo_output_record(&c->out, &syn), 1);
	assert_int_equal(tfo_output_record(&c->out, &client), 1);
	assert_string_equal(captured(c),
		"21:40:00.123456 4242    4243    xray             tfo-syn   "
		" ino=9925 netns=4026531840 MPTCP/AF_INET6 :443 LISTEN"
		" cookie-request data=0 -> no TFO (queue 0/0, tcp_fastopen=0x403)\n"
		"21:40:00.123456 4242    4243    xray             tfo-client"
		" ino=9925 netns=4026531840 MPTCP/AF_INET6 :0 CLOSE"
		" cookie-check = 1 cookie_len=8\n");
}

static struct tfo_sock_view mptcp_listener_view(void)
{
	struct tfo_sock_view v;

	memset(&v, 0, sizeof(v));
	v.ino = 9925;
	v.netns = 4026531840u;
	v.pid = 4242;
	v.ns_pid = 4242;
	strcpy(v.comm, "xray");
	v.family = 10;
	v.protocol = 262;
	v.port = 443;
	v.has_addr = true;	/* [::] */
	v.listening = true;
	v.qlen_known = true;
	v.qlen_max = 0;
	v.sysctl = 1;
	v.tfo_sockopt = -92;
	v.tfo_sockopt_value = 256;
	v.n_opts = 3;
	v.n_rejected = 1;
	v.n_failed = 2;
	v.opts[0] = (struct tfo_opt_call){ .level = 6, .optname = 23,
		.value = 256, .has_value = true, .ret = -92,
		.err_layer = TFO_LAYER_MPTCP };
	v.opts[1] = (struct tfo_opt_call){ .level = 6, .optname = 18,
		.value = 30000, .has_value = true, .ret = -92,
		.err_layer = TFO_LAYER_MPTCP };
	v.opts[2] = (struct tfo_opt_call){ .level = 1, .optname = 2,
		.value = 1, .has_value = true };
	v.syns = 37;
	v.cookie_requests = 30;
	v.syns_with_data = 5;
	v.syns_unanswered = 35;
	return v;
}

static void test_view_findings_hides_records_not_findings(void **state)
{
	struct capture *c = *state;
	union tfo_record syn = tfo_syn(), call = fastopen_on_mptcp();
	struct tfo_rec_listener l = listener_443();
	struct tfo_sock_view v = mptcp_listener_view();
	struct tfo_finding f = { .kind = TFO_FINDING_MPTCP_TFO_REJECTED,
				 .sock = &v, .err = 92 };
	struct tfo_summary s = { .mode = "fentry", .policy = TFO_RECORD_ALL };
	struct tfo_mib zero = { 0 };

	c->out.view = TFO_VIEW_FINDINGS;
	assert_int_equal(tfo_output_record(&c->out, &syn), 0);
	assert_int_equal(tfo_output_record(&c->out, &call), 0);
	assert_int_equal(tfo_output_listener(&c->out, &l, NULL, 0, NULL, NULL), 0);
	assert_string_equal(captured(c), "");
	assert_int_equal(tfo_output_start(&c->out, "fentry", "0.1.0"), 0);
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	assert_int_equal(tfo_output_counters(&c->out, 4026531840u, &zero, &zero), 0);
	assert_int_equal(tfo_output_summary(&c->out, &s), 0);
	assert_non_null(strstr(captured(c), "{\"type\":\"start\""));
	assert_non_null(strstr(captured(c), "\n{\"type\":\"finding\""));
	assert_non_null(strstr(captured(c),
		"\n{\"type\":\"counters\",\"netns\":4026531840,\"start\":{},\"delta\":{}}\n"));
	assert_non_null(strstr(captured(c), "\n{\"type\":\"summary\""));
	assert_null(strstr(captured(c), "{\"type\":\"listener\""));
	assert_null(strstr(captured(c), "{\"type\":\"setsockopt\""));
}

/* ---- the summary: calls the kernel only counted ---- */

static void test_summary_not_recorded(void **state)
{
	struct capture *c = *state;
	struct tfo_summary s = { .mode = "fentry", .events = 41, .shown = 41,
				 .policy = TFO_RECORD_RELEVANT,
				 .not_recorded = { 1200000, 4000, 332 },
				 .sockets = 3, .evicted = 0 };

	c->out.format = TFO_FMT_TEXT;
	assert_int_equal(tfo_output_summary(&c->out, &s), 0);
	/* one of each: the word that goes with one */
	s.not_recorded[0] = 0;
	s.not_recorded[1] = 0;
	s.not_recorded[2] = 1;
	s.events = 1;
	s.sockets = 1;
	s.remotes = 1;
	s.invalid = 2;
	assert_int_equal(tfo_output_summary(&c->out, &s), 0);
	s.policy = TFO_RECORD_ALL;
	assert_int_equal(tfo_output_summary(&c->out, &s), 0);
	assert_string_equal(captured(c),
		"# mode fentry: 41 events, 41 shown, 0 lost; 1,204,332 routine"
		" calls not recorded (--all records them); 3 sockets tracked,"
		" 0 evicted\n"
		"# mode fentry: 1 event, 41 shown, 0 lost, 2 invalid; 1 routine"
		" call not recorded (--all records them); 1 socket tracked,"
		" 0 evicted; 1 remote server, 0 evicted\n"
		"# mode fentry: 1 event, 41 shown, 0 lost, 2 invalid;"
		" 1 socket tracked, 0 evicted; 1 remote server, 0 evicted\n");
}

static void test_summary_not_recorded_json(void **state)
{
	struct capture *c = *state;
	struct tfo_summary s = { .mode = "kprobe", .events = 9, .shown = 8,
				 .policy = TFO_RECORD_RELEVANT,
				 .not_recorded = { 1200000, 4000, 332 },
				 .sockets = 1, .evicted = 2 };

	assert_int_equal(tfo_output_summary(&c->out, &s), 0);
	s.policy = TFO_RECORD_ALL;
	assert_int_equal(tfo_output_summary(&c->out, &s), 0);
	assert_string_equal(captured(c),
		"{\"type\":\"summary\",\"mode\":\"kprobe\",\"events\":9,"
		"\"shown\":8,\"lost\":0,\"invalid\":0,\"reused_pid\":0,"
		"\"record\":\"relevant\",\"not_recorded\":1204332,"
		"\"not_recorded_calls\":{\"socket\":1200000,\"listen\":4000,"
		"\"setsockopt\":332},\"sockets\":1,\"evicted\":2,\"remotes\":0,\"remotes_evicted\":0,\"wire_not_recorded\":null}\n"
		"{\"type\":\"summary\",\"mode\":\"kprobe\",\"events\":9,"
		"\"shown\":8,\"lost\":0,\"invalid\":0,\"reused_pid\":0,"
		"\"record\":\"all\",\"not_recorded\":1204332,"
		"\"not_recorded_calls\":{\"socket\":1200000,\"listen\":4000,"
		"\"setsockopt\":332},\"sockets\":1,\"evicted\":2,\"remotes\":0,\"remotes_evicted\":0,\"wire_not_recorded\":null}\n");
}

/* ---- findings: first sighting, update ---- */

static void test_text_finding_first_and_update(void **state)
{
	struct capture *c = *state;
	struct tfo_sock_view v = mptcp_listener_view();
	struct tfo_finding f = { .kind = TFO_FINDING_MPTCP_TFO_REJECTED,
				 .probes = true, .sock = &v, .err = 92 };

	c->out.format = TFO_FMT_TEXT;
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	f.update = true;
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	v.overflows = 2;
	v.blackholes = 1;
	v.cookie_invalid = 3;
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	/* without the per-SYN probes: the queue limit, or nothing */
	f.probes = false;
	v.n_opts = 0;
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	v.qlen_known = false;
	v.pid = 0;
	v.has_addr = false;
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	assert_string_equal(captured(c),
		"*** finding mptcp-tfo-rejected: pid 4242 (xray), MPTCP listener"
		" [::]:443, ino 9925: ENOPROTOOPT\n"
		"*** finding mptcp-tfo-rejected (update): pid 4242 (xray), MPTCP"
		" listener [::]:443, ino 9925: 37 SYNs, 30 asked for a cookie,"
		" 5 carried data, 35 got no TFO; 0 cookies sent, 0 TFO accepted;"
		" 3 options set, 2 refused\n"
		"*** finding mptcp-tfo-rejected (update): pid 4242 (xray), MPTCP"
		" listener [::]:443, ino 9925: 37 SYNs, 30 asked for a cookie,"
		" 5 carried data, 35 got no TFO; 0 cookies sent, 0 TFO accepted,"
		" 3 invalid cookies, 2 queue overflows, 1 blackhole disable;"
		" 3 options set, 2 refused\n"
		"*** finding mptcp-tfo-rejected (update): pid 4242 (xray), MPTCP"
		" listener [::]:443, ino 9925: queue limit 0\n"
		"*** finding mptcp-tfo-rejected (update): owner unknown, MPTCP"
		" listener port 443, ino 9925\n");
}

/* The owner's program: its Go version, systemd service or container, and
 * where the MPTCP came from, in text and JSON; a program that is not Go,
 * or not known, shows as none. */
static void test_finding_program(void **state)
{
	struct capture *c = *state;
	struct tfo_sock_view v = mptcp_listener_view();
	struct tfo_program p = { .pid = 4242 };
	struct tfo_finding f = { .kind = TFO_FINDING_MPTCP_TFO_REJECTED,
				 .sock = &v, .err = 92, .program = &p,
				 .origin = { TFO_MPTCP_SOURCE_ENVIRONMENT,
					     "GODEBUG=multipathtcp=2" } };

	p.go.is_go = true;
	strcpy(p.go.version, "go1.24.1");
	strcpy(p.unit, "xray.service");
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	assert_non_null(strstr(captured(c), "\"comm\":\"xray\",\"go_version\":\"go1.24.1\","
			       "\"unit\":\"xray.service\",\"container\":null,"
			       "\"mptcp_source\":\"environment\","
			       "\"mptcp_setting\":\"GODEBUG=multipathtcp=2\",\"sock_ino\""));
	c->out.format = TFO_FMT_TEXT;
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	assert_non_null(strstr(captured(c), "*** finding mptcp-tfo-rejected: pid 4242 "
			       "(xray, go1.24.1), MPTCP listener"));
	f.final = true;
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	assert_non_null(strstr(captured(c), "\n   MPTCP from: environment (GODEBUG=multipathtcp=2)\n"
			       "   runs as: systemd service xray.service\n"));
	f.final = false;
	/* a C program: known, not Go */
	p.go.is_go = false;
	p.go.version[0] = '\0';
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	assert_non_null(strstr(captured(c), "pid 4242 (xray), MPTCP listener [::]:443, ino 9925: ENOPROTOOPT\n"));
}

static void test_json_finding_update(void **state)
{
	struct capture *c = *state;
	struct tfo_sock_view v = mptcp_listener_view();
	struct tfo_finding f = { .kind = TFO_FINDING_MPTCP_TFO_REJECTED,
				 .probes = true, .sock = &v, .err = 92,
				 .update = true, .why = "MPTCP said no" };
	const char *expect =
		"{\"type\":\"finding\",\"kind\":\"mptcp-tfo-rejected\","
		"\"final\":false,\"update\":%s,\"pid\":4242,\"ns_pid\":4242,"
		"\"comm\":\"xray\",\"go_version\":null,\"unit\":null,"
		"\"container\":null,\"mptcp_source\":null,\"mptcp_setting\":null,"
		"\"sock_ino\":9925,\"netns\":4026531840,"
		"\"proto\":\"MPTCP\",\"family\":\"AF_INET6\",\"port\":443,"
		"\"addr\":\"[::]\",\"errno\":\"ENOPROTOOPT\",\"tfo_qlen_max\":0,"
		"\"syns\":37,\"cookie_requests\":30,\"syns_with_data\":5,"
		"\"syns_unanswered\":35,\"cookies_sent\":0,\"tfo_accepted\":0,"
		"\"cookie_invalid\":0,\"overflows\":0,\"blackholes\":0,"
		"\"options\":[{\"level_num\":6,\"level\":\"SOL_TCP\","
		"\"optname_num\":23,\"optname\":\"TCP_FASTOPEN\",\"optval\":256,"
		"\"ret\":-92,\"errno\":\"ENOPROTOOPT\",\"err_layer\":\"mptcp_setsockopt\"},"
		"{\"level_num\":6,\"level\":\"SOL_TCP\",\"optname_num\":18,"
		"\"optname\":\"TCP_USER_TIMEOUT\",\"optval\":30000,\"ret\":-92,"
		"\"errno\":\"ENOPROTOOPT\",\"err_layer\":\"mptcp_setsockopt\"},"
		"{\"level_num\":1,\"level\":\"SOL_SOCKET\",\"optname_num\":2,"
		"\"optname\":\"SO_REUSEADDR\",\"optval\":1,\"ret\":0,\"errno\":null,"
		"\"err_layer\":null}],\"wire\":null,\"lost\":0,\"why\":\"MPTCP said no\","
		"\"advice\":[]}\n";
	char line[2048];
	size_t first_len;

	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	first_len = (size_t)snprintf(line, sizeof(line), expect, "true");
	assert_string_equal(captured(c), line);
	f.update = false;
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	snprintf(line, sizeof(line), expect, "false");
	assert_string_equal(captured(c) + first_len, line);
}

/* ---- the handshake observer ---- */

/* --all text: a handshake is one line, with its SYN-ACK; its SYN alone
 * prints nothing (JSON has both). */
static void test_text_handshake_line(void **state)
{
	struct capture *c = *state;
	union tfo_record syn, synack;

	c->out.format = TFO_FMT_TEXT;
	syn = rec_wire(4242, "xray", 9925, P_MPTCP, TFO_WIRE_SYN_IN, 443, 50000,
		       (struct wire){ .tfo = TFO_WIRE_TFO_REQUEST });
	synack = rec_wire(4242, "xray", 9925, P_MPTCP, TFO_WIRE_SYNACK_OUT, 443,
			  50000, (struct wire){ .syn_seen = 1,
						.syn_tfo = TFO_WIRE_TFO_REQUEST });
	hdr(&syn.hdr, TFO_REC_WIRE);
	hdr(&synack.hdr, TFO_REC_WIRE);
	c->state.header_pending = false;
	assert_int_equal(tfo_output_record(&c->out, &syn), 0);
	assert_int_equal(tfo_output_record(&c->out, &synack), 1);
	synack.wire.syn_tfo = TFO_WIRE_TFO_COOKIE;
	synack.wire.syn_cookie_len = 8;
	synack.wire.syn_payload = 517;
	synack.wire.data_acked = 1;
	synack.wire.syn_mp_capable = 2;
	synack.wire.mp_capable = 2;
	synack.wire.syns = 2;
	assert_int_equal(tfo_output_record(&c->out, &synack), 1);
	assert_string_equal(captured(c),
		"21:40:00.123456 4242    4243    xray             handshake  ino=9925"
		" netns=4026531840 MPTCP/AF_INET :443 LISTEN client 127.0.0.1:50000"
		" SYN [cookie-request] SYN-ACK [no-tfo]\n"
		"21:40:00.123456 4242    4243    xray             handshake  ino=9925"
		" netns=4026531840 MPTCP/AF_INET :443 LISTEN client 127.0.0.1:50000"
		" SYN [cookie(8), 517 bytes, mp_capable v1] SYN-ACK [no-tfo,"
		" mp_capable v1] data acked SYN sent 2 times\n");
}

/* The report's wire line, and a disagreement with the probes said. */
static void test_text_on_the_wire(void **state)
{
	struct capture *c = *state;
	struct tfo_sock_view v = mptcp_listener_view();
	struct tfo_finding f = { .kind = TFO_FINDING_MPTCP_TFO_REJECTED,
				 .final = true, .probes = false, .wire = true,
				 .sock = &v, .err = 92, .why = "MPTCP said no" };

	c->out.format = TFO_FMT_TEXT;
	v.n_opts = 0;
	v.qlen_known = true;
	v.qlen_max = 0;
	v.syns = v.cookie_requests = v.syns_unanswered = 5;
	v.syns_with_data = v.cookies_sent = v.tfo_accepted = 0;
	v.cookie_invalid = v.overflows = v.blackholes = 0;
	v.wire = (struct tfo_wire_counts){ .syns = 5, .cookie_requests = 5,
					   .synacks = 5 };
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	/* with probes: the wire saw one cookie request fewer */
	f.probes = true;
	v.wire.cookie_requests = 4;
	v.wire.syns_mp_capable = 2;
	v.wire.synacks_mp_capable = 2;
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	assert_non_null(strstr(captured(c),
		"   TFO: queue limit 0; 5 SYNs, 5 asked for a cookie, 0 carried data,"
		" 5 got no TFO; 0 cookies sent, 0 TFO accepted\n"
		"   on the wire: 5 SYNs, 5 asked for a cookie, 0 carried data;"
		" 5 SYN-ACKs, 0 carried a cookie; MPTCP negotiated on 0 of 5"
		" (plain TCP clients)\n"
		"   why: MPTCP said no\n"));
	assert_non_null(strstr(captured(c),
		"   on the wire: 5 SYNs, 4 asked for a cookie, 0 carried data;"
		" 5 SYN-ACKs, 0 carried a cookie; MPTCP negotiated on 2 of 5"
		" (2 of 5 SYNs offered it)\n"
		"   note: the kernel's functions and the wire disagree: cookie"
		" requests 5 vs 4 (handshakes under way at the start or the end,"
		" or packets the observer did not see)\n"));
}

/* ---- the client side: a SYN-ACK, a remote server's findings ---- */

static union tfo_record synack_unanswered(void)
{
	union tfo_record r;

	memset(&r, 0, sizeof(r));
	hdr(&r.hdr, TFO_REC_TFO_SYNACK);
	strcpy(r.hdr.comm, "curl");
	r.tfo_synack.sock.ino = 7711;
	r.tfo_synack.sock.netns = 4026532301u;
	r.tfo_synack.sock.family = 2;
	r.tfo_synack.sock.type = 1;
	r.tfo_synack.sock.protocol = 6;
	r.tfo_synack.sock.state = 2;	/* TCP_SYN_SENT */
	r.tfo_synack.sock.lport = 41000;
	r.tfo_synack.family = 2;
	r.tfo_synack.raddr[0] = 10;
	r.tfo_synack.raddr[3] = 7;
	r.tfo_synack.rport = 443;
	r.tfo_synack.cookie_requested = 1;
	r.tfo_synack.cookie_len = -1;
	return r;
}

static void test_synack_record(void **state)
{
	struct capture *c = *state;
	union tfo_record r = synack_unanswered();

	c->out.view = TFO_VIEW_DEFAULT;
	assert_int_equal(tfo_output_record(&c->out, &r), 0);
	assert_string_equal(captured(c), "");
	c->out.view = TFO_VIEW_ALL;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_string_equal(captured(c),
		"{\"type\":\"tfo_synack\",\"time_ns\":1795556400123456789,"
		"\"pid\":4242,\"tid\":4243,\"ns_pid\":4242,\"comm\":\"curl\","
		"\"sock_ino\":7711,\"netns\":4026532301,\"family\":\"AF_INET\","
		"\"family_num\":2,\"sock_type\":\"STREAM\",\"proto\":\"TCP\","
		"\"proto_num\":6,\"state\":\"SYN_SENT\",\"port\":41000,"
		"\"remote_addr\":\"10.0.0.7\",\"remote_port\":443,"
		"\"cookie_requested\":true,\"cookie_len\":-1,\"syn_data\":false,"
		"\"data_acked\":false,\"syn_retransmitted\":false}\n");
	c->out.format = TFO_FMT_TEXT;
	r.tfo_synack.cookie_requested = 0;
	r.tfo_synack.syn_data = 1;
	r.tfo_synack.data_acked = 1;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	r.tfo_synack.data_acked = 0;
	r.tfo_synack.syn_retransmitted = 1;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c),
		"\n21:40:00.123456 4242    4243    curl             tfo-synack"
		" ino=7711 netns=4026532301 TCP/AF_INET :41000 SYN_SENT"
		" server 10.0.0.7:443 data -> no cookie, data acked\n"
		"21:40:00.123456 4242    4243    curl             tfo-synack"
		" ino=7711 netns=4026532301 TCP/AF_INET :41000 SYN_SENT"
		" server 10.0.0.7:443 data -> no cookie, data not acked, SYN retransmitted\n"));
}

static struct tfo_remote_view remote_unanswered(void)
{
	struct tfo_remote_view r;

	memset(&r, 0, sizeof(r));
	r.netns = 4026532301u;
	r.family = 10;
	r.addr[0] = 0x20;
	r.addr[1] = 0x01;
	r.addr[2] = 0x0d;
	r.addr[3] = 0xb8;
	r.addr[15] = 7;
	r.port = 443;
	r.connections = 12;
	r.cookie_requests = 12;
	r.cookie_requests_unanswered = 12;
	r.n_clients = 2;
	r.clients[0] = (struct tfo_owner){ .pid = 700, .ns_pid = 7 };
	strcpy(r.clients[0].comm, "curl");
	r.clients[1] = (struct tfo_owner){ .pid = 701, .ns_pid = 8 };
	strcpy(r.clients[1].comm, "xray");
	r.more_clients = true;
	return r;
}

static void test_remote_finding_text(void **state)
{
	struct capture *c = *state;
	struct tfo_remote_view r = remote_unanswered();
	struct tfo_finding f = { .kind = TFO_FINDING_TFO_REMOTE_NO_COOKIE,
				 .remote = &r, .why = "it never answered",
				 .n_advice = 1, .advice = { "run doctor there" } };

	c->out.format = TFO_FMT_TEXT;
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	f.update = true;
	r.syn_data_sent = 3;
	r.syns_retransmitted = 1;
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	f.update = false;
	f.final = true;
	f.lost = 5;
	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	assert_string_equal(captured(c),
		"*** finding tfo-remote-no-cookie: server [2001:db8::7]:443"
		" (from netns 4026532301): 12 connections; 12 asked for a cookie,"
		" 0 cookies received; 0 SYNs with data, 0 acknowledged\n"
		"*** finding tfo-remote-no-cookie (update): server [2001:db8::7]:443"
		" (from netns 4026532301): 12 connections; 12 asked for a cookie,"
		" 0 cookies received; 3 SYNs with data, 0 acknowledged; 1 SYN retransmitted\n"
		"== tfo-remote-no-cookie: server [2001:db8::7]:443 (from netns 4026532301)\n"
		"   clients: pid 700 (curl), pid 701 (xray), and more\n"
		"   TFO: 12 connections; 12 asked for a cookie, 0 cookies received;"
		" 3 SYNs with data, 0 acknowledged; 1 SYN retransmitted\n"
		"   why: it never answered\n"
		"   note: 5 events were lost: the numbers may be short\n"
		"   next, best first:\n"
		"     1. run doctor there\n");
}

static void test_remote_finding_json(void **state)
{
	struct capture *c = *state;
	struct tfo_remote_view r = remote_unanswered();
	struct tfo_finding f = { .kind = TFO_FINDING_TFO_REMOTE_NO_COOKIE,
				 .final = true, .remote = &r,
				 .why = "it never \"answered\"",
				 .n_advice = 1, .advice = { "run doctor there" } };

	assert_int_equal(tfo_output_finding(&c->out, &f), 0);
	assert_string_equal(captured(c),
		"{\"type\":\"finding\",\"kind\":\"tfo-remote-no-cookie\","
		"\"final\":true,\"update\":false,\"remote_addr\":\"2001:db8::7\","
		"\"remote_port\":443,\"family\":\"AF_INET6\",\"netns\":4026532301,"
		"\"connections\":12,\"cookie_requests\":12,"
		"\"cookie_requests_unanswered\":12,\"cookies_received\":0,"
		"\"syn_data_sent\":0,\"syn_data_acked\":0,\"syns_retransmitted\":0,"
		"\"clients\":[{\"pid\":700,\"ns_pid\":7,\"comm\":\"curl\"},"
		"{\"pid\":701,\"ns_pid\":8,\"comm\":\"xray\"}],\"more_clients\":true,\"wire\":null,"
		"\"lost\":0,\"why\":\"it never \\\"answered\\\"\","
		"\"advice\":[\"run doctor there\"]}\n");
}

/* Tracepoint mode: no remote server is known; said, with the counters
 * that stand in (the clients' two), or without when unreadable. */
static void test_remotes_unobserved(void **state)
{
	struct capture *c = *state;
	struct tfo_mib delta = { .active = 3, .active_fail = 7, .passive = 9,
				 .cookie_reqd = 12, .present = 0xff };

	assert_int_equal(tfo_output_remotes_unobserved(&c->out, "tracepoint",
						       4026532301u, &delta), 0);
	assert_int_equal(tfo_output_remotes_unobserved(&c->out, "tracepoint",
						       4026532301u, NULL), 0);
	assert_string_equal(captured(c),
		"{\"type\":\"remotes\",\"observable\":false,\"mode\":\"tracepoint\","
		"\"netns\":4026532301,\"delta\":{\"TCPFastOpenActive\":3,"
		"\"TCPFastOpenActiveFail\":7}}\n"
		"{\"type\":\"remotes\",\"observable\":false,\"mode\":\"tracepoint\","
		"\"netns\":4026532301,\"delta\":null}\n");
	tfo_sink_free(&c->state.sink);
	tfo_output_init(&c->out, &c->state, TFO_SINK_MEMORY);
	c->out.format = TFO_FMT_TEXT;
	assert_int_equal(tfo_output_remotes_unobserved(&c->out, "tracepoint",
						       4026532301u, &delta), 0);
	assert_string_equal(captured(c),
		"== remote servers: this host's TFO clients (netns 4026532301) over"
		" the run: TCPFastOpenActive +3 (SYN data acknowledged),"
		" TCPFastOpenActiveFail +7 (SYN data not acknowledged, or timeouts"
		" that turned TFO off)\n");
}

/* ---- the wall clock of text lines ---- */

static void test_text_time_across_seconds(void **state)
{
	struct capture *c = *state;
	union tfo_record r = fastopen_on_mptcp();
	/* monotonic ns -> the time the line must show (realtime 21:40:00 was
	 * monotonic 1 s); CPUs deliver slightly out of order */
	static const struct {
		uint64_t ts_ns;
		const char *time;
	} lines[] = {
		{ 1999999000ULL, "21:40:00.999999" },
		{ 2000000000ULL, "21:40:01.000000" },
		{ 1999998000ULL, "21:40:00.999998" },	/* back a second */
		{ 2000001000ULL, "21:40:01.000001" },
		{ 3600999999999ULL, "22:39:59.999999" },
		{ 3601000000000ULL, "22:40:00.000000" },
	};
	const char *text;

	c->out.format = TFO_FMT_TEXT;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		r.hdr.ts_ns = lines[i].ts_ns;
		assert_int_equal(tfo_output_record(&c->out, &r), 1);
		/* the cache holds the second of the last line */
		assert_int_equal(c->state.clock_sec,
				 (int64_t)(1795556400 - 1) +
				 (int64_t)(lines[i].ts_ns / 1000000000));
	}
	text = captured(c);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_memory_equal(text, lines[i].time, 15);
		text = strchr(text, '\n');
		assert_non_null(text);
		text++;
	}
	assert_string_equal(text, "");
}

static void test_comment_text_only(void **state)
{
	struct capture *c = *state;

	assert_int_equal(tfo_output_comment(&c->out, "report"), 0);
	assert_string_equal(captured(c), "");
	c->out.format = TFO_FMT_TEXT;
	assert_int_equal(tfo_output_comment(&c->out, "report"), 0);
	assert_string_equal(captured(c), "# report\n");
}

static void test_optval_decode(void **state)
{
	union tfo_record r = fastopen_on_mptcp();
	struct tfo_optval v;

	(void)state;
	v = tfo_optval_decode(&r.setsockopt);
	assert_true(v.is_int);
	assert_int_equal(v.value, 256);
	/* IP_TTL with a one-byte optlen: the kernel reads a byte */
	r.setsockopt.level = 0;
	r.setsockopt.optname = 2;
	r.setsockopt.optlen = 1;
	r.setsockopt.optval_len = 1;
	r.setsockopt.optval[0] = 64;
	v = tfo_optval_decode(&r.setsockopt);
	assert_true(v.is_int);
	assert_int_equal(v.value, 64);
	/* nothing captured: no value claimed */
	r.setsockopt.optval_len = 0;
	v = tfo_optval_decode(&r.setsockopt);
	assert_false(v.is_int);
	/* negative values stay negative */
	r.setsockopt.level = 6;
	r.setsockopt.optname = 1;
	r.setsockopt.optlen = 4;
	r.setsockopt.optval_len = 4;
	memcpy(r.setsockopt.optval, &(int32_t){ -5 }, 4);
	v = tfo_optval_decode(&r.setsockopt);
	assert_true(v.is_int);
	assert_int_equal(v.value, -5);
}

/* Every type records.c marks printed has a printer in both formats, and
 * its JSON object is of the type records.c names; the others print
 * nothing. */
static void test_every_printed_type_prints(void **state)
{
	struct capture *c = *state;

	for (uint32_t t = 1; t < TFO_REC__MAX; t++) {
		const struct tfo_record_kind *k = tfo_record_kind(t);
		bool printed = k->flags & TFO_KIND_PRINTED;
		char want[64];
		union tfo_record r;
		size_t before;

		memset(&r, 0, sizeof(r));
		hdr(&r.hdr, t);
		assert_int_equal(tfo_text_prints(t), printed);
		assert_int_equal(tfo_json_prints(t), printed);
		before = strlen(captured(c));
		assert_int_equal(tfo_output_record(&c->out, &r), printed ? 1 : 0);
		if (!printed) {
			assert_int_equal(strlen(captured(c)), before);
			continue;
		}
		snprintf(want, sizeof(want), "{\"type\":\"%s\"", k->name);
		assert_memory_equal(captured(c) + before, want, strlen(want));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_printed_type_prints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_handshake_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_on_the_wire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_setsockopt_mptcp_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_setsockopt_string_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_socket_and_listen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_escapes_comm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_start_and_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_container_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_string_bytes_and_comm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_only_hides_success, setup, teardown),
		cmocka_unit_test(test_optval_decode),
		cmocka_unit_test(test_sink_decimals),
		cmocka_unit_test(test_sink_json_string),
		cmocka_unit_test(test_sink_memory_grows),
		cmocka_unit_test(test_sink_flushes_to_a_file),
		cmocka_unit_test_setup_teardown(test_sink_write_error_is_sticky, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_default_hides_per_syn_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_all_shows_every_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_findings_hides_records_not_findings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_not_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_not_recorded_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_finding_first_and_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_finding_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finding_program, setup, teardown),
		cmocka_unit_test_setup_teardown(test_synack_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote_finding_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote_finding_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remotes_unobserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_time_across_seconds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_comment_text_only, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);	/* a closed pipe is EPIPE, as in tfotrace */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}

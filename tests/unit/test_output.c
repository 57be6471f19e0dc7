// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Formatting of every record type, as text and as JSON Lines, compared
 * whole against the expected line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "output.h"

struct capture {
	char *buf;
	size_t len;
	struct tfo_output out;
};

static int setup(void **state)
{
	struct capture *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->out.out = open_memstream(&c->buf, &c->len);
	c->out.format = TFO_FMT_JSON;
	/* Realtime 2026-11-24 21:40:00 UTC was monotonic 1 s. */
	c->out.realtime_offset_ns = 1795556400000000000LL - 1000000000LL;
	*state = c;
	return c->out.out ? 0 : -1;
}

static int teardown(void **state)
{
	struct capture *c = *state;

	fclose(c->out.out);
	free(c->buf);
	free(c);
	return 0;
}

static const char *captured(struct capture *c)
{
	fflush(c->out.out);
	return c->buf;
}

static void hdr(struct tfo_rec_hdr *h, uint32_t type, uint32_t size)
{
	memset(h, 0, sizeof(*h));
	h->ts_ns = 1000000000ULL + 123456789ULL;
	h->type = type;
	h->size = size;
	h->pid = 4242;
	h->tid = 4243;
	h->ns_pid = 4242;
	strcpy(h->comm, "xray");
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
	hdr(&r.hdr, TFO_REC_SETSOCKOPT, sizeof(r.setsockopt));
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
	hdr(&r.hdr, TFO_REC_SOCKET, sizeof(r.socket));
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
	hdr(&r.hdr, TFO_REC_LISTEN, sizeof(r.listen));
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
		"\"sockets\":3,\"evicted\":4}\n");
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
	assert_true(c->buf == NULL || captured(c)[0] == '\0');
	r.setsockopt.ret = -92;
	assert_int_equal(tfo_output_record(&c->out, &r), 1);
	assert_non_null(strstr(captured(c), "\"ret\":-92"));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Ring-buffer bytes to records: every type accepted at its size, every
 * malformed input refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "decode.h"

static void fill_hdr(struct tfo_rec_hdr *h, uint32_t type, uint32_t size)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->size = size;
	h->pid = 4242;
	h->tid = 4243;
	strcpy(h->comm, "xray");
}

static void test_sizes_match_abi(void **state)
{
	(void)state;
	assert_int_equal(tfo_record_size(TFO_REC_SOCKET), 88);
	assert_int_equal(tfo_record_size(TFO_REC_LISTEN), 96);
	assert_int_equal(tfo_record_size(TFO_REC_TFO_SERVER), 104);
	assert_int_equal(tfo_record_size(TFO_REC_TFO_CLIENT), 88);
	assert_int_equal(tfo_record_size(TFO_REC_LISTENER), 112);
	assert_int_equal(tfo_record_size(TFO_REC_SETSOCKOPT), 120);
	assert_int_equal(tfo_record_size(TFO_REC_TFO_SYNACK), 104);
	assert_int_equal(tfo_record_size(TFO_REC_OWNER), 64);
	assert_int_equal(tfo_record_size(0), 0);
	assert_int_equal(tfo_record_size(TFO_REC__MAX), 0);
}

/* Every type the ABI defines has a row in records.c: a name of its own,
 * its socket and result inside it, and it decodes. */
static void test_every_type_decodes(void **state)
{
	union tfo_record in, out;

	(void)state;
	for (uint32_t t = 1; t < TFO_REC__MAX; t++) {
		const struct tfo_record_kind *k = tfo_record_kind(t);
		size_t size = tfo_record_size(t);

		assert_non_null(k);
		assert_true(size >= sizeof(struct tfo_rec_hdr) &&
			    size <= sizeof(union tfo_record));
		for (uint32_t u = 1; u < t; u++)
			assert_string_not_equal(k->name, tfo_record_kind(u)->name);
		if (k->sock_off != TFO_KIND_NONE)
			assert_true(k->sock_off + sizeof(struct tfo_sock_id) <= size);
		if (k->ret_off != TFO_KIND_NONE)
			assert_true(k->ret_off + sizeof(int32_t) <= size);
		memset(&in, 0x2b, sizeof(in));	/* ret fields stay plausible */
		fill_hdr(&in.hdr, t, size);
		assert_int_equal(tfo_decode(&in, size, &out), 0);
		assert_int_equal(out.hdr.type, t);
		assert_int_equal(out.hdr.pid, 4242);
		assert_int_equal(out.hdr.tid, 4243);
		assert_string_equal(out.hdr.comm, "xray");
		assert_memory_equal(&out, &in, size);
	}
	assert_null(tfo_record_kind(0));
	assert_null(tfo_record_kind(TFO_REC__MAX));
}

/* A failed call is the syscall records' result alone. */
static void test_failed_is_the_result(void **state)
{
	union tfo_record r;

	(void)state;
	memset(&r, 0, sizeof(r));
	fill_hdr(&r.hdr, TFO_REC_LISTEN, sizeof(r.listen));
	assert_false(tfo_record_failed(&r));
	r.listen.ret = -98;
	assert_true(tfo_record_failed(&r));
	assert_ptr_equal(tfo_record_sock(&r), &r.listen.sock);
	memset(&r, 0, sizeof(r));
	fill_hdr(&r.hdr, TFO_REC_TFO_SERVER, sizeof(r.tfo_server));
	r.tfo_server.foc_in = -1;
	assert_false(tfo_record_failed(&r));
	fill_hdr(&r.hdr, TFO_REC_OWNER, sizeof(r.owner));
	assert_null(tfo_record_sock(&r));
}

static void test_setsockopt_fields_survive(void **state)
{
	struct tfo_rec_setsockopt in;
	union tfo_record out;

	(void)state;
	memset(&in, 0, sizeof(in));
	fill_hdr(&in.hdr, TFO_REC_SETSOCKOPT, sizeof(in));
	in.sock.ino = 9925;
	in.sock.protocol = 262;
	in.level = 6;
	in.optname = 23;
	in.ret = -92;
	in.err_layer = TFO_LAYER_MPTCP;
	assert_int_equal(tfo_decode(&in, sizeof(in), &out), 0);
	assert_int_equal(out.setsockopt.sock.ino, 9925);
	assert_int_equal(out.setsockopt.sock.protocol, 262);
	assert_int_equal(out.setsockopt.optname, 23);
	assert_int_equal(out.setsockopt.ret, -92);
	assert_int_equal(out.setsockopt.err_layer, TFO_LAYER_MPTCP);
}

static void test_rejects_malformed(void **state)
{
	union tfo_record in, out;
	size_t size = sizeof(struct tfo_rec_setsockopt);

	(void)state;
	fill_hdr(&in.hdr, TFO_REC_SETSOCKOPT, size);
	assert_int_equal(tfo_decode(NULL, size, &out), -EINVAL);
	assert_int_equal(tfo_decode(&in, 0, &out), -EINVAL);
	assert_int_equal(tfo_decode(&in, sizeof(in.hdr) - 1, &out), -EINVAL);
	/* shorter than its type */
	in.hdr.size = size - 8;
	assert_int_equal(tfo_decode(&in, size - 8, &out), -EINVAL);
	/* header and delivered length disagree */
	in.hdr.size = size;
	assert_int_equal(tfo_decode(&in, size - 8, &out), -EINVAL);
	/* unknown types */
	in.hdr.type = 0;
	assert_int_equal(tfo_decode(&in, size, &out), -EINVAL);
	in.hdr.type = 0xffffffff;
	assert_int_equal(tfo_decode(&in, size, &out), -EINVAL);
}

/* A return value no syscall gives (fd, 0, or -1..-4095) is a corrupt
 * record; found by the fuzzer as an overflow in -ret. */
static void test_rejects_impossible_ret(void **state)
{
	union tfo_record in, out;

	(void)state;
	memset(&in, 0, sizeof(in));
	fill_hdr(&in.hdr, TFO_REC_SETSOCKOPT, sizeof(in.setsockopt));
	in.setsockopt.ret = -4095;
	assert_int_equal(tfo_decode(&in, sizeof(in.setsockopt), &out), 0);
	in.setsockopt.ret = -4096;
	assert_int_equal(tfo_decode(&in, sizeof(in.setsockopt), &out), -EINVAL);
	in.setsockopt.ret = INT32_MIN;
	assert_int_equal(tfo_decode(&in, sizeof(in.setsockopt), &out), -EINVAL);
	fill_hdr(&in.hdr, TFO_REC_SOCKET, sizeof(in.socket));
	in.socket.ret = INT32_MIN;
	assert_int_equal(tfo_decode(&in, sizeof(in.socket), &out), -EINVAL);
	in.socket.ret = 1000000;	/* a large fd is fine */
	assert_int_equal(tfo_decode(&in, sizeof(in.socket), &out), 0);
}

static void test_comm_always_terminated(void **state)
{
	struct tfo_rec_socket in;
	union tfo_record out;

	(void)state;
	fill_hdr(&in.hdr, TFO_REC_SOCKET, sizeof(in));
	memset(in.hdr.comm, 'A', sizeof(in.hdr.comm));
	assert_int_equal(tfo_decode(&in, sizeof(in), &out), 0);
	assert_int_equal(strlen(out.hdr.comm), TFO_COMM_LEN - 1);
}

static void test_longer_record_accepted(void **state)
{
	unsigned char buf[sizeof(struct tfo_rec_listen) + 16];
	struct tfo_rec_hdr h;
	union tfo_record out;

	(void)state;
	memset(buf, 0, sizeof(buf));
	fill_hdr(&h, TFO_REC_LISTEN, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(tfo_decode(buf, sizeof(buf), &out), 0);
	assert_int_equal(out.hdr.type, TFO_REC_LISTEN);
}

/* An IPv4 address is 4 bytes of the 16: whatever follows them is not part
 * of it (one server must not become two). */
static void test_ipv4_address_is_four_bytes(void **state)
{
	union tfo_record in, out;

	(void)state;
	memset(&in, 0x2b, sizeof(in));
	fill_hdr(&in.hdr, TFO_REC_TFO_SYNACK, sizeof(in.tfo_synack));
	in.tfo_synack.family = 2;	/* AF_INET */
	assert_int_equal(tfo_decode(&in, sizeof(in.tfo_synack), &out), 0);
	assert_memory_equal(out.tfo_synack.raddr, in.tfo_synack.raddr, 4);
	for (int i = 4; i < 16; i++)
		assert_int_equal(out.tfo_synack.raddr[i], 0);
	in.tfo_synack.family = 10;	/* AF_INET6: all 16 */
	assert_int_equal(tfo_decode(&in, sizeof(in.tfo_synack), &out), 0);
	assert_memory_equal(out.tfo_synack.raddr, in.tfo_synack.raddr, 16);
	fill_hdr(&in.hdr, TFO_REC_LISTENER, sizeof(in.listener));
	in.listener.sock.family = 2;
	assert_int_equal(tfo_decode(&in, sizeof(in.listener), &out), 0);
	assert_int_equal(out.listener.addr[15], 0);
	assert_int_equal(out.listener.addr[3], 0x2b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_match_abi),
		cmocka_unit_test(test_every_type_decodes),
		cmocka_unit_test(test_failed_is_the_result),
		cmocka_unit_test(test_setsockopt_fields_survive),
		cmocka_unit_test(test_rejects_malformed),
		cmocka_unit_test(test_rejects_impossible_ret),
		cmocka_unit_test(test_comm_always_terminated),
		cmocka_unit_test(test_longer_record_accepted),
		cmocka_unit_test(test_ipv4_address_is_four_bytes),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}

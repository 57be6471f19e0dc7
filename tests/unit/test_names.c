// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests for user/names.c. Values are spelled out as numbers on
 * purpose: they are the kernel ABI the tables must reproduce. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "tfotrace.h"
#include "names.h"

/* The levels that have an option table. */
static const int opt_levels[] = { 1, 6, 0, 41, 284, 17 };

static void test_levels(void **state)
{
	(void)state;
	assert_string_equal(tfo_level_name(0), "SOL_IP");
	assert_string_equal(tfo_level_name(1), "SOL_SOCKET");
	assert_string_equal(tfo_level_name(6), "SOL_TCP");
	assert_string_equal(tfo_level_name(17), "SOL_UDP");
	assert_string_equal(tfo_level_name(41), "SOL_IPV6");
	assert_string_equal(tfo_level_name(58), "SOL_ICMPV6");
	assert_string_equal(tfo_level_name(136), "SOL_UDPLITE");
	assert_string_equal(tfo_level_name(255), "SOL_RAW");
	assert_string_equal(tfo_level_name(282), "SOL_TLS");
	assert_string_equal(tfo_level_name(284), "SOL_MPTCP");
	assert_null(tfo_level_name(-1));
	assert_null(tfo_level_name(2));
	assert_null(tfo_level_name(100000));
}

static void test_optnames(void **state)
{
	(void)state;
	assert_string_equal(tfo_optname_name(6, 23), "TCP_FASTOPEN");
	assert_string_equal(tfo_optname_name(6, 30), "TCP_FASTOPEN_CONNECT");
	assert_string_equal(tfo_optname_name(6, 33), "TCP_FASTOPEN_KEY");
	assert_string_equal(tfo_optname_name(6, 34), "TCP_FASTOPEN_NO_COOKIE");
	assert_string_equal(tfo_optname_name(6, 18), "TCP_USER_TIMEOUT");
	assert_string_equal(tfo_optname_name(6, 14), "TCP_MD5SIG");
	assert_string_equal(tfo_optname_name(6, 36), "TCP_INQ");
	assert_string_equal(tfo_optname_name(6, 43), "TCP_IS_MPTCP");
	assert_string_equal(tfo_optname_name(6, 46), "TCP_DELACK_MAX_US");
	assert_string_equal(tfo_optname_name(1, 2), "SO_REUSEADDR");
	assert_string_equal(tfo_optname_name(1, 25), "SO_BINDTODEVICE");
	assert_string_equal(tfo_optname_name(1, 29), "SO_TIMESTAMP_OLD");
	assert_string_equal(tfo_optname_name(1, 63), "SO_TIMESTAMP_NEW");
	assert_string_equal(tfo_optname_name(1, 20), "SO_RCVTIMEO_OLD");
	assert_string_equal(tfo_optname_name(1, 66), "SO_RCVTIMEO_NEW");
	assert_string_equal(tfo_optname_name(1, 26), "SO_ATTACH_FILTER");
	assert_string_equal(tfo_optname_name(1, 84), "SO_INQ");
	assert_string_equal(tfo_optname_name(0, 1), "IP_TOS");
	assert_string_equal(tfo_optname_name(0, 42), "MCAST_JOIN_GROUP");
	assert_string_equal(tfo_optname_name(41, 26), "IPV6_V6ONLY");
	assert_string_equal(tfo_optname_name(41, 20), "IPV6_ADD_MEMBERSHIP");
	assert_string_equal(tfo_optname_name(41, 49), "IPV6_RECVPKTINFO");
	assert_string_equal(tfo_optname_name(41, 42), "MCAST_JOIN_GROUP");
	assert_string_equal(tfo_optname_name(284, 1), "MPTCP_INFO");
	assert_string_equal(tfo_optname_name(284, 4), "MPTCP_FULL_INFO");
	assert_string_equal(tfo_optname_name(17, 103), "UDP_SEGMENT");
}

static void test_optnames_per_level(void **state)
{
	(void)state;
	/* one number, one name per level */
	assert_string_equal(tfo_optname_name(1, 1), "SO_DEBUG");
	assert_string_equal(tfo_optname_name(6, 1), "TCP_NODELAY");
	assert_string_equal(tfo_optname_name(0, 1), "IP_TOS");
	assert_string_equal(tfo_optname_name(41, 1), "IPV6_ADDRFORM");
	assert_string_equal(tfo_optname_name(284, 1), "MPTCP_INFO");
	assert_string_equal(tfo_optname_name(17, 1), "UDP_CORK");
	assert_string_equal(tfo_optname_name(1, 23),
			    "SO_SECURITY_ENCRYPTION_TRANSPORT");
	assert_string_equal(tfo_optname_name(0, 23), "IP_CHECKSUM");
	assert_string_equal(tfo_optname_name(41, 23), "IPV6_MTU_DISCOVER");
}

static void test_optnames_unknown(void **state)
{
	(void)state;
	assert_null(tfo_optname_name(6, 15));	/* TCP_COOKIE_TRANSACTIONS, gone */
	assert_null(tfo_optname_name(6, 0));
	assert_null(tfo_optname_name(6, -1));
	assert_null(tfo_optname_name(6, 1000));
	assert_null(tfo_optname_name(1, 54));	/* SCM_TIMESTAMPING_OPT_STATS */
	assert_null(tfo_optname_name(1, 1000));
	assert_null(tfo_optname_name(0, 27));
	assert_null(tfo_optname_name(284, 5));
	assert_null(tfo_optname_name(17, 2));
	assert_null(tfo_optname_name(255, 1));	/* level without a table */
	assert_null(tfo_optname_name(12345, 1));
}

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(tfo_optname_kind(6, 13), TFO_OPTVAL_STRING);	/* TCP_CONGESTION */
	assert_int_equal(tfo_optname_kind(6, 31), TFO_OPTVAL_STRING);	/* TCP_ULP */
	assert_int_equal(tfo_optname_kind(1, 25), TFO_OPTVAL_STRING);	/* SO_BINDTODEVICE */
	assert_int_equal(tfo_optname_kind(1, 13), TFO_OPTVAL_BYTES);	/* SO_LINGER */
	assert_int_equal(tfo_optname_kind(1, 20), TFO_OPTVAL_BYTES);	/* SO_RCVTIMEO_OLD */
	assert_int_equal(tfo_optname_kind(1, 67), TFO_OPTVAL_BYTES);	/* SO_SNDTIMEO_NEW */
	assert_int_equal(tfo_optname_kind(1, 26), TFO_OPTVAL_BYTES);	/* SO_ATTACH_FILTER */
	assert_int_equal(tfo_optname_kind(6, 14), TFO_OPTVAL_BYTES);	/* TCP_MD5SIG */
	assert_int_equal(tfo_optname_kind(6, 32), TFO_OPTVAL_BYTES);	/* TCP_MD5SIG_EXT */
	assert_int_equal(tfo_optname_kind(6, 33), TFO_OPTVAL_BYTES);	/* TCP_FASTOPEN_KEY */
	assert_int_equal(tfo_optname_kind(6, 29), TFO_OPTVAL_BYTES);	/* TCP_REPAIR_WINDOW */
	assert_int_equal(tfo_optname_kind(6, 35), TFO_OPTVAL_BYTES);	/* TCP_ZEROCOPY_RECEIVE */
	assert_int_equal(tfo_optname_kind(0, 4), TFO_OPTVAL_BYTES);	/* IP_OPTIONS */
	assert_int_equal(tfo_optname_kind(0, 35), TFO_OPTVAL_BYTES);	/* IP_ADD_MEMBERSHIP */
	assert_int_equal(tfo_optname_kind(41, 20), TFO_OPTVAL_BYTES);	/* IPV6_ADD_MEMBERSHIP */
	assert_int_equal(tfo_optname_kind(284, 1), TFO_OPTVAL_BYTES);	/* MPTCP_INFO */
	assert_int_equal(tfo_optname_kind(6, 1), TFO_OPTVAL_INT);	/* TCP_NODELAY */
	assert_int_equal(tfo_optname_kind(6, 23), TFO_OPTVAL_INT);	/* TCP_FASTOPEN */
	assert_int_equal(tfo_optname_kind(1, 2), TFO_OPTVAL_INT);	/* SO_REUSEADDR */
	assert_int_equal(tfo_optname_kind(0, 1), TFO_OPTVAL_INT);	/* IP_TOS */
	assert_int_equal(tfo_optname_kind(41, 26), TFO_OPTVAL_INT);	/* IPV6_V6ONLY */
	assert_int_equal(tfo_optname_kind(17, 103), TFO_OPTVAL_INT);	/* UDP_SEGMENT */
	/* a number means different things per level */
	assert_int_equal(tfo_optname_kind(0, 13), TFO_OPTVAL_INT);	/* IP_RECVTOS */
	assert_int_equal(tfo_optname_kind(6, 4), TFO_OPTVAL_INT);	/* TCP_KEEPIDLE */
	/* unknown: INT */
	assert_int_equal(tfo_optname_kind(6, 1000), TFO_OPTVAL_INT);
	assert_int_equal(tfo_optname_kind(12345, 13), TFO_OPTVAL_INT);
}

static void test_protos(void **state)
{
	(void)state;
	assert_string_equal(tfo_proto_name(0), "IP");
	assert_string_equal(tfo_proto_name(1), "ICMP");
	assert_string_equal(tfo_proto_name(6), "TCP");
	assert_string_equal(tfo_proto_name(17), "UDP");
	assert_string_equal(tfo_proto_name(58), "ICMPV6");
	assert_string_equal(tfo_proto_name(115), "L2TP");
	assert_string_equal(tfo_proto_name(132), "SCTP");
	assert_string_equal(tfo_proto_name(136), "UDPLITE");
	assert_string_equal(tfo_proto_name(255), "RAW");
	assert_string_equal(tfo_proto_name(262), "MPTCP");
	assert_null(tfo_proto_name(3));
	assert_null(tfo_proto_name(-1));
	assert_null(tfo_proto_name(263));
}

static void test_families(void **state)
{
	(void)state;
	assert_string_equal(tfo_family_name(0), "AF_UNSPEC");
	assert_string_equal(tfo_family_name(1), "AF_UNIX");
	assert_string_equal(tfo_family_name(2), "AF_INET");
	assert_string_equal(tfo_family_name(10), "AF_INET6");
	assert_string_equal(tfo_family_name(16), "AF_NETLINK");
	assert_string_equal(tfo_family_name(17), "AF_PACKET");
	assert_null(tfo_family_name(-1));
	assert_null(tfo_family_name(1000));
}

static void test_socktypes(void **state)
{
	(void)state;
	assert_string_equal(tfo_socktype_name(1), "STREAM");
	assert_string_equal(tfo_socktype_name(2), "DGRAM");
	assert_string_equal(tfo_socktype_name(3), "RAW");
	assert_string_equal(tfo_socktype_name(4), "RDM");
	assert_string_equal(tfo_socktype_name(5), "SEQPACKET");
	assert_string_equal(tfo_socktype_name(10), "PACKET");
	assert_string_equal(tfo_socktype_name(SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK),
			    "STREAM");
	assert_string_equal(tfo_socktype_name(SOCK_DGRAM | SOCK_NONBLOCK), "DGRAM");
	assert_null(tfo_socktype_name(0));
	assert_null(tfo_socktype_name(7));
	assert_null(tfo_socktype_name(SOCK_CLOEXEC));
}

static void test_errno(void **state)
{
	(void)state;
	assert_string_equal(tfo_errno_name(92), "ENOPROTOOPT");
	assert_string_equal(tfo_errno_name(-92), "ENOPROTOOPT");
	assert_string_equal(tfo_errno_name(EINVAL), "EINVAL");
	assert_string_equal(tfo_errno_name(-EOPNOTSUPP), "EOPNOTSUPP");
	assert_string_equal(tfo_errno_name(-EPERM), "EPERM");
	assert_null(tfo_errno_name(0));
	assert_null(tfo_errno_name(100000));
	assert_null(tfo_errno_name(-100000));
	assert_null(tfo_errno_name(-2147483647 - 1));
}

static void test_tcp_states(void **state)
{
	(void)state;
	assert_string_equal(tfo_tcp_state_name(1), "ESTABLISHED");
	assert_string_equal(tfo_tcp_state_name(2), "SYN_SENT");
	assert_string_equal(tfo_tcp_state_name(7), "CLOSE");
	assert_string_equal(tfo_tcp_state_name(10), "LISTEN");
	assert_string_equal(tfo_tcp_state_name(11), "CLOSING");
	assert_string_equal(tfo_tcp_state_name(12), "NEW_SYN_RECV");
	assert_string_equal(tfo_tcp_state_name(13), "BOUND_INACTIVE");
	assert_null(tfo_tcp_state_name(0));
	assert_null(tfo_tcp_state_name(14));
	assert_null(tfo_tcp_state_name(-1));
}

static void test_layers(void **state)
{
	(void)state;
	assert_string_equal(tfo_layer_name(TFO_LAYER_SOCK), "sock_setsockopt");
	assert_string_equal(tfo_layer_name(TFO_LAYER_TCP), "tcp_setsockopt");
	assert_string_equal(tfo_layer_name(TFO_LAYER_MPTCP), "mptcp_setsockopt");
	assert_string_equal(tfo_layer_name(TFO_LAYER_IP), "ip_setsockopt");
	assert_string_equal(tfo_layer_name(TFO_LAYER_IPV6), "ipv6_setsockopt");
	assert_null(tfo_layer_name(TFO_LAYER_UNKNOWN));
	assert_null(tfo_layer_name(TFO_LAYER__MAX));
	assert_null(tfo_layer_name(-1));
}

static void test_modes(void **state)
{
	(void)state;
	assert_string_equal(tfo_mode_name(TFO_MODE_AUTO), "auto");
	assert_string_equal(tfo_mode_name(TFO_MODE_FENTRY), "fentry");
	assert_string_equal(tfo_mode_name(TFO_MODE_KPROBE), "kprobe");
	assert_string_equal(tfo_mode_name(TFO_MODE_TRACEPOINT), "tracepoint");
	assert_null(tfo_mode_name(TFO_MODE__MAX));
	assert_null(tfo_mode_name(-1));

	for (int m = 0; m < TFO_MODE__MAX; m++)
		assert_int_equal(tfo_mode_parse(tfo_mode_name(m)), m);

	assert_int_equal(tfo_mode_parse("bogus"), -EINVAL);
	assert_int_equal(tfo_mode_parse(""), -EINVAL);
	assert_int_equal(tfo_mode_parse("KPROBE"), -EINVAL);
	assert_int_equal(tfo_mode_parse("kprobe "), -EINVAL);
	assert_int_equal(tfo_mode_parse(NULL), -EINVAL);
}

/* Every option table: no number twice, no NULL or empty name, a lookup
 * of each entry finds that entry, and names carry their level's prefix. */
static void test_table_sanity(void **state)
{
	static const struct {
		int level;
		const char *prefix[2];
	} prefixes[] = {
		{ 1, { "SO_", NULL } },
		{ 6, { "TCP_", NULL } },
		{ 0, { "IP_", "MCAST_" } },
		{ 41, { "IPV6_", "MCAST_" } },
		{ 284, { "MPTCP_", NULL } },
		{ 17, { "UDP_", NULL } },
	};
	(void)state;

	assert_int_equal(sizeof(prefixes) / sizeof(prefixes[0]),
			 sizeof(opt_levels) / sizeof(opt_levels[0]));
	for (size_t l = 0; l < sizeof(prefixes) / sizeof(prefixes[0]); l++) {
		const struct tfo_name *t;
		int level = prefixes[l].level;
		size_t n = tfo_names__options(level, &t);

		assert_int_equal(level, opt_levels[l]);
		assert_non_null(t);
		assert_true(n > 0);
		for (size_t i = 0; i < n; i++) {
			const char *p0 = prefixes[l].prefix[0];
			const char *p1 = prefixes[l].prefix[1];

			assert_non_null(t[i].name);
			assert_true(t[i].name[0] != '\0');
			assert_true(strncmp(t[i].name, p0, strlen(p0)) == 0 ||
				    (p1 && strncmp(t[i].name, p1, strlen(p1)) == 0));
			assert_ptr_equal(tfo_optname_name(level, t[i].value),
					 t[i].name);
			for (size_t j = i + 1; j < n; j++) {
				if (t[i].value == t[j].value)
					fail_msg("level %d: %s and %s share %d",
						 level, t[i].name, t[j].name,
						 t[i].value);
			}
		}
	}

	/* a level without a table clears *out */
	static const struct tfo_name dummy = { 0, "dummy" };
	const struct tfo_name *none = &dummy;

	assert_int_equal(tfo_names__options(255, &none), 0);
	assert_null(none);
}

/* A string or bytes kind must belong to a named option. */
/* JSON writes these names without escaping (output_json.c's json_ident):
 * every one the tables or libc can give must be plain ASCII without '"'
 * or '\\'. */
static void assert_plain(const char *name)
{
	if (!name)
		return;
	for (const char *c = name; *c; c++)
		if (*c < ' ' || *c > '~' || *c == '"' || *c == '\\')
			fail_msg("name \"%s\" is not plain", name);
}

static void test_names_plain(void **state)
{
	(void)state;
	for (int v = -1; v < 512; v++) {
		assert_plain(tfo_level_name(v));
		assert_plain(tfo_proto_name(v));
		assert_plain(tfo_family_name(v));
		assert_plain(tfo_socktype_name(v));
		assert_plain(tfo_tcp_state_name(v));
		assert_plain(tfo_layer_name(v));
		for (int o = -1; o < 256; o++)
			assert_plain(tfo_optname_name(v, o));
	}
	for (int e = -4096; e <= 4096; e++)
		assert_plain(tfo_errno_name(e));
}

static void test_kinds_named(void **state)
{
	(void)state;
	for (size_t l = 0; l < sizeof(opt_levels) / sizeof(opt_levels[0]); l++)
		for (int o = -1; o < 1024; o++)
			if (tfo_optname_kind(opt_levels[l], o) != TFO_OPTVAL_INT)
				assert_non_null(tfo_optname_name(opt_levels[l], o));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_optnames),
		cmocka_unit_test(test_optnames_per_level),
		cmocka_unit_test(test_optnames_unknown),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_protos),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_socktypes),
		cmocka_unit_test(test_errno),
		cmocka_unit_test(test_tcp_states),
		cmocka_unit_test(test_layers),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_table_sanity),
		cmocka_unit_test(test_kinds_named),
		cmocka_unit_test(test_names_plain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests for user/procfs.c: netstat text to TFO counters, sysctl
 * files to integers. Everything runs against fixtures
 * built in a mkdtemp directory, plus one look at this machine's /proc. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procfs.h"

#define ALL_TFO_FIELDS 0xffu

/* This machine's /proc/net/netstat (kernel 6.18), TFO values chosen:
 * Active is past 32 bits, every other counter distinct. */
static const char netstat_fixture[] =
	"TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed "
	"EmbryonicRsts PruneCalled RcvPruned OfoPruned OutOfWindowIcmps "
	"LockDroppedIcmps ArpFilter TW TWRecycled TWKilled PAWSActive "
	"PAWSEstab BeyondWindow TSEcrRejected PAWSOldAck PAWSTimewait "
	"DelayedACKs DelayedACKLocked DelayedACKLost ListenOverflows "
	"ListenDrops TCPHPHits TCPPureAcks TCPHPAcks TCPRenoRecovery "
	"TCPSackRecovery TCPSACKReneging TCPSACKReorder TCPRenoReorder "
	"TCPTSReorder TCPFullUndo TCPPartialUndo TCPDSACKUndo TCPLossUndo "
	"TCPLostRetransmit TCPRenoFailures TCPSackFailures "
	"TCPLossFailures TCPFastRetrans TCPSlowStartRetrans TCPTimeouts "
	"TCPLossProbes TCPLossProbeRecovery TCPRenoRecoveryFail "
	"TCPSackRecoveryFail TCPRcvCollapsed TCPBacklogCoalesce "
	"TCPDSACKOldSent TCPDSACKOfoSent TCPDSACKRecv TCPDSACKOfoRecv "
	"TCPAbortOnData TCPAbortOnClose TCPAbortOnMemory "
	"TCPAbortOnTimeout TCPAbortOnLinger TCPAbortFailed "
	"TCPMemoryPressures TCPMemoryPressuresChrono TCPSACKDiscard "
	"TCPDSACKIgnoredOld TCPDSACKIgnoredNoUndo TCPSpuriousRTOs "
	"TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure TCPSackShifted "
	"TCPSackMerged TCPSackShiftFallback TCPBacklogDrop PFMemallocDrop "
	"TCPMinTTLDrop TCPDeferAcceptDrop IPReversePathFilter "
	"TCPTimeWaitOverflow TCPReqQFullDoCookies TCPReqQFullDrop "
	"TCPRetransFail TCPRcvCoalesce TCPOFOQueue TCPOFODrop TCPOFOMerge "
	"TCPChallengeACK TCPSYNChallenge TCPFastOpenActive "
	"TCPFastOpenActiveFail TCPFastOpenPassive TCPFastOpenPassiveFail "
	"TCPFastOpenListenOverflow TCPFastOpenCookieReqd "
	"TCPFastOpenBlackhole TCPSpuriousRtxHostQueues BusyPollRxPackets "
	"TCPAutoCorking TCPFromZeroWindowAdv TCPToZeroWindowAdv "
	"TCPWantZeroWindowAdv TCPSynRetrans TCPOrigDataSent "
	"TCPHystartTrainDetect TCPHystartTrainCwnd TCPHystartDelayDetect "
	"TCPHystartDelayCwnd TCPACKSkippedSynRecv TCPACKSkippedPAWS "
	"TCPACKSkippedSeq TCPACKSkippedFinWait2 TCPACKSkippedTimeWait "
	"TCPACKSkippedChallenge TCPWinProbe TCPKeepAlive TCPMTUPFail "
	"TCPMTUPSuccess TCPDelivered TCPDeliveredCE TCPAckCompressed "
	"TCPZeroWindowDrop TCPRcvQDrop TCPWqueueTooBig "
	"TCPFastOpenPassiveAltKey TcpTimeoutRehash TcpDuplicateDataRehash "
	"TCPDSACKRecvSegs TCPDSACKIgnoredDubious TCPMigrateReqSuccess "
	"TCPMigrateReqFailure TCPPLBRehash TCPAORequired TCPAOBad "
	"TCPAOKeyNotFound TCPAOGood TCPAODroppedIcmps\n"
	"TcpExt: 0 0 0 0 0 0 0 0 0 0 105 0 0 0 0 0 0 0 0 0 0 0 0 0 66 111 "
	"6 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 2 0 0 0 0 0 129 0 0 0 0 1 0 0 "
	"0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 3894 0 0 0 0 0 "
	"4294967301 2 4 1 3 5 6 2 0 1 343 343 361 0 280 0 0 0 0 0 0 0 0 0 "
	"0 0 0 0 0 386 0 0 0 0 0 7 2 0 0 0 0 0 0 0 0 0 0 0\n"
	"IpExt: InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts "
	"InBcastPkts OutBcastPkts InOctets OutOctets InMcastOctets "
	"OutMcastOctets InBcastOctets OutBcastOctets InCsumErrors "
	"InNoECTPkts InECT1Pkts InECT0Pkts InCEPkts ReasmOverlaps\n"
	"IpExt: 0 0 0 0 0 0 214629994 233513 0 0 0 0 0 5605 0 0 0 0\n"
	"MPTcpExt: MPCapableSYNRX MPCapableSYNTX MPCapableSYNACKRX "
	"MPCapableACKRX MPCapableFallbackACK MPCapableFallbackSYNACK "
	"MPCapableSYNTXDrop MPCapableSYNTXDisabled MPCapableEndpAttempt "
	"MPFallbackTokenInit MPTCPRetrans MPJoinNoTokenFound MPJoinSynRx "
	"MPJoinSynBackupRx MPJoinSynAckRx MPJoinSynAckBackupRx "
	"MPJoinSynAckHMacFailure MPJoinAckRx MPJoinAckHMacFailure "
	"MPJoinRejected MPJoinSynTx MPJoinSynTxCreatSkErr "
	"MPJoinSynTxBindErr MPJoinSynTxConnectErr DSSNotMatching "
	"DSSCorruptionFallback DSSCorruptionReset InfiniteMapTx "
	"InfiniteMapRx DSSNoMatchTCP DataCsumErr OFOQueueTail OFOQueue "
	"OFOMerge NoDSSInWindow DuplicateData AddAddr AddAddrTx "
	"AddAddrTxDrop EchoAdd EchoAddTx EchoAddTxDrop PortAdd "
	"AddAddrDrop MPJoinPortSynRx MPJoinPortSynAckRx MPJoinPortAckRx "
	"MismatchPortSynRx MismatchPortAckRx RmAddr RmAddrDrop RmAddrTx "
	"RmAddrTxDrop RmSubflow MPPrioTx MPPrioRx MPFailTx MPFailRx "
	"MPFastcloseTx MPFastcloseRx MPRstTx MPRstRx SubflowStale "
	"SubflowRecover SndWndShared RcvWndShared RcvWndConflictUpdate "
	"RcvWndConflict MPCurrEstab Blackhole MPCapableDataFallback "
	"MD5SigFallback DssFallback SimultConnectFallback FallbackFailed "
	"WinProbe\n"
	"MPTcpExt: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "
	"0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "
	"0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

/* ---- fixture tree ---- */

struct fixture {
	char root[PATH_MAX];
};

static void make_path(const struct fixture *fx, const char *rel, char *path)
{
	int len = snprintf(path, PATH_MAX, "%s/%s", fx->root, rel);

	assert_true(len > 0 && len < PATH_MAX);
}

/* mkdir -p inside the fixture. */
static void make_dir(const struct fixture *fx, const char *rel)
{
	char path[PATH_MAX];

	make_path(fx, rel, path);
	for (char *slash = path + strlen(fx->root) + 1; (slash = strchr(slash, '/'));
	     slash++) {
		*slash = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*slash = '/';
	}
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
}

static void make_file(const struct fixture *fx, const char *rel, const char *content)
{
	char path[PATH_MAX];
	FILE *file;

	make_path(fx, rel, path);
	file = fopen(path, "w");
	assert_non_null(file);
	assert_true(fputs(content, file) >= 0);
	assert_int_equal(fclose(file), 0);
}

/* rm -rf that never follows a symlink out of the fixture. */
static int remove_tree_at(int parent_fd, const char *name)
{
	struct dirent *entry;
	DIR *dir;
	int fd;

	fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return unlinkat(parent_fd, name, 0);
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -1;
	}
	while ((entry = readdir(dir)))
		if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, ".."))
			remove_tree_at(dirfd(dir), entry->d_name);
	closedir(dir);
	return unlinkat(parent_fd, name, AT_REMOVEDIR);
}

static int setup_fixture(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	strcpy(fx->root, "/tmp/tfotrace-procfs.XXXXXX");
	if (!mkdtemp(fx->root)) {
		free(fx);
		return -1;
	}

	/* Process trees, as /proc/PID/stat gives them (comm in parentheses,
	 * state, ppid): a pre-fork server 100 with workers 101, 102; a
	 * master 300 whose worker 302 came through a helper 301 that holds
	 * nothing; a master 900 whose worker got the lower pid 50. */
	make_dir(fx, "100");
	make_file(fx, "100/stat", "100 (haproxy) S 1 100 100 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1100 1000 200\n");
	make_dir(fx, "101");
	make_file(fx, "101/stat", "101 (haproxy) S 100 100 100 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1101 1000 200\n");
	make_dir(fx, "102");
	make_file(fx, "102/stat", "102 (a (b) c) S 100 100 100 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1102 1000 200\n");
	make_dir(fx, "300");
	make_file(fx, "300/stat", "300 (php-fpm) S 1 300 300 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1300 1000 200\n");
	make_dir(fx, "301");
	make_file(fx, "301/stat", "301 (sh) S 300 300 300 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1301 1000 200\n");
	make_dir(fx, "302");
	make_file(fx, "302/stat", "302 (php-fpm) S 301 300 300 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1302 1000 200\n");
	make_dir(fx, "900");
	make_file(fx, "900/stat", "900 (nginx) S 1 900 900 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1900 1000 200\n");
	make_dir(fx, "50");
	make_file(fx, "50/stat", "50 (nginx) S 900 900 900 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1050 1000 200\n");
	make_dir(fx, "66");
	make_file(fx, "66/stat", "66 (broken\n");
	/* cgroup files: a service, a login session, a hybrid hierarchy with
	 * a service's sub-cgroup, a user manager's service */
	make_file(fx, "100/cgroup", "0::/system.slice/xray.service\n");
	make_file(fx, "101/cgroup", "0::/user.slice/user-1000.slice/session-4.scope\n");
	make_file(fx, "102/cgroup", "12:pids:/system.slice/x.service\n"
		  "0::/system.slice/haproxy.service/workers\n");
	make_file(fx, "300/cgroup", "0::/user.slice/user-1000.slice/user@1000.service/app.slice/web.service\n");
	make_file(fx, "301/cgroup", "0::/system.slice/not.services/x.servicex\n");

	make_dir(fx, "sys/net/ipv4/conf/eth0.100");
	make_dir(fx, "sys/net/core");
	make_file(fx, "sys/net/ipv4/tcp_fastopen", "3\n");
	make_file(fx, "sys/net/ipv4/tcp_rmem", "4096\t131072\t6291456\n");
	make_file(fx, "sys/net/ipv4/tcp_congestion_control", "cubic\n");
	make_file(fx, "sys/net/ipv4/tcp_empty", "");
	make_file(fx, "sys/net/ipv4/tcp_huge", "99999999999999999999999\n");
	make_file(fx, "sys/net/ipv4/conf/eth0.100/forwarding", "1\n");
	make_file(fx, "sys/net/core/somaxconn", "4096");
	make_file(fx, "sys/net/core/negative", "-1\n");

	make_file(fx, "netstat", netstat_fixture);
	*state = fx;
	return 0;
}

static int teardown_fixture(void **state)
{
	struct fixture *fx = *state;
	int err = remove_tree_at(AT_FDCWD, fx->root);

	free(fx);
	return err;
}

/* ---- netstat ---- */

static FILE *open_text(const char *text)
{
	/* fmemopen() of zero bytes is not portable; an empty file is. */
	FILE *file = *text ? fmemopen((void *)text, strlen(text), "r")
			   : fopen("/dev/null", "r");

	assert_non_null(file);
	return file;
}

static int parse_text(const char *text, struct tfo_mib *mib)
{
	FILE *file = open_text(text);
	int err = tfo_mib_parse(file, mib);

	fclose(file);
	return err;
}

static void assert_fixture_values(const struct tfo_mib *mib)
{
	assert_int_equal(mib->active, 4294967301ull);
	assert_int_equal(mib->active_fail, 2);
	assert_int_equal(mib->passive, 4);
	assert_int_equal(mib->passive_fail, 1);
	assert_int_equal(mib->listen_overflow, 3);
	assert_int_equal(mib->cookie_reqd, 5);
	assert_int_equal(mib->blackhole, 6);
	assert_int_equal(mib->passive_alt_key, 7);
	assert_int_equal(mib->present, ALL_TFO_FIELDS);
}

static void test_mib_real_layout(void **state)
{
	struct tfo_mib mib;

	(void)state;
	assert_int_equal(parse_text(netstat_fixture, &mib), 0);
	assert_fixture_values(&mib);
}

static void test_mib_tcpext_not_first(void **state)
{
	struct tfo_mib mib;

	(void)state;
	/* No trailing newline either, and MPTcpExt's "Blackhole" is not ours. */
	assert_int_equal(parse_text("IpExt: InNoRoutes InOctets\n"
				    "IpExt: 0 214629994\n"
				    "MPTcpExt: Blackhole\n"
				    "MPTcpExt: 99\n"
				    "TcpExt: TW TCPFastOpenPassive TCPFastOpenBlackhole\n"
				    "TcpExt: 105 12 0", &mib), 0);
	assert_int_equal(mib.passive, 12);
	assert_int_equal(mib.blackhole, 0);
	assert_int_equal(mib.present, (1u << 2) | (1u << 6));
}

static void test_mib_long_lines(void **state)
{
	size_t cap = 64 * 1024, used = 0;
	char *text = malloc(cap);
	struct tfo_mib mib;

	(void)state;
	assert_non_null(text);
	/* Well past 4 KiB per line, our counters at the very end. */
	used += snprintf(text + used, cap - used, "TcpExt:");
	for (int i = 0; i < 600; i++)
		used += snprintf(text + used, cap - used, " FutureCounter%04d", i);
	used += snprintf(text + used, cap - used,
			 " TCPFastOpenCookieReqd TCPFastOpenPassiveAltKey\nTcpExt:");
	for (int i = 0; i < 600; i++)
		used += snprintf(text + used, cap - used, " %d", i);
	used += snprintf(text + used, cap - used, " 41 42\n");
	assert_true(used < cap);
	assert_true(strchr(text, '\n') - text > 8192);

	assert_int_equal(parse_text(text, &mib), 0);
	assert_int_equal(mib.cookie_reqd, 41);
	assert_int_equal(mib.passive_alt_key, 42);
	assert_int_equal(mib.present, (1u << 5) | (1u << 7));
	free(text);
}

static void test_mib_field_absent(void **state)
{
	struct tfo_mib mib;

	(void)state;
	/* An older kernel: no Blackhole, no PassiveAltKey. */
	assert_int_equal(parse_text("TcpExt: SyncookiesSent TCPFastOpenActive "
				    "TCPFastOpenActiveFail TCPFastOpenPassive "
				    "TCPFastOpenPassiveFail TCPFastOpenListenOverflow "
				    "TCPFastOpenCookieReqd TCPSpuriousRtxHostQueues\n"
				    "TcpExt: 0 1 2 3 4 5 6 7\n", &mib), 0);
	assert_int_equal(mib.active, 1);
	assert_int_equal(mib.active_fail, 2);
	assert_int_equal(mib.passive, 3);
	assert_int_equal(mib.passive_fail, 4);
	assert_int_equal(mib.listen_overflow, 5);
	assert_int_equal(mib.cookie_reqd, 6);
	assert_int_equal(mib.blackhole, 0);
	assert_int_equal(mib.passive_alt_key, 0);
	assert_int_equal(mib.present, 0x3fu);
	assert_int_equal(mib.present & (1u << 6), 0);
	assert_int_equal(mib.present & (1u << 7), 0);
}

static void test_mib_no_tcpext(void **state)
{
	struct tfo_mib mib;

	(void)state;
	assert_int_equal(parse_text("IpExt: InNoRoutes InOctets\n"
				    "IpExt: 0 214629994\n"
				    "MPTcpExt: MPCapableSYNRX\n"
				    "MPTcpExt: 0\n", &mib), -ENOENT);
	assert_int_equal(parse_text("", &mib), -ENOENT);
	/* A name that merely contains TcpExt is another section. */
	assert_int_equal(parse_text("MPTcpExt: TCPFastOpenActive\n"
				    "MPTcpExt: 5\n", &mib), -ENOENT);
}

static void test_mib_malformed(void **state)
{
	static const char *const malformed[] = {
		/* fewer values than names */
		"TcpExt: TW TCPFastOpenActive TCPFastOpenPassive\nTcpExt: 1 2\n",
		/* more values than names */
		"TcpExt: TW TCPFastOpenActive\nTcpExt: 1 2 3\n",
		/* non-numeric, even in a counter we do not keep */
		"TcpExt: TW TCPFastOpenActive\nTcpExt: x 2\n",
		"TcpExt: TW TCPFastOpenActive\nTcpExt: 1 2k\n",
		"TcpExt: TW TCPFastOpenActive\nTcpExt: 1 -2\n",
		/* past 64 bits */
		"TcpExt: TCPFastOpenActive\nTcpExt: 18446744073709551616\n",
		/* names with no values line */
		"TcpExt: TW TCPFastOpenActive\n",
		"TcpExt: TW TCPFastOpenActive\nIpExt: InNoRoutes\nIpExt: 0\n",
	};
	struct tfo_mib mib;

	(void)state;
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		memset(&mib, 0xa5, sizeof(mib));
		assert_int_equal(parse_text(malformed[i], &mib), -EINVAL);
		/* Nothing half-parsed leaks out. */
		assert_int_equal(mib.present, 0);
		assert_int_equal(mib.active, 0);
	}
	assert_int_equal(tfo_mib_parse(NULL, &mib), -EINVAL);
}

static void test_mib_read_file(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX];
	struct tfo_mib mib;

	make_path(fx, "netstat", path);
	assert_int_equal(tfo_mib_read(path, &mib), 0);
	assert_fixture_values(&mib);
	make_path(fx, "no-such-netstat", path);
	assert_int_equal(tfo_mib_read(path, &mib), -ENOENT);
	assert_int_equal(tfo_mib_read(fx->root, &mib), -EISDIR);
}

static void test_mib_read_this_machine(void **state)
{
	struct tfo_mib mib;

	(void)state;
	/* Every kernel tfotrace targets (6.1 and later) has all eight. */
	assert_int_equal(tfo_mib_read("/proc/net/netstat", &mib), 0);
	assert_int_equal(mib.present, ALL_TFO_FIELDS);
}

static void test_mib_delta(void **state)
{
	struct tfo_mib before = {
		.active = 10, .active_fail = 1, .passive = 100, .passive_fail = 0,
		.listen_overflow = 7, .cookie_reqd = 5, .blackhole = 0,
		.passive_alt_key = 3, .present = ALL_TFO_FIELDS,
	};
	struct tfo_mib after = {
		.active = 15, .active_fail = 1, .passive = 40 /* went back */,
		.passive_fail = 2, .listen_overflow = 7, .cookie_reqd = 4294967301ull,
		.blackhole = 1, .passive_alt_key = 3, .present = 0x3fu,
	};
	struct tfo_mib delta;

	(void)state;
	memset(&delta, 0xa5, sizeof(delta));
	tfo_mib_delta(&before, &after, &delta);
	assert_int_equal(delta.active, 5);
	assert_int_equal(delta.active_fail, 0);
	assert_int_equal(delta.passive, 0);
	assert_int_equal(delta.passive_fail, 2);
	assert_int_equal(delta.listen_overflow, 0);
	assert_int_equal(delta.cookie_reqd, 4294967296ull);
	assert_int_equal(delta.blackhole, 1);
	assert_int_equal(delta.passive_alt_key, 0);
	assert_int_equal(delta.present, 0x3fu);

	/* The result may overwrite one of its inputs. */
	tfo_mib_delta(&before, &after, &after);
	assert_memory_equal(&after, &delta, sizeof(delta));
}

/* ---- sysctl ---- */

static void test_sysctl_good(void **state)
{
	struct fixture *fx = *state;
	long value = 0;

	/* The fixture root has a dot in its name: only NAME's dots are levels. */
	assert_non_null(strchr(fx->root, '.'));
	assert_int_equal(tfo_sysctl_read(fx->root, "net.ipv4.tcp_fastopen", &value), 0);
	assert_int_equal(value, 3);
	assert_int_equal(tfo_sysctl_read(fx->root, "net/ipv4/tcp_fastopen", &value), 0);
	assert_int_equal(value, 3);
	/* No newline at the end. */
	assert_int_equal(tfo_sysctl_read(fx->root, "net.core.somaxconn", &value), 0);
	assert_int_equal(value, 4096);
	assert_int_equal(tfo_sysctl_read(fx->root, "net.core.negative", &value), 0);
	assert_int_equal(value, -1);
	/* The slash form keeps a dot inside an interface name. */
	assert_int_equal(tfo_sysctl_read(fx->root, "net/ipv4/conf/eth0.100/forwarding",
					 &value), 0);
	assert_int_equal(value, 1);
}

static void test_sysctl_garbage(void **state)
{
	struct fixture *fx = *state;
	long value = 77;

	assert_int_equal(tfo_sysctl_read(fx->root, "net.ipv4.tcp_rmem", &value), -EINVAL);
	assert_int_equal(tfo_sysctl_read(fx->root, "net.ipv4.tcp_congestion_control",
					 &value), -EINVAL);
	assert_int_equal(tfo_sysctl_read(fx->root, "net.ipv4.tcp_empty", &value), -EINVAL);
	assert_int_equal(tfo_sysctl_read(fx->root, "net.ipv4.tcp_huge", &value), -ERANGE);
	/* Names that would leave PROC_ROOT/sys, or name nothing. */
	assert_int_equal(tfo_sysctl_read(fx->root, "net/../../netstat", &value), -EINVAL);
	assert_int_equal(tfo_sysctl_read(fx->root, "/etc/passwd", &value), -EINVAL);
	assert_int_equal(tfo_sysctl_read(fx->root, "", &value), -EINVAL);
	/* A failed read leaves OUT alone. */
	assert_int_equal(value, 77);
}

/* ---- process ancestry ---- */

static void test_ppid(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(tfo_ppid_of(fx->root, 101), 100);
	/* parentheses in comm: the last one ends it */
	assert_int_equal(tfo_ppid_of(fx->root, 102), 100);
	assert_int_equal(tfo_ppid_of(fx->root, 66), 0);
	assert_int_equal(tfo_ppid_of(fx->root, 4242), 0);
	assert_int_equal(tfo_ppid_of("/proc", getpid()), getppid());
}

/* The listener is attributed to the holder no other holder descends from,
 * in any order the holders come. */
static void test_creator_of(void **state)
{
	struct fixture *fx = *state;
	const uint32_t prefork[] = { 101, 100, 102 }, prefork_pp[] = { 100, 1, 100 };
	const uint32_t deep[] = { 302, 300 }, deep_pp[] = { 301, 1 };
	const uint32_t wrapped[] = { 50, 900 }, wrapped_pp[] = { 900, 1 };
	const uint32_t strangers[] = { 500, 400 }, strangers_pp[] = { 1, 1 };
	const uint32_t alone[] = { 7 }, alone_pp[] = { 0 };

	assert_int_equal(tfo_creator_of(prefork, prefork_pp, 3, fx->root), 1);
	/* through a helper that holds nothing: the walk climbs /proc */
	assert_int_equal(tfo_creator_of(deep, deep_pp, 2, fx->root), 1);
	/* the worker's pid is lower than its master's */
	assert_int_equal(tfo_creator_of(wrapped, wrapped_pp, 2, fx->root), 1);
	/* unrelated processes (a socket passed over a unix socket): the
	 * lowest pid */
	assert_int_equal(tfo_creator_of(strangers, strangers_pp, 2, fx->root), 1);
	assert_int_equal(tfo_creator_of(alone, alone_pp, 1, fx->root), 0);
}

static void unit_of(const struct fixture *fx, uint32_t pid, char *unit,
		    size_t size)
{
	char path[256];

	assert_int_equal(tfo_cgroup_path_of(fx->root, pid, path, sizeof(path)), 0);
	tfo_unit_of_cgroup(path, unit, size);
}

static void test_systemd_unit(void **state)
{
	struct fixture *fx = *state;
	char unit[64], path[16];

	unit_of(fx, 100, unit, sizeof(unit));
	assert_string_equal(unit, "xray.service");
	unit_of(fx, 101, unit, sizeof(unit));
	assert_string_equal(unit, "");
	unit_of(fx, 102, unit, sizeof(unit));
	assert_string_equal(unit, "haproxy.service");
	unit_of(fx, 300, unit, sizeof(unit));
	assert_string_equal(unit, "web.service");
	unit_of(fx, 301, unit, sizeof(unit));
	assert_string_equal(unit, "");
	/* a name longer than the room: none rather than a cut one */
	unit_of(fx, 100, unit, 8);
	assert_string_equal(unit, "");
	assert_int_equal(tfo_cgroup_path_of(fx->root, 4242, path, sizeof(path)),
			 -ENOENT);
	/* a path longer than the room: said, not cut */
	assert_int_equal(tfo_cgroup_path_of(fx->root, 300, path, sizeof(path)),
			 -ENAMETOOLONG);
}

/* Containers by the cgroup paths their runtimes make. */
static void test_container_of(void **state)
{
	static const struct {
		const char *path, *want;
	} cases[] = {
		{ "/system.slice/docker-3f2a8c1b9d0e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b.scope",
		  "docker 3f2a8c1b9d0e" },
		{ "/docker/3f2a8c1b9d0e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
		  "docker 3f2a8c1b9d0e" },
		{ "/machine.slice/libpod-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope/container",
		  "podman 0123456789ab" },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-aaaaaaaaaaaabbbbbbbbbbbbccccccccccccddddddddddddeeeeeeeeeeeeffff.scope",
		  "kubernetes aaaaaaaaaaaa" },
		{ "/kubepods/besteffort/pod1/aaaaaaaaaaaabbbbbbbbbbbbccccccccccccddddddddddddeeeeeeeeeeeeffff",
		  "kubernetes aaaaaaaaaaaa" },
		{ "/system.slice/crio-bbbbbbbbbbbbaaaaaaaaaaaaccccccccccccddddddddddddeeeeeeeeeeeeffff.scope",
		  "cri-o bbbbbbbbbbbb" },
		{ "/machine.slice/machine-web1.scope/payload", "nspawn web1" },
		{ "/lxc.payload.web2/system.slice", "lxc web2" },
		{ "/lxc/web3", "lxc web3" },
		{ "/system.slice/xray.service", "" },
		{ "/user.slice/user-1000.slice/session-4.scope", "" },
		{ "/", "" },
		{ "", "" },
	};
	char out[48];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tfo_container_of_cgroup(cases[i].path, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	assert_true(tfo_cgroup_path_within("/system.slice/x.service", "/system.slice"));
	assert_true(tfo_cgroup_path_within("/system.slice", "/system.slice"));
	assert_false(tfo_cgroup_path_within("/system.slicex", "/system.slice"));
	assert_true(tfo_cgroup_path_within("/anything", "/"));
}

/* One parser per file: stat's start time tells a process from one that
 * reuses its pid, status its thread group and namespace pid. */
static void test_proc_stat_status(void **state)
{
	struct fixture *fx = *state;
	struct tfo_proc_status status;
	struct tfo_proc_stat st;

	assert_int_equal(tfo_proc_stat_read(fx->root, 102, &st), 0);
	assert_string_equal(st.comm, "a (b) c");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 100);
	assert_int_equal(st.start_time, 1102);
	assert_int_equal(tfo_proc_stat_read(fx->root, 66, &st), -EINVAL);
	assert_int_equal(tfo_proc_stat_read(fx->root, 4242, &st), -ENOENT);
	assert_int_equal(tfo_proc_stat_read("/proc", getpid(), &st), 0);
	assert_int_equal(st.ppid, getppid());
	assert_true(st.start_time > 0);
	assert_int_equal(tfo_proc_status_read("/proc", getpid(), &status), 0);
	assert_int_equal(status.tgid, getpid());
	assert_int_equal(status.ns_pid, getpid());
	assert_int_equal(tfo_proc_status_read(fx->root, 4242, &status), -ENOENT);
}

/* A pre-fork server's master may have closed its copy of the listener
 * (haproxy 2.6's does): the holder's furthest ancestor running the same
 * command is who it belongs to. */
static void test_service_root(void **state)
{
	struct fixture *fx = *state;
	char comm[TFO_COMM_LEN];

	assert_int_equal(tfo_service_root(fx->root, 101, comm), 100);
	assert_string_equal(comm, "haproxy");
	/* its parent runs something else: the worker is its own root */
	assert_int_equal(tfo_service_root(fx->root, 302, comm), 302);
	assert_string_equal(comm, "php-fpm");
	assert_int_equal(tfo_service_root(fx->root, 50, comm), 900);
	assert_int_equal(tfo_service_root(fx->root, 100, comm), 100);
	assert_int_equal(tfo_service_root(fx->root, 4242, comm), 4242);
	assert_string_equal(comm, "");
}

static void test_sysctl_missing(void **state)
{
	struct fixture *fx = *state;
	char path[PATH_MAX];
	long value = 77;

	assert_int_equal(tfo_sysctl_read(fx->root, "net.ipv4.tcp_no_such_thing", &value),
			 -ENOENT);
	make_path(fx, "no-such-proc", path);
	assert_int_equal(tfo_sysctl_read(path, "net.ipv4.tcp_fastopen", &value), -ENOENT);
	/* A level, not a value. */
	assert_int_equal(tfo_sysctl_read(fx->root, "net.ipv4", &value), -EISDIR);
	assert_int_equal(value, 77);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mib_real_layout),
		cmocka_unit_test(test_mib_tcpext_not_first),
		cmocka_unit_test(test_mib_long_lines),
		cmocka_unit_test(test_mib_field_absent),
		cmocka_unit_test(test_mib_no_tcpext),
		cmocka_unit_test(test_mib_malformed),
		cmocka_unit_test(test_mib_read_file),
		cmocka_unit_test(test_mib_read_this_machine),
		cmocka_unit_test(test_mib_delta),
		cmocka_unit_test(test_sysctl_good),
		cmocka_unit_test(test_sysctl_garbage),
		cmocka_unit_test(test_sysctl_missing),
		cmocka_unit_test(test_ppid),
		cmocka_unit_test(test_creator_of),
		cmocka_unit_test(test_systemd_unit),
		cmocka_unit_test(test_container_of),
		cmocka_unit_test(test_proc_stat_status),
		cmocka_unit_test(test_service_root),
	};

	return cmocka_run_group_tests_name("procfs", tests, setup_fixture,
					   teardown_fixture);
}

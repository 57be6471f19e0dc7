/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What /proc tells without BPF: the kernel's TFO counters, a sysctl's
 * value, a process's pid in its namespace. Used to put the tracer's
 * records next to the numbers nstat and sysctl(8) would show.
 */
#ifndef TFOTRACE_PROCFS_H
#define TFOTRACE_PROCFS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "tfotrace.h"

/* The kernel's TCP Fast Open counters (TcpExt in /proc/net/netstat). */
struct tfo_mib {
	uint64_t active;          /* TCPFastOpenActive */
	uint64_t active_fail;     /* TCPFastOpenActiveFail */
	uint64_t passive;         /* TCPFastOpenPassive */
	uint64_t passive_fail;    /* TCPFastOpenPassiveFail */
	uint64_t listen_overflow; /* TCPFastOpenListenOverflow */
	uint64_t cookie_reqd;     /* TCPFastOpenCookieReqd */
	uint64_t blackhole;       /* TCPFastOpenBlackhole */
	uint64_t passive_alt_key; /* TCPFastOpenPassiveAltKey */
	uint32_t present;         /* bit i set when field i (in the order above) was found */
};

/* Parse the netstat text in NETSTAT into OUT (zeroed first). Returns 0,
 * -EINVAL on malformed input (header/value line count mismatch, non-numeric
 * value), -ENOENT when there is no TcpExt section. */
int tfo_mib_parse(FILE *netstat, struct tfo_mib *out);

/* tfo_mib_parse() on the file at PATH (normally "/proc/net/netstat");
 * -errno when it cannot be opened. */
int tfo_mib_read(const char *path, struct tfo_mib *out);

/* after - before, field by field; a counter that went backwards gives 0;
 * present = before.present & after.present. DELTA may be BEFORE or AFTER. */
void tfo_mib_delta(const struct tfo_mib *before, const struct tfo_mib *after,
		   struct tfo_mib *delta);

/* Integer sysctl NAME ("net.ipv4.tcp_fastopen", or the slash form
 * "net/ipv4/tcp_fastopen") read from PROC_ROOT/sys/net/ipv4/tcp_fastopen.
 * 0 or -errno (-EINVAL if the content is not one integer or NAME is not a
 * plain sysctl name, -ERANGE if the integer does not fit a long). */
/* ---- one parser per /proc file of a process ---- */

/* What PROC_ROOT/PID/stat says of a process. */
struct tfo_proc_stat {
	char comm[TFO_COMM_LEN];
	char state;		/* 'R', 'S', ... 'Z' a zombie */
	uint32_t ppid;
	uint64_t start_time;	/* clock ticks after boot: with the pid, it
				 * names one process (pids are reused) */
};

/* 0, or -errno (-EINVAL: not the layout stat(5) documents). */
int tfo_proc_stat_read(const char *proc_root, uint32_t pid,
		       struct tfo_proc_stat *out);

/* What PROC_ROOT/PID/status says that stat does not. */
struct tfo_proc_status {
	uint32_t tgid;		/* the process a thread id belongs to */
	uint32_t ns_pid;	/* its pid in its own (innermost) pid
				 * namespace, from NSpid:; 0 unknown */
};

int tfo_proc_status_read(const char *proc_root, uint32_t pid,
			 struct tfo_proc_status *out);

/* PID's number in its own (innermost) pid namespace; 0 when unknown. */
uint32_t tfo_ns_pid_of(const char *proc_root, uint32_t pid);

/* PID's cgroup v2 path ("/system.slice/xray.service"), from the "0::"
 * line of PROC_ROOT/PID/cgroup, into PATH (SIZE bytes; "" when the
 * process is in no cgroup v2 hierarchy). 0, or -errno (-ENAMETOOLONG). */
int tfo_cgroup_path_of(const char *proc_root, uint32_t pid, char *path,
		       size_t size);

/* The systemd service a cgroup path belongs to ("xray.service"): its
 * deepest NAME.service component (a service's own sub-cgroups, a
 * container manager's, stay its), "" when none or longer than SIZE. */
void tfo_unit_of_cgroup(const char *cgroup_path, char *unit, size_t size);

/* The container a cgroup path belongs to, as "RUNTIME ID" ("docker
 * 3f2a8c1b9d0e", "podman ...", "kubernetes ...", "containerd ...",
 * "cri-o ...", "lxc NAME", "nspawn NAME"; ids cut to 12 characters), ""
 * when none is recognised. */
void tfo_container_of_cgroup(const char *cgroup_path, char *out, size_t size);

/* Whether cgroup path PATH is the cgroup REL ("/a/b") or below it. */
bool tfo_cgroup_path_within(const char *path, const char *rel);

/* PID's parent process, from PROC_ROOT/PID/stat; 0 when unknown. */
uint32_t tfo_ppid_of(const char *proc_root, uint32_t pid);

/* The process a listener held by PID belongs to: PID, or its furthest
 * ancestor running the same command, a pre-fork server's master, which
 * may have closed its own copy of the listener (haproxy's does). COMM gets
 * that command ("" when PID is unknown). */
uint32_t tfo_service_root(const char *proc_root, uint32_t pid,
			  char comm[TFO_COMM_LEN]);

/* Of the N processes holding one socket (HOLDERS[i], their parents
 * PPIDS[i]), the index of the one it is attributed to: the lowest pid of
 * those no other holder is an ancestor of (a pre-fork server's master,
 * not its workers). Ancestry beyond the parent comes from PROC_ROOT. */
size_t tfo_creator_of(const uint32_t *holders, const uint32_t *ppids,
		      size_t n, const char *proc_root);

/* The inode of the caller's network namespace (PROC_ROOT/self/ns/net),
 * the number records carry as netns; 0 when unknown. */
uint32_t tfo_own_netns(const char *proc_root);

int tfo_sysctl_read(const char *proc_root, const char *name, long *out);

#endif

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What every tfotrace BPF object that writes records shares: the ring
 * buffer, the listener owner map, the -p filter, the header fill and the
 * reserve/submit pair. Each object has its own copy of these definitions;
 * userspace makes the second object's events and listener_owners the
 * first's (bpf_map__reuse_fd), so records stay in one order and one
 * lost count covers both (the sum of their lost_events). */
#ifndef TFOTRACE_RECORD_BPF_H
#define TFOTRACE_RECORD_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "tfotrace.h"
#include "sock.bpf.h"

/* -p: set by userspace between open and load */
const volatile __u32 filter_pid_count = 0;
const volatile __u32 filter_pids[TFO_MAX_PIDS] = {};

/* Wake the consumer once per wakeup_batch records a CPU submits (a
 * quarter of the ring, set by userspace), not per record: a wakeup is an
 * interrupt sent to oneself and one to the sleeping consumer's CPU,
 * microseconds each on a paravirtualized host, and asking the ring how
 * much is waiting reads a cache line the consumer writes. The consumer
 * drains on a timer too, so it is woken only when a flood outruns it. */
const volatile __u32 wakeup_batch = 64;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} since_wakeup SEC(".maps");

/* Records the ring buffer had no room for: reported, never silent. */
__u64 lost_events = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);	/* resized by userspace before load */
} events SEC(".maps");

/* Who owns each listener, recorded at listen() (process context) and
 * seeded by userspace from the listener scan: TFO server events run in
 * softirq and are attributed, and PID-filtered, through it. Entries leave
 * when their listener closes (any_owner_forget), so a plain hash, its
 * elements allocated as listeners come: an LRU of this size preallocates
 * them all at start-up (12 ms of a 40 ms start, measured). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TFO_LISTENERS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);		/* socket inode */
	__type(value, struct tfo_owner);
} listener_owners SEC(".maps");

static __always_inline bool pids_include(__u32 tgid)
{
	if (!filter_pid_count)
		return true;
	for (int i = 0; i < TFO_MAX_PIDS; i++) {
		if (i >= filter_pid_count)
			break;
		if (filter_pids[i] == tgid)
			return true;
	}
	return false;
}

static __always_inline void record_submit(void *rec)
{
	__u32 zero = 0, *n = bpf_map_lookup_elem(&since_wakeup, &zero);
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (n && ++*n >= wakeup_batch) {
		*n = 0;
		flags = BPF_RB_FORCE_WAKEUP;
	}
	bpf_ringbuf_submit(rec, flags);
}

/* A listen() record wakes the consumer at once: userspace reads the
 * listener's program from /proc (its executable, GODEBUG, LD_PRELOAD), and
 * a short-lived server is gone after one drain period. listen() is rare. */
static __always_inline void record_submit_now(void *rec)
{
	bpf_ringbuf_submit(rec, BPF_RB_FORCE_WAKEUP);
}

static __always_inline void *record_reserve(__u32 size)
{
	void *rec = bpf_ringbuf_reserve(&events, size, 0);

	if (!rec)
		__sync_fetch_and_add(&lost_events, 1);
	return rec;
}

/* The calling process: its tgid, its tgid in its own pid namespace and
 * its comm. */
static __always_inline void current_ident(struct tfo_owner *out)
{
	struct task_struct *task = current_task_untrusted();

	out->pid = bpf_get_current_pid_tgid() >> 32;
	/* two 8-byte loads instead of bpf_get_current_comm()'s copy */
	*(__u64 *)&out->comm[0] = *(__u64 *)&task->comm[0];
	*(__u64 *)&out->comm[8] = *(__u64 *)&task->comm[8];
	out->ns_pid = task_ns_tgid(task);
}

static __always_inline void hdr_fill(struct tfo_rec_hdr *hdr, __u32 type,
				     __u32 size, __u64 pid_tgid)
{
	struct tfo_owner who;

	current_ident(&who);
	hdr->ts_ns = bpf_ktime_get_ns();
	hdr->type = type;
	hdr->size = size;
	hdr->pid = pid_tgid >> 32;
	hdr->tid = (__u32)pid_tgid;
	__builtin_memcpy(hdr->comm, who.comm, sizeof(hdr->comm));
	hdr->ns_pid = who.ns_pid;
	hdr->pad = 0;
}

/* A softirq record's header: the process is the socket's owner as a map
 * remembered it (OWNER NULL: unknown, pid 0 and comm ""), never the
 * interrupted task. */
static __always_inline void hdr_fill_owner(struct tfo_rec_hdr *hdr, __u32 type,
					   __u32 size,
					   const struct tfo_owner *owner)
{
	hdr->ts_ns = bpf_ktime_get_ns();
	hdr->type = type;
	hdr->size = size;
	if (owner) {
		hdr->pid = owner->pid;
		hdr->ns_pid = owner->ns_pid;
		__builtin_memcpy(hdr->comm, owner->comm, sizeof(hdr->comm));
	}
}

#endif /* TFOTRACE_RECORD_BPF_H */

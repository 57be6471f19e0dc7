#!/bin/busybox sh
# /init of the benchmark guest (tests/bench/vm.py): Debian 12's kernel under
# software emulation, so only ratios mean anything. vm.py fills in @TP_HOOKS@
# (tfotrace's syscall tracepoints, read from bpf/tfotrace.bpf.c) and
# @FEXIT@ (the fexit floor's target) before it packs this file.
#
# Per round, for each configuration -- the floors (an empty fexit on
# @FEXIT@; empty programs on the syscall tracepoints); tfotrace in fentry
# mode by default and with --all; kprobe and tracepoint modes by default --
# W1 (a setsockopt loop, TCP and MPTCP) and W2 (TFO connection churn, TCP
# and MPTCP) untraced ("base:CONFIG", its paired baseline) and then under
# one start of the configuration. Prints one "RESULT round config workload
# bench_load-json" line per run, "LOST round config N" (the records tfotrace
# lost over its four runs) and "SKIP round config why" when a configuration
# cannot attach.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
ifconfig lo 127.0.0.1 up
ROUNDS=5
TP_HOOKS="@TP_HOOKS@"
FEXIT="@FEXIT@"

echo "=== KERNEL $(uname -r)"
# The first start parses the kernel's BTF and fills /var/cache/tfotrace;
# every measured start after it is warm.
tfotrace -d 1 >/dev/null 2>/tmp/warm.err
echo "WARMUP $(grep -o 'attached in [a-z]* mode' /tmp/warm.err); cache: $(ls /var/cache/tfotrace | tr '\n' ' ')"

# start_cfg CONFIG: the tracer in the background, $T its pid; 1 if it did
# not get ready within 60 s (SKIP printed).
start_cfg() {
	rm -f /tmp/ready
	case $1 in
	floor-fexit) floor --ready-file /tmp/ready --fexit $FEXIT 2>/tmp/err & ;;
	floor-tp) floor --ready-file /tmp/ready $TP_HOOKS 2>/tmp/err & ;;
	fentry) tfotrace --attach fentry --ready-file /tmp/ready >/dev/null 2>/tmp/err & ;;
	fentry-all) tfotrace --attach fentry --all --ready-file /tmp/ready >/dev/null 2>/tmp/err & ;;
	kprobe) tfotrace --attach kprobe --ready-file /tmp/ready >/dev/null 2>/tmp/err & ;;
	tracepoint) tfotrace --attach tracepoint --ready-file /tmp/ready >/dev/null 2>/tmp/err & ;;
	esac
	T=$!
	i=0
	while [ ! -f /tmp/ready ] && [ $i -lt 600 ] && kill -0 $T 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -f /tmp/ready ]; then
		echo "SKIP $r $1 $(grep -v '^libbpf' /tmp/err | head -1)"
		kill -TERM $T 2>/dev/null
		wait $T
		return 1
	fi
	return 0
}

# run_set ROUND LABEL: the four workloads, one RESULT line each
run_set() {
	for w in "W1-tcp:sockopt --proto tcp -n 100000" \
		 "W1-mptcp:sockopt --proto mptcp -n 100000" \
		 "W2-tcp:tfo --proto tcp -n 300" "W2-mptcp:tfo --proto mptcp -n 300"; do
		echo "RESULT $1 $2 ${w%%:*} $(bench_load ${w#*:} | grep '"op":"result"')"
	done
}

for r in $(seq 1 $ROUNDS); do
	for cfg in floor-fexit fentry fentry-all floor-tp tracepoint kprobe; do
		# its own untraced baseline, just before: emulation drifts
		run_set $r base:$cfg
		start_cfg $cfg || continue
		run_set $r $cfg
		kill -INT $T
		wait $T
		lost=$(sed -n 's/.*lost \([0-9]*\) events.*/\1/p' /tmp/err)
		echo "LOST $r $cfg ${lost:-0}"
	done
done
echo "=== DONE"
poweroff -f

#!/bin/busybox sh
# /init of the benchmark guest (tests/bench/vm.py): Debian 12's kernel under
# software emulation, so only ratios mean anything. Per round, for each
# configuration (untraced, then tfotrace in each attach mode), W1 (a
# setsockopt loop, TCP and MPTCP) and W2 (TFO connection churn, TCP and
# MPTCP); one "RESULT round config workload-json" line each.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
ifconfig lo 127.0.0.1 up
ROUNDS=3

echo "=== KERNEL $(uname -r)"
for r in $(seq 1 $ROUNDS); do
	for cfg in untraced fentry kprobe tracepoint; do
		if [ $cfg != untraced ]; then
			rm -f /tmp/ready
			tfotrace --attach $cfg --ready-file /tmp/ready >/dev/null 2>/tmp/err &
			T=$!
			i=0
			while [ ! -f /tmp/ready ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
			if [ ! -f /tmp/ready ]; then
				echo "SKIP $r $cfg $(head -1 /tmp/err)"
				kill -TERM $T; wait $T
				continue
			fi
		fi
		for w in "sockopt --proto tcp -n 50000" "sockopt --proto mptcp -n 50000" \
			 "tfo --proto tcp -n 500" "tfo --proto mptcp -n 500"; do
			echo "RESULT $r $cfg $(bench_load $w | grep '"op":"result"')"
		done
		if [ $cfg != untraced ]; then
			kill -TERM $T
			wait $T
		fi
	done
done
echo "=== DONE"
poweroff -f

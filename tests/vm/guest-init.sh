#!/bin/busybox sh
# /init of the test guest: Debian 12's kernel, busybox, the static tfotrace
# and tfo_scenario. For every attach mode the kernel offers it runs three
# sessions and prints everything between "=== BEGIN name" / "=== END name"
# markers on the console for tests/vm/run.py to judge:
#   A  four servers, each in its own network namespace: MPTCP, TCP, MPTCP with
#      tcp_fastopen=1027, TCP with tcp_fastopen=1 (no server bit)
#   B  an MPTCP server started before tfotrace, in tfotrace's namespace
#   C  two servers, tfotrace -p the first
#   R  (fentry, kprobe) two hooked functions renamed in the BTF given with
#      --btf: skipped with a warning, the rest still traces
#   H  Debian's haproxy, master-worker, its listener made MPTCP by the
#      mptcpize shim and asking for TFO, started before (HB) and after (HA)
#      tfotrace, five TFO clients; then (once) the first fix it was given,
#      applied, and the clients again
# and last, in text, the report a user reads for the Go-style server.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
ifconfig lo 127.0.0.1 up
CLIENTS=5

section() {
	echo "=== BEGIN $1"
	cat "$2"
	echo "=== END $1"
}

# wait (10 s at most) until file $1 holds pattern $2
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

start_tool() {	# $1 = output name, the rest = options
	name=$1
	shift
	rm -f /tmp/ready
	tfotrace --json --ready-file /tmp/ready "$@" >/tmp/$name.json 2>/tmp/$name.err &
	TOOL=$!
	wait_for /tmp/ready .
}

stop_tool() {
	kill -TERM $TOOL
	wait $TOOL
	echo "exit $?" >>/tmp/$name.err
	section "$MODE $name tool" /tmp/$name.json
	section "$MODE $name stderr" /tmp/$name.err
}

# /etc/haproxy/haproxy.cfg: tests/real/servers.py's, on port 18080

# haproxy, its TCP sockets made MPTCP; MASTER its master's pid once up
start_haproxy() {
	rm -f /tmp/haproxy.pid /tmp/haproxy.log
	LD_PRELOAD=/usr/lib/libmptcpize.so haproxy -f /etc/haproxy/haproxy.cfg \
		-p /tmp/haproxy.pid >/tmp/haproxy.log 2>&1 &
	HAPROXY=$!
	wait_for /tmp/haproxy.log "Loading success"
	MASTER=$(cat /tmp/haproxy.pid)
}

stop_haproxy() {
	kill -TERM "$MASTER"
	wait $HAPROXY
}

# H: the real server, in the guest's own namespace (tfotrace's: the scan
# sees it), under tfotrace in mode $1
haproxy_sessions() {
	echo 3 >/proc/sys/net/ipv4/tcp_fastopen
	start_haproxy
	echo "{\"master\":$MASTER}" >/tmp/HB.pid
	start_tool HB --attach $1
	tfo_client --port 18080 --clients $CLIENTS >/tmp/HB.client
	stop_tool
	stop_haproxy
	section "$1 HB haproxy" /tmp/HB.pid
	section "$1 HB client" /tmp/HB.client
	start_tool HA --attach $1
	start_haproxy
	echo "{\"master\":$MASTER}" >/tmp/HA.pid
	tfo_client --port 18080 --clients $CLIENTS >/tmp/HA.client
	stop_tool
	stop_haproxy
	section "$1 HA haproxy" /tmp/HA.pid
	section "$1 HA client" /tmp/HA.client
}

echo "=== KERNEL $(uname -r)"
tfotrace -d 1 >/dev/null 2>/tmp/auto.err
section "auto stderr" /tmp/auto.err
# how sockets are read (typed loads need bpf_rdonly_cast, 6.2+), and the
# BTF cache: the first start above filled it, this one reads from it
tfotrace -v -d 1 2>&1 >/dev/null | grep -E "^tfotrace: (sockets read|kernel BTF)" >/tmp/reads.err
section "reads" /tmp/reads.err

for MODE in fentry kprobe tracepoint; do
	if ! tfotrace --attach $MODE -d 1 >/dev/null 2>/tmp/probe.err; then
		section "$MODE unavailable" /tmp/probe.err
		continue
	fi
	echo "=== MODE $MODE"

	start_tool A --attach $MODE
	tfo_scenario --proto mptcp --clients $CLIENTS --sysctl net.ipv4.tcp_fastopen=3 >/tmp/A1.sc
	tfo_scenario --proto tcp --clients $CLIENTS --sysctl net.ipv4.tcp_fastopen=3 >/tmp/A2.sc
	tfo_scenario --proto mptcp --clients $CLIENTS --sysctl net.ipv4.tcp_fastopen=1027 >/tmp/A3.sc
	tfo_scenario --proto tcp --clients $CLIENTS --sysctl net.ipv4.tcp_fastopen=1 >/tmp/A4.sc
	stop_tool
	for n in 1 2 3 4; do section "$MODE A$n scenario" /tmp/A$n.sc; done

	# B: the server is older than the trace; only the scan can name it
	echo 3 >/proc/sys/net/ipv4/tcp_fastopen
	rm -f /tmp/goB && mkfifo /tmp/goB
	tfo_scenario --no-netns --proto mptcp --clients $CLIENTS --wait </tmp/goB >/tmp/B.sc &
	SERVER=$!
	exec 3>/tmp/goB
	wait_for /tmp/B.sc '"op":"ready"'
	start_tool B --attach $MODE
	echo go >&3
	exec 3>&-
	wait $SERVER
	stop_tool
	section "$MODE B scenario" /tmp/B.sc

	# C: two servers, the trace filtered to the first (made after it attached)
	rm -f /tmp/goC1 /tmp/goC2 && mkfifo /tmp/goC1 /tmp/goC2
	tfo_scenario --proto mptcp --clients 3 --sysctl net.ipv4.tcp_fastopen=3 --wait-first </tmp/goC1 >/tmp/C1.sc &
	S1=$!
	tfo_scenario --proto tcp --clients 3 --sysctl net.ipv4.tcp_fastopen=3 --wait-first </tmp/goC2 >/tmp/C2.sc &
	S2=$!
	exec 4>/tmp/goC1 5>/tmp/goC2
	wait_for /tmp/C1.sc '"op":"ready"'
	wait_for /tmp/C2.sc '"op":"ready"'
	PID1=$(sed -n 's/.*"op":"ready","pid":\([0-9]*\).*/\1/p' /tmp/C1.sc)
	start_tool C --attach $MODE --all -p "$PID1"
	echo go >&4
	echo go >&5
	exec 4>&- 5>&-
	wait $S1
	wait $S2
	stop_tool
	section "$MODE C1 scenario" /tmp/C1.sc
	section "$MODE C2 scenario" /tmp/C2.sc

	haproxy_sessions $MODE

	# R: two hooked functions "renamed" in the BTF given with --btf
	[ $MODE = tracepoint ] && continue
	btf_rename /sys/kernel/btf/vmlinux /tmp/renamed.btf \
		tcp_try_fastopen tcp_try_fastopeX mptcp_setsockopt mptcp_setsockopX
	start_tool R --attach $MODE --btf /tmp/renamed.btf
	tfo_scenario --proto mptcp --clients 3 --sysctl net.ipv4.tcp_fastopen=3 >/tmp/R.sc
	stop_tool
	section "$MODE R scenario" /tmp/R.sc
done
# doctor, with a Go-style MPTCP server (TCP_FASTOPEN asked) listening
echo 3 >/proc/sys/net/ipv4/tcp_fastopen
rm -f /tmp/goD && mkfifo /tmp/goD
tfo_scenario --no-netns --proto mptcp --clients 0 --wait </tmp/goD >/tmp/D.sc &
SERVER=$!
exec 6>/tmp/goD
wait_for /tmp/D.sc '"op":"ready"'
tfotrace doctor --json >/tmp/doctor.json 2>&1
echo "exit $?" >>/tmp/doctor.json
tfotrace doctor >/tmp/doctor.txt 2>&1
echo go >&6
exec 6>&-
wait $SERVER
section "doctor scenario" /tmp/D.sc
section "doctor json" /tmp/doctor.json
section "doctor text" /tmp/doctor.txt
# The first fix tfotrace gave haproxy, applied: the same server, still
# listening, with TFO (where the fix is 0x403 on this kernel)
FIX=$(sed -n 's/.*"advice":\["sysctl -w net.ipv4.tcp_fastopen=\(0x[0-9a-f]*\):.*/\1/p' /tmp/HA.json | head -1)
if [ -n "$FIX" ]; then
	echo $((FIX)) >/proc/sys/net/ipv4/tcp_fastopen
	start_haproxy
	tfo_client --port 18080 --clients $CLIENTS >/tmp/HF.client
	echo "{\"fix\":\"$FIX\",\"master\":$MASTER,\"alive\":$(kill -0 $MASTER && echo true || echo false)}" >/tmp/HF.pid
	stop_haproxy
	section "HF fix" /tmp/HF.pid
	section "HF client" /tmp/HF.client
	echo 3 >/proc/sys/net/ipv4/tcp_fastopen
fi
# The report a user reads for haproxy, in text
start_haproxy
tfotrace --ready-file /tmp/ready >/tmp/htext.out 2>/tmp/htext.err &
TOOL=$!
wait_for /tmp/ready .
tfo_client --port 18080 --clients $CLIENTS >/dev/null
kill -TERM $TOOL
wait $TOOL
stop_haproxy
section "haproxy text report" /tmp/htext.out

# The human-readable report of the Go-style server, as a user would see it.
tfotrace --ready-file /tmp/ready >/tmp/text.out 2>/tmp/text.err &
TOOL=$!
wait_for /tmp/ready .
tfo_scenario --proto mptcp --clients $CLIENTS --sysctl net.ipv4.tcp_fastopen=3 >/tmp/text.sc
kill -TERM $TOOL
wait $TOOL
section "text scenario" /tmp/text.sc
section "text report" /tmp/text.out
echo "=== DONE"
poweroff -f

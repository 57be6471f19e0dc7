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
#   H  Debian's haproxy, master-worker, its listener made MPTCP by Debian's
#      `mptcpize run` and asking for TFO, started before (HB) and after (HA)
#      tfotrace, five TFO clients; then (once) the first fix it was given
#      (HF), and its first program-level fix (HP), applied, and the clients
#      again
#   G  the Go 1.24 servers of tests/real/go (a go-default, b environment,
#      c SetMultipathTCP, d go-default with GODEBUG=x509sha1=1, e a Control
#      that returns the error) started after (GA) and before (GB) tfotrace;
#      then (once) the first program-level fix of a, b and d, taken from
#      GA's findings and applied as printed (GF)
# and last, in text, the report a user reads for the Go-style server.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# the cgroup v2 hierarchy where Debian 12's systemd mounts it: the
# handshake observer attaches to its root
mount -t cgroup2 cgroup2 /sys/fs/cgroup
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

# the handshake observer in every mode (WIRE="" for a run without it)
WIRE=--wire
start_tool() {	# $1 = output name, the rest = options
	name=$1
	shift
	rm -f /tmp/ready
	tfotrace --json $WIRE --ready-file /tmp/ready "$@" >/tmp/$name.json 2>/tmp/$name.err &
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

# haproxy under Debian's `mptcpize run` (its TCP sockets made MPTCP), or
# as $1 says (plain: without it); MASTER its master's pid once up
start_haproxy() {
	rm -f /tmp/haproxy.pid /tmp/haproxy.log
	run=mptcpize
	[ "$1" = plain ] && run=
	${run:+mptcpize run} haproxy -f /etc/haproxy/haproxy.cfg \
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

# The Go servers: variant letter -> port, program, environment
go_port() { case $1 in a) echo 18081;; b) echo 18082;; c) echo 18083;; d) echo 18084;; e) echo 18085;; esac; }
go_bin() { case $1 in a|d) echo tfo-go-default;; b) echo tfo-go-old;; c) echo tfo-go-setmptcp;; e) echo tfo-go-return;; esac; }
go_env() { case $1 in b) echo GODEBUG=multipathtcp=2;; d) echo GODEBUG=x509sha1=1;; esac; }
# (e)'s TFO works on 6.1 (its TCP fallback): on an address of its own, the
# cookie its clients keep is not for the others' 127.0.0.1
go_addr() { case $1 in e) echo 127.0.0.5;; *) echo 127.0.0.1;; esac; }

# start_go V [ENV]: variant V with its environment (or ENV, a fix's), and
# nothing else in it; its ready line in /tmp/goV.ready
start_go() {
	envs=$(go_env $1)
	[ $# -gt 1 ] && envs=$2
	rm -f /tmp/go$1.ready
	env -i $envs $(go_bin $1) -listen $(go_addr $1):$(go_port $1) \
		>/tmp/go$1.ready 2>/tmp/go$1.log &
	eval GOPID_$1=$!
	wait_for /tmp/go$1.ready '"op":"ready"'
}

stop_go() {
	eval "kill \$GOPID_$1; wait \$GOPID_$1"
}

# G: the Go servers, in the guest's own namespace (tfotrace's: the scan
# sees them), under tfotrace in mode $1
go_sessions() {
	echo 3 >/proc/sys/net/ipv4/tcp_fastopen
	start_tool GA --attach $1
	for v in a b c d e; do
		start_go $v
		tfo_client --addr $(go_addr $v) --port $(go_port $v) --clients $CLIENTS >/tmp/GA$v.client
	done
	stop_tool
	for v in a b c d e; do
		stop_go $v
		section "$1 GA $v ready" /tmp/go$v.ready
		section "$1 GA $v client" /tmp/GA$v.client
	done
	for v in a b c d; do start_go $v; done
	start_tool GB --attach $1
	for v in a b c d; do
		tfo_client --addr $(go_addr $v) --port $(go_port $v) --clients $CLIENTS >/tmp/GB$v.client
	done
	stop_tool
	for v in a b c d; do
		stop_go $v
		section "$1 GB $v ready" /tmp/go$v.ready
		section "$1 GB $v client" /tmp/GB$v.client
	done
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
	go_sessions $MODE

	# R: two hooked functions "renamed" in the BTF given with --btf
	[ $MODE = tracepoint ] && continue
	btf_rename /sys/kernel/btf/vmlinux /tmp/renamed.btf \
		tcp_try_fastopen tcp_try_fastopeX mptcp_setsockopt mptcp_setsockopX
	WIRE=
	start_tool R --attach $MODE --btf /tmp/renamed.btf
	WIRE=--wire
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
# HP: the first program-level fix tfotrace gave haproxy (under mptcpize:
# start it without `mptcpize run`), applied: a plain TCP listener, TFO
if grep -q 'start it without `mptcpize run`' /tmp/HA.json; then
	echo 3 >/proc/sys/net/ipv4/tcp_fastopen
	start_tool HP
	start_haproxy plain
	tfo_client --port 18080 --clients $CLIENTS >/tmp/HP.client
	echo "{\"master\":$MASTER}" >/tmp/HP.pid
	stop_haproxy
	MODE=fix
	stop_tool
	section "HP haproxy" /tmp/HP.pid
	section "HP client" /tmp/HP.client
fi
# GF: the first program-level fix of the Go servers a, b and d, as GA's
# findings printed it (its GODEBUG), applied: each started again with it
echo 3 >/proc/sys/net/ipv4/tcp_fastopen
start_tool GF
for v in a b d; do
	fix=$(grep '"final":true' /tmp/GA.json | grep "\"port\":$(go_port $v)," |
	      grep '"kind":"mptcp-tfo-rejected"' | head -1 |
	      sed -n 's/.*`\(Environment=\)\{0,1\}"\{0,1\}GODEBUG=\([^`"]*\)"\{0,1\}`.*/\2/p')
	[ -n "$fix" ] || continue
	echo "{\"fix\":\"GODEBUG=$fix\"}" >/tmp/GF$v.fix
	start_go $v "GODEBUG=$fix"
	tfo_client --addr $(go_addr $v) --port $(go_port $v) --clients $CLIENTS >/tmp/GF$v.client
	stop_go $v
	cp /tmp/go$v.ready /tmp/GF$v.ready
done
MODE=fix
stop_tool
for v in a b d; do
	[ -f /tmp/GF$v.fix ] || continue
	section "GF $v fix" /tmp/GF$v.fix
	section "GF $v ready" /tmp/GF$v.ready
	section "GF $v client" /tmp/GF$v.client
done
# The report a user reads for the Go servers a, b and c, in text
echo 3 >/proc/sys/net/ipv4/tcp_fastopen
tfotrace --ready-file /tmp/ready >/tmp/gotext.out 2>/tmp/gotext.err &
TOOL=$!
wait_for /tmp/ready .
for v in a b c; do
	start_go $v
	tfo_client --addr $(go_addr $v) --port $(go_port $v) --clients $CLIENTS >/dev/null
done
for v in a b c; do stop_go $v; done
kill -TERM $TOOL
wait $TOOL
section "go text report" /tmp/gotext.out
# The README's example session: one Go 1.24 server started under tfotrace,
# five TFO clients on an address no cookie is cached for, Ctrl-C; both
# streams, as a terminal shows them
tfotrace --ready-file /tmp/ready >/tmp/example.out 2>&1 &
TOOL=$!
wait_for /tmp/ready .
env -i tfo-go-default -listen 127.0.0.9:18089 >/tmp/goX.ready 2>/tmp/goX.log &
GOPID_X=$!
wait_for /tmp/goX.ready '"op":"ready"'
tfo_client --addr 127.0.0.9 --port 18089 --clients $CLIENTS >/dev/null
kill $GOPID_X; wait $GOPID_X
kill -INT $TOOL
wait $TOOL
section "example session" /tmp/example.out
# The same in tracepoint mode, where the handshake observer is the per-SYN
# evidence: the seed's case as a capture would show it
tfotrace --attach tracepoint --ready-file /tmp/ready >/tmp/tpexample.out 2>&1 &
TOOL=$!
wait_for /tmp/ready .
env -i tfo-go-default -listen 127.0.0.10:18090 >/tmp/goY.ready 2>/tmp/goY.log &
GOPID_Y=$!
wait_for /tmp/goY.ready '"op":"ready"'
tfo_client --addr 127.0.0.10 --port 18090 --clients $CLIENTS >/tmp/goY.client
kill $GOPID_Y; wait $GOPID_Y
kill -INT $TOOL
wait $TOOL
section "tracepoint example session" /tmp/tpexample.out
section "tracepoint example client" /tmp/goY.client

# Bad input: hand-made SYNs (tests/scenarios/syn_craft.c), every case, IPv4
# and IPv6, TCP and MPTCP listeners, under the observer with --all (auto
# mode, --wire)
tfotrace --json --all --wire --ready-file /tmp/ready >/tmp/SC.json 2>/tmp/SC.err &
TOOL=$!
wait_for /tmp/ready .
for fam in 4 6; do
	for proto in tcp mptcp; do
		syn_craft --family $fam --proto $proto >>/tmp/SC.cases 2>>/tmp/SC.err
	done
done
kill -INT $TOOL
wait $TOOL
echo "exit $?" >>/tmp/SC.err
section "craft tool" /tmp/SC.json
section "craft cases" /tmp/SC.cases
section "craft stderr" /tmp/SC.err

# Real clients: Debian's curl --tcp-fastopen, five requests, to haproxy
# plain (TFO works on every kernel) and under mptcpize (6.1: refused), in
# tracepoint mode: the observer names curl and counts what the kernel does
for how in plain mptcpize; do
	echo 3 >/proc/sys/net/ipv4/tcp_fastopen
	tfotrace --json --attach tracepoint --ready-file /tmp/ready >/tmp/CU$how.json 2>/tmp/CU$how.err &
	TOOL=$!
	wait_for /tmp/ready .
	if [ $how = plain ]; then start_haproxy plain; else start_haproxy; fi
	grep TcpExt: /proc/net/netstat >/tmp/CU$how.netstat
	for i in 1 2 3 4 5; do
		curl -s -o /dev/null -w '%{http_code}\n' --tcp-fastopen http://127.0.0.1:18080/ >>/tmp/CU$how.codes
	done
	grep TcpExt: /proc/net/netstat >>/tmp/CU$how.netstat
	stop_haproxy
	kill -INT $TOOL
	wait $TOOL
	section "curl $how tool" /tmp/CU$how.json
	section "curl $how codes" /tmp/CU$how.codes
	section "curl $how netstat" /tmp/CU$how.netstat
done
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

# shellcheck shell=bash
# The test script of systemd_guest.py's own check, run as tfotest.service in
# the systemd guest (lib.sh's section, wait_until, main_pid and mark are
# defined). tfotrace's .deb was installed with dpkg -i; demo.service is
# enabled. Prints, between markers:
#   tfotrace.service started by systemctl, as the package ships it: its
#   attach message, its capability sets and its helper's, a Go-style MPTCP
#   listener asking for TFO (tfo_scenario) and the finding and metrics it
#   gets, systemctl stop, every journal entry of the unit, systemd's own
#   lines about it, systemd-analyze security;
#   tfogo.service, a real Go 1.24 server (tests/real/go/tfo-go-old: a module
#   before go 1.24) made MPTCP by its unit's Environment=GODEBUG=
#   multipathtcp=2, started at boot (before tfotrace): its finding in the
#   journal with its TFO clients; then the fix tfotrace printed for it,
#   applied as written (`systemctl edit` with the lines it names, then
#   the restart it names) while tfotrace runs: the process environment,
#   what systemctl show says, its clients and findings, before and after.

PROM=/var/lib/prometheus/node-exporter/tfotrace.prom
FIELDS=MESSAGE,SYSLOG_IDENTIFIER,_TRANSPORT,PRIORITY,_PID

status_of() {	# the lines of /proc/$1/status a sandbox check needs
	grep -E '^(Name|Pid|PPid|Uid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' \
		"/proc/$1/status" | tr -d '\t'
}

# shellcheck disable=SC2016 # dpkg-query's ${fields}
section install dpkg-query -W -f='${Package} ${Version} ${Status}\n' tfotrace bpftool
section "tfotrace is-enabled" systemctl is-enabled tfotrace

# --- tfotrace.service ----------------------------------------------------------
mark "tfotrace start"
systemctl start tfotrace
wait_until 300 sh -c 'journalctl -u tfotrace -o cat | grep -q "attached in"'
mark "tfotrace attached"
section "tfotrace is-active" systemctl is-active tfotrace
pid=$(main_pid tfotrace)
# the helper is forked and every capability dropped after the attach message
wait_until 60 sh -c "grep -q '^CapEff:[[:space:]]*0*$' /proc/$pid/status &&
	test -n \"\$(cat /proc/$pid/task/*/children)\""
helper=$(cat /proc/"$pid"/task/*/children | tr ' ' '\n' | grep -m1 .)
section "tfotrace main status" status_of "$pid"
section "tfotrace helper status" status_of "$helper"

# A Go-style server: MPTCP, asks for TFO, in the guest's own namespace;
# held open until its finding is in the journal and the metrics.
echo 3 >/proc/sys/net/ipv4/tcp_fastopen
rm -f /tmp/go && mkfifo /tmp/go
tfo_scenario --no-netns --proto mptcp --clients 3 --wait </tmp/go >/tmp/sc.json &
sc=$!
exec 3>/tmp/go
wait_until 30 grep -q '"op":"ready"' /tmp/sc.json
port=$(sed -n 's/.*"op":"server".*"port":\([0-9]*\).*/\1/p' /tmp/sc.json)
wait_until 60 sh -c "journalctl -u tfotrace -o cat | grep '\"type\":\"finding\"' |
	grep -q '\"port\":${port}[,}]'"
mark "finding in the journal"
wait_until 40 grep -q "port=\"$port\"" "$PROM"
mark "listener in the metrics"
section "prom while listening" cat "$PROM"
echo go >&3
exec 3>&-
wait $sc
section scenario cat /tmp/sc.json
sleep 1

# --- tfogo.service: a Go server's unit, and the fix tfotrace gives it -------
GOPORT=18443
go_facts() {
	local p
	p=$(main_pid tfogo)
	echo "pid=$p"
	tr '\0' '\n' <"/proc/$p/environ" | grep '^GODEBUG=' | sed 's/^/environ=/'
	systemctl show tfogo -p Environment -p DropInPaths -p FragmentPath -p ActiveState
	journalctl -u tfogo -o cat | grep '"op":"ready"' | tail -1
}
go_findings() {	# tfotrace's findings about the Go server's port
	journalctl -u tfotrace -o cat | grep '"type":"finding"' | grep "\"port\":$GOPORT,"
}
section "tfogo before" go_facts
section "tfogo clients" tfo_client --port $GOPORT --clients 5
wait_until 60 sh -c "journalctl -u tfotrace -o cat | grep '\"type\":\"finding\"' |
	grep -q '\"port\":$GOPORT,'"
section "tfogo findings" go_findings
# The fix as printed: the unit `systemctl edit` names, the lines it says
# to add (`systemctl edit` wants a terminal: script gives it one, the
# "editor" types them), the restart it names.
advice=$(go_findings | grep -o 'systemctl edit [^`]*`, add the lines `\[Service\]` and `[^`]*`, then `systemctl restart [^`]*`' | head -1)
if [ -n "$advice" ]; then
	unit=$(echo "$advice" | sed -n 's/^systemctl edit \([^`]*\)`.*/\1/p')
	line=$(echo "$advice" | sed -n 's/.*and `\([^`]*\)`, then.*/\1/p')
	restart=$(echo "$advice" | sed -n 's/.*then `\(systemctl restart [^`]*\)`$/\1/p')
	printf '#!/bin/sh\nprintf "[Service]\\n%s\\n" >"$1"\n' "$line" >/tmp/editor
	chmod 0755 /tmp/editor
	section "tfogo fix" printf 'unit=%s\nline=%s\nrestart=%s\n' "$unit" "$line" "$restart"
	section "tfogo systemctl edit" env SYSTEMD_EDITOR=/tmp/editor script -qec "systemctl edit $unit" /dev/null
	section "tfogo override.conf" cat /etc/systemd/system/tfogo.service.d/override.conf
	$restart
	wait_until 30 sh -c "journalctl -u tfogo -o cat | grep -c '\"op\":\"ready\"' | grep -q 2"
	section "tfogo after" go_facts
	section "tfogo fixed clients" tfo_client --port $GOPORT --clients 5
	wait_until 60 sh -c "journalctl -u tfotrace -o cat | grep '\"kind\":\"tfo-ok\"' |
		grep -q '\"port\":$GOPORT,'"
	section "tfogo fixed findings" go_findings
	section "tfogo cat" systemctl cat tfogo
fi
systemctl stop tfogo

# The exit status: systemd logs it at debug level only when it is 0 (and
# forgets it once the stopped unit, enabled nowhere, is unloaded).
systemd-analyze log-level debug
systemctl stop tfotrace
systemd-analyze log-level info
mark "tfotrace stopped"
section "tfotrace stopped" systemctl is-active tfotrace
section "tfotrace exit" sh -c 'journalctl -b _PID=1 -o cat |
	grep "^tfotrace.service: Main process exited"'
section "tfotrace journal" journalctl -u tfotrace -o json --output-fields=$FIELDS
section "systemd about tfotrace" sh -c 'journalctl -b _PID=1 -p info -o cat | grep -i tfotrace'
section "prom after stop" sh -c "stat -c 'mode=%a owner=%U' $PROM; cat $PROM"
section "tfotrace security" systemd-analyze security --no-pager tfotrace.service


#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The package test (make test-pkg): builds the .deb from build/tfotrace-static
# with user/dist/build-deb.sh, lints it, installs it into a clean Debian 12
# root (debootstrap --variant=minbase, cached as a tarball in .cache/pkg),
# checks what it installed there, then removes it.
#
# Needs root (chroot, mount, BPF for --scan); without it prints
# "SKIPPED: needs root" and exits 0. Cold (debootstrap from the mirror in
# /etc/apt/sources.list*): a few minutes; warm: about 20 seconds.
#
# Environment:
#   TFOTRACE_BINARY   the static binary (default build/tfotrace-static)
#   PKG_MAX_EXPOSURE  fail if systemd-analyze security rates the unit above
#                     this (default 3.5; it is 3.2 today)
#   PKG_REFRESH=1     rebuild the cached Debian root
#   PKG_KEEP=1        keep the test root (printed) instead of deleting it
# Single quotes below are deliberate: bash -c and dpkg-query expand them.
# shellcheck disable=SC2016
set -euo pipefail

if [[ $EUID -ne 0 ]]; then
	echo "SKIPPED: needs root"
	exit 0
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=$repo/.cache/pkg
binary=${TFOTRACE_BINARY:-$repo/build/tfotrace-static}
max_exposure=${PKG_MAX_EXPOSURE:-3.5}
suite=bookworm
# bash-completion to run the completion; systemd for systemd-analyze, so
# the unit is checked by the systemd it will run under.
include=man-db,bash-completion,systemd
start=$SECONDS

passed=0
failed=0
say() { echo "pkg: $*"; }
pass() { passed=$((passed + 1)); say "ok   $1"; }
fail() {
	failed=$((failed + 1))
	say "FAIL $1"
	[[ $# -lt 2 || -z $2 ]] || printf '%s\n' "$2" | sed 's/^/      | /' | head -40
}
# check NAME COMMAND...: passes when COMMAND exits 0; its output is shown
# only when it fails.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}
finish() {
	say "$passed passed, $failed failed ($((SECONDS - start)) s)"
	[[ $failed -eq 0 ]]
}

for tool in dpkg-deb lintian debootstrap man file strip gzip; do
	command -v "$tool" >/dev/null || {
		say "FAIL $tool is missing: apt-get install debootstrap lintian man-db file binutils (make deps)"
		exit 1
	}
done
[[ -x $binary ]] || { say "FAIL $binary is missing: run make static"; exit 1; }

# --- build and lint -----------------------------------------------------------
mkdir -p "$cache/out"
if deb=$("$repo/user/dist/build-deb.sh" "$binary" "$cache/out" 2>&1); then
	pass "build-deb.sh: ${deb#"$repo"/}"
else
	fail "build-deb.sh" "$deb"
	finish
	exit 1
fi
upstream=$("$binary" --version | awk 'NR == 1 { print $2 }')

# --fail-on error,warning: an E: or W: tag that no shipped override covers
# fails; I: tags are shown only.
lint_rc=0
lint=$(lintian --info --fail-on error,warning "$deb" 2>&1) || lint_rc=$?
lint=$(grep -v '^running with root privileges is not recommended!$' <<<"$lint" || true)
if [[ $lint_rc -eq 0 ]]; then
	pass "lintian: no errors or warnings ($(grep -c '^I:' <<<"$lint" || true) info tags)"
	[[ -z $lint ]] || printf '%s\n' "$lint" | sed 's/^/      | /'
else
	fail "lintian (exit $lint_rc)" "$lint"
fi

# The page itself, with the host's man (lintian checks the same way).
check "man --warnings: no warnings from tfotrace.8" \
	bash -c 'w=$(man --warnings -l "$1" 2>&1 >/dev/null); [[ -z $w ]] || { echo "$w"; false; }' \
	_ "$repo/user/dist/tfotrace.8"

# --- a clean Debian 12 root, from the cache -------------------------------------
# unmount_under DIR: what a failed debootstrap (or this test) left mounted.
unmount_under() {
	local m
	for m in $(findmnt -rn -o TARGET | grep -F "$1/" | sort -r || true); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	! findmnt -rn -o TARGET | grep -qF "$1/"
}
# The first Debian mirror in this machine's APT sources, for the suite.
mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -r $f ]] || continue
		awk -v s="$suite" '$1 == "deb" && $0 ~ " " s " " {
			for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -r $f ]] || continue
		awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" }
			{ uri = ""; ok = 0; deb = 0
			  for (i = 1; i <= NF; i++) {
				if ($i ~ /^URIs:/) { split($i, u, " "); uri = u[2] }
				if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
				if ($i ~ /^Suites:/ && $i ~ ("[ \t]" s "([ \t]|$)")) ok = 1 }
			  if (deb && ok && uri != "") print uri }' "$f"
	done
}
mirror=$(mirror | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
key=$(printf '%s %s %s' "$suite" "$include" "$mirror" | md5sum | cut -c1-8)
tarball=$cache/$suite-minbase-$key.tar

if [[ ! -s $tarball || ${PKG_REFRESH:-0} == 1 ]]; then
	say "debootstrap --variant=minbase --include=$include $suite from $mirror (cached afterwards as ${tarball#"$repo"/})"
	fresh=$(mktemp -d "$cache/debootstrap.XXXXXX")
	chmod 0755 "$fresh"	# mktemp's 0700 would lock non-root users out of /
	if ! out=$(debootstrap --variant=minbase --include="$include" "$suite" "$fresh" "$mirror" 2>&1); then
		fail "debootstrap" "$(tail -20 <<<"$out"; tail -20 "$fresh/debootstrap/debootstrap.log" 2>/dev/null)"
		unmount_under "$fresh" && rm -rf --one-file-system "$fresh"
		finish
		exit 1
	fi
	rm -f "$fresh"/var/cache/apt/archives/*.deb
	unmount_under "$fresh"
	tar -C "$fresh" --numeric-owner -cpf "$tarball.tmp" .
	mv "$tarball.tmp" "$tarball"
	rm -rf --one-file-system "$fresh"
	pass "debootstrap $suite ($(du -h "$tarball" | cut -f1) tarball)"
fi

root=$(mktemp -d "$cache/root.XXXXXX")
cleanup() {
	# A signal now must not cut the cleanup short.
	trap '' INT TERM
	# Unmount whatever is under the root, deepest first, before deleting.
	if ! unmount_under "$root"; then
		echo "pkg: warning: $root still has mounts; not deleting it" >&2
	elif [[ ${PKG_KEEP:-0} == 1 ]]; then
		echo "pkg: kept $root" >&2
	else
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tar -C "$root" --numeric-owner -xpf "$tarball"
chmod 0755 "$root"	# mktemp -d made it 0700: man-db's mandb runs as user man
mount_api() {
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup" 2>/dev/null || true
}
mount_api
in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LC_ALL=C.UTF-8 TERM=dumb "$@"
}

# --- what `make run` asks of apt on a bare Debian 12 ----------------------------------
# The tree in the clean root, make (the README's one line installs it on a
# bare system; here the host's binary), and an apt-get that writes down what
# it is asked and installs nothing: `make run`, `make static` and `make deb`
# must ask for the build packages (those the root lacks) and nothing else;
# `make test` asks for more (the recording sees it).
mkdir -p "$root/src" "$root/usr/local/sbin"
git -C "$repo" ls-files -z --cached --others --exclude-standard |
	tar -C "$repo" --null --ignore-failed-read -T - -cf - 2>/dev/null |
	tar -C "$root/src" -xf -
cp /usr/bin/make "$root/usr/local/bin/make"
cat >"$root/usr/local/sbin/apt-get" <<'SH'
#!/bin/sh
echo "$*" >>/tmp/apt-get.log
[ "$1" = update ] && exit 0
exit 100
SH
chmod 0755 "$root/usr/local/sbin/apt-get"
build_list=$(make -s -C "$repo" --no-print-directory print-BUILD_PACKAGES)
lacking=$(for p in $build_list; do
	in_root dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
done | sort | tr '\n' ' ')
asked_by() {	# the packages TARGET asks apt-get to install
	rm -f "$root/tmp/apt-get.log"
	in_root env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		make -C /src "$1" >/dev/null 2>&1 || true
	sed -n 's/^install -y --no-install-recommends //p' "$root/tmp/apt-get.log" 2>/dev/null |
		tr ' ' '\n' | grep . | sort -u | tr '\n' ' '
}
for target in run static deb; do
	asked=$(asked_by "$target")
	extra=$(comm -23 <(tr ' ' '\n' <<<"$asked" | grep . | sort) <(tr ' ' '\n' <<<"$build_list" | sort) | tr '\n' ' ')
	if [[ -n $asked && -z $extra && $asked == "$lacking" ]]; then
		pass "make $target on a bare Debian 12 asks apt-get for the build packages alone: $asked"
	else
		fail "make $target asked apt-get for '$asked'" "outside the build list: '$extra'; the root lacks: '$lacking'"
	fi
done
asked=$(asked_by test)
check "make test asks for the test stack too ($(wc -w <<<"$asked") packages)" \
	test -n "$asked" -a "$(wc -w <<<"$asked")" -gt "$(wc -w <<<"$lacking")"
rm -rf "$root/src" "$root/usr/local/sbin/apt-get" "$root/usr/local/bin/make" "$root/tmp/apt-get.log"

# --- install ---------------------------------------------------------------------
cp "$deb" "$root/tmp/"
debname=$(basename "$deb")
check "dpkg -i $debname" in_root dpkg -i "/tmp/$debname"
status=$(in_root dpkg-query -W -f='${Status}' tfotrace 2>&1 || true)
if [[ $status == "install ok installed" ]]; then pass "dpkg-query: $status"
else fail "dpkg-query: expected 'install ok installed'" "$status"; fi

# --- what it installed ---------------------------------------------------------------
out=$(in_root tfotrace --version 2>&1) || true
if [[ $out == "tfotrace $upstream" ]]; then pass "tfotrace --version: $out"
else fail "tfotrace --version: expected 'tfotrace $upstream'" "$out"; fi

if out=$(in_root tfotrace --help 2>&1) && grep -q '^Usage: tfotrace' <<<"$out"; then
	pass "tfotrace --help exits 0"
else
	fail "tfotrace --help" "$out"
fi

if out=$(in_root man -P cat tfotrace 2>&1) &&
	grep -q '^NAME' <<<"$out" && grep -q '^EXAMPLES' <<<"$out"; then
	pass "man -P cat tfotrace: NAME and EXAMPLES ($(wc -l <<<"$out") lines)"
else
	fail "man -P cat tfotrace" "$(head -20 <<<"$out")"
fi
if out=$(in_root env MANPAGER=cat man tfotrace 2>&1) && grep -q '^SECURITY' <<<"$out"; then
	pass "MANPAGER=cat man tfotrace"
else
	fail "MANPAGER=cat man tfotrace" "$(head -20 <<<"$out")"
fi
check "man --warnings tfotrace: none in the installed page" \
	bash -c 'w=$(chroot "$1" env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 man --warnings tfotrace 2>&1 >/dev/null)
		[[ -z $w ]] || { echo "$w"; false; }' _ "$root"
# dpkg's man-db trigger indexed the page: NAME parses.
if out=$(in_root whatis tfotrace 2>&1) && grep -q 'TCP Fast Open' <<<"$out"; then
	pass "whatis tfotrace: $out"
else
	fail "whatis tfotrace" "$out"
fi

check "unit installed: /lib/systemd/system/tfotrace.service" \
	test -f "$root/lib/systemd/system/tfotrace.service"
check "systemd-analyze verify tfotrace.service (bookworm's systemd)" \
	bash -c 'out=$(chroot "$1" env -i PATH=/usr/bin:/bin systemd-analyze verify \
		/lib/systemd/system/tfotrace.service 2>&1); rc=$?; echo "$out"; [[ $rc -eq 0 && -z $out ]]' \
	_ "$root"
sec=$(in_root systemd-analyze security --offline=yes tfotrace.service 2>&1 || true)
score=$(sed -n 's/.*Overall exposure level for tfotrace.service: \([0-9.]*\).*/\1/p' <<<"$sec")
if [[ -n $score ]] && awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'; then
	pass "systemd-analyze security --offline=yes: exposure $score (at most $max_exposure)"
else
	fail "systemd-analyze security: exposure '${score:-?}' above $max_exposure" "$(grep -E '✗|Overall' <<<"$sec")"
fi

check "alerting rules installed: /usr/share/tfotrace/tfotrace.rules.yml" \
	test -f "$root/usr/share/tfotrace/tfotrace.rules.yml"
# promtool (Debian's prometheus package, on the host): the installed rules
# parse, and fire on the series tfotrace writes (tests/pkg/tfotrace.rules.test.yml)
if command -v promtool >/dev/null; then
	check "promtool check rules: the installed tfotrace.rules.yml" \
		promtool check rules "$root/usr/share/tfotrace/tfotrace.rules.yml"
	rules_dir=$(mktemp -d)
	cp "$root/usr/share/tfotrace/tfotrace.rules.yml" "$repo/tests/pkg/tfotrace.rules.test.yml" "$rules_dir/"
	check "promtool test rules: each alert fires on tfotrace's series, and only then" \
		bash -c 'cd "$1" && promtool test rules tfotrace.rules.test.yml' _ "$rules_dir"
	rm -rf "$rules_dir"
else
	fail "promtool is missing (apt-get install prometheus: make deps)"
fi
check "completion installed: /usr/share/bash-completion/completions/tfotrace" \
	test -f "$root/usr/share/bash-completion/completions/tfotrace"
# complete WORDS...: what the completion offers for the last word.
complete_words() {
	in_root bash -c '. /usr/share/bash-completion/bash_completion
		. /usr/share/bash-completion/completions/tfotrace
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_tfotrace tfotrace "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}
completion_is() {	# completion_is EXPECTED WORDS...
	local want=$1 got
	shift
	got=$(complete_words "$@" | sort | tr '\n' ' ')
	if [[ $got == "$want " ]]; then pass "complete '$*' -> $want"
	else fail "complete '$*': expected '$want'" "got: '$got'"; fi
}
completion_is "--attach" tfotrace --att
completion_is "auto fentry kprobe tracepoint" tfotrace --attach ""
completion_is "fentry" tfotrace --attach=f
completion_is "doctor" tfotrace d
completion_is "--btf --help --json" tfotrace doctor --
completion_is "--pid --prometheus" tfotrace --p
completion_is "--failed --findings" tfotrace --f
got=$(complete_words tfotrace -p 1)
if grep -qx 1 <<<"$got" && ! grep -qv '^[0-9]*$' <<<"$got"; then
	pass "complete 'tfotrace -p 1' -> pids ($(wc -l <<<"$got"))"
else
	fail "complete 'tfotrace -p 1': expected pids" "$got"
fi
got=$(complete_words tfotrace --cgroup "")
if [[ -z $(find "$root/sys/fs/cgroup" -mindepth 1 -maxdepth 1 -type d -print -quit 2>/dev/null) ]]; then
	pass "complete 'tfotrace --cgroup': (no cgroup directories to offer here)"
elif [[ -n $got ]] && ! grep -qv '^/sys/fs/cgroup/' <<<"$got"; then
	pass "complete 'tfotrace --cgroup' -> directories under /sys/fs/cgroup ($(wc -l <<<"$got"))"
else
	fail "complete 'tfotrace --cgroup': expected /sys/fs/cgroup/..." "$got"
fi

# Root and BPF here: the listener scan runs for real inside the root.
rc=0
out=$(in_root tfotrace --scan 2>&1) || rc=$?
if [[ $rc -eq 0 ]]; then
	pass "tfotrace --scan exits 0 ($(grep -c '^listener' <<<"$out" || true) listeners)"
else
	fail "tfotrace --scan: exit $rc$( ((rc > 128)) && echo " (signal $((rc - 128)))")" "$out"
fi

# doctor from the package: healthy (0) or a problem found (3), and a verdict
rc=0
out=$(in_root tfotrace doctor 2>&1) || rc=$?
if [[ ($rc -eq 0 || $rc -eq 3) && $out == *"verdict: "* &&
	$out != *"no attach mode works"* ]]; then
	pass "tfotrace doctor: exit $rc, $(grep -o 'verdict: .*' <<<"$out")"
else
	fail "tfotrace doctor: exit $rc" "$out"
fi
if [[ -n ${PKG_SHOW_DOCTOR:-} ]]; then echo "$out"
fi

# --- the unit under systemd --------------------------------------------------------
# Boot the root with systemd-nspawn (bookworm's systemd 252 as PID 1) and run
# the installed tfotrace.service for real, sandbox and all. nspawn's own
# seccomp filter denies bpf() and perf_event_open(): --system-call-filter
# adds them back. PKG_NSPAWN=0 skips this (it needs systemd-container).
nspawn_check() {
	local noprom=0 result=$root/root/tfocheck.txt log rc=0 r
	[[ -n $root && -d $root/etc/systemd/system ]] || { fail "nspawn_check: no root"; return; }
	if ! in_root tfotrace --help 2>/dev/null | grep -q -- --prometheus; then
		# Until the binary has --prometheus: the unit minus that option.
		say "note: this tfotrace has no --prometheus yet: the boot test runs the unit with ExecStart=/usr/sbin/tfotrace --json"
		mkdir -p "$root/etc/systemd/system/tfotrace.service.d"
		printf '[Service]\nExecStart=\nExecStart=/usr/sbin/tfotrace --json\n' \
			>"$root/etc/systemd/system/tfotrace.service.d/pkg-test.conf"
		noprom=1
	fi
	cat >"$root/etc/systemd/system/tfocheck.service" <<'UNIT'
[Unit]
After=tfotrace.service
[Service]
Type=oneshot
ExecStart=/bin/sh -c '\
  out=/root/tfocheck.txt; \
  for i in $(seq 100); do journalctl -b -u tfotrace -o cat | grep -q "attached in" && break; sleep 0.2; done; \
  echo "active=$(systemctl is-active tfotrace)" >$out; \
  pid=$(systemctl show -p MainPID --value tfotrace); \
  grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/$pid/status | tr -d "\t" | tr : = >>$out; \
  helper=$(cut -d" " -f1 </proc/$pid/task/$pid/children); \
  grep -E "^CapEff:" /proc/$helper/status | tr -d "\t" | sed "s/^CapEff:/helperCapEff=/" >>$out; \
  journalctl -b -u tfotrace -o cat | grep -m1 "attached in" | sed "s/^/attached=/" >>$out; \
  systemctl stop tfotrace; \
  systemctl show -p Result -p ExecMainStatus tfotrace | sed "s/^/stop/" >>$out; \
  test -s /var/lib/prometheus/node-exporter/tfotrace.prom && echo prom=yes >>$out; \
  journalctl -b -u tfotrace -o cat | grep "^tfotrace:" | tail -5 | sed "s/^/log=/" >>$out; \
  systemctl poweroff'
[Install]
WantedBy=multi-user.target
UNIT
	in_root systemctl enable tfotrace.service tfocheck.service >/dev/null 2>&1
	rm -f "$result"
	# nspawn mounts /proc, /sys and the cgroups itself.
	unmount_under "$root"
	# --keep-unit: nspawn makes payload/ and supervisor/ cgroups under ours
	# and leaves them behind; remove those it created, once empty.
	local cg='' sub made=()
	if [[ $(stat -fc %T /sys/fs/cgroup 2>/dev/null) == cgroup2fs ]]; then cg=/sys/fs/cgroup
	elif [[ $(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null) == cgroup2fs ]]; then cg=/sys/fs/cgroup/unified
	fi
	[[ -z $cg ]] || cg=$cg$(sed -n 's/^0:://p' /proc/self/cgroup)
	for sub in payload supervisor; do
		[[ -z $cg || -e $cg/$sub ]] || made+=("${cg%/}/$sub")
	done
	log=$(cd / && timeout 120 systemd-nspawn -q -D "$root" --register=no --keep-unit \
		--capability=all --system-call-filter='bpf perf_event_open' -b 2>&1) || rc=$?
	for sub in ${made[@]+"${made[@]}"}; do
		[[ -d $sub ]] && find "$sub" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	mount_api
	in_root systemctl disable tfotrace.service tfocheck.service >/dev/null 2>&1 || true
	rm -rf "$root/etc/systemd/system/tfotrace.service.d" "$root/etc/systemd/system/tfocheck.service"
	if [[ ! -s $result ]]; then
		# shellcheck disable=SC2001 # strips terminal colours
		fail "systemd-nspawn boot: no result (exit $rc)" "$(sed 's/\x1b\[[0-9;]*m//g' <<<"$log" | tail -15)"
		return
	fi
	r=$(cat "$result")
	nspawn_is() {	# nspawn_is NAME LINE-REGEX
		if grep -qx -- "$2" <<<"$r"; then pass "under systemd: $1"
		else fail "under systemd: $1" "$r"; fi
	}
	nspawn_is "tfotrace.service active" "active=active"
	nspawn_is "attached ($(sed -n 's/^attached=tfotrace: attached in \([a-z]*\) mode.*/\1 mode/p' <<<"$r"))" \
		"attached=tfotrace: attached in .*"
	nspawn_is "every capability dropped (CapEff 0)" "CapEff=0000000000000000"
	nspawn_is "bounding set emptied (CapBnd 0)" "CapBnd=0000000000000000"
	nspawn_is "its helper keeps CAP_SYS_PTRACE alone" "helperCapEff=0000000000080000"
	nspawn_is "no_new_privs" "NoNewPrivs=1"
	nspawn_is "seccomp filter on" "Seccomp=2"
	nspawn_is "systemctl stop: exit 0" "stopExecMainStatus=0"
	[[ $noprom == 1 ]] ||
		nspawn_is "metrics in /var/lib/prometheus/node-exporter/tfotrace.prom" "prom=yes"
}
if [[ ${PKG_NSPAWN:-1} == 0 ]]; then
	say "skip the boot test (PKG_NSPAWN=0)"
elif ! command -v systemd-nspawn >/dev/null; then
	say "skip the boot test: no systemd-nspawn (apt-get install systemd-container)"
else
	nspawn_check
fi

# Reinstalling runs the upgrade path of the maintainer scripts.
check "dpkg -i $debname again (upgrade path)" in_root dpkg -i "/tmp/$debname"

# --- removal -----------------------------------------------------------------------
prom=/var/lib/prometheus/node-exporter/tfotrace.prom
echo "tfotrace_stale 1" >"$root$prom"
check "dpkg -r tfotrace" in_root dpkg -r tfotrace
left=
for f in /usr/sbin/tfotrace /usr/share/man/man8/tfotrace.8.gz \
	/lib/systemd/system/tfotrace.service \
	/usr/share/bash-completion/completions/tfotrace \
	/usr/share/doc/tfotrace /usr/share/lintian/overrides/tfotrace "$prom"; do
	[[ ! -e $root$f ]] || left+="$f "
done
if [[ -z $left ]]; then pass "dpkg -r removed every file (and the stale $prom)"
else fail "dpkg -r left files behind" "$left"; fi
# A package with a postrm stays in config-files state until purged.
status=$(in_root dpkg-query -W -f='${Status}' tfotrace 2>&1 || true)
if [[ $status == "deinstall ok config-files" ]]; then pass "dpkg-query after -r: $status"
else fail "dpkg-query after -r: expected 'deinstall ok config-files'" "$status"; fi
mkdir -p "$root/var/cache/tfotrace" && touch "$root/var/cache/tfotrace/0123.btf"
check "dpkg -P tfotrace" in_root dpkg -P tfotrace
check "dpkg -P removed the BTF cache /var/cache/tfotrace" test ! -e "$root/var/cache/tfotrace"
if ! in_root dpkg-query -W tfotrace >/dev/null 2>&1; then
	pass "dpkg-query after -P: tfotrace unknown"
else
	fail "dpkg-query after -P: still known" "$(in_root dpkg-query -W -f='${Status}' tfotrace 2>&1)"
fi

finish

#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# build-deb.sh BINARY OUTDIR [VERSION]
#
# Builds OUTDIR/tfotrace_VERSION_amd64.deb from a static tfotrace binary
# (make static: build/tfotrace-static) and the files next to this script,
# with dpkg-deb --root-owner-group: no debian/ source tree, no debhelper.
#
#   VERSION    the Debian version; by default the binary's own
#              (`BINARY --version` prints "tfotrace 0.1.0") plus the
#              revision "-1". A VERSION without a "-" gets "-1" as well:
#              the package ships changelog.Debian.gz, which is the
#              changelog of a non-native package, so it needs a revision.
#
# Environment: DEB_MAINTAINER (the Maintainer field), SOURCE_DATE_EPOCH
# (every timestamp in the package; by default the binary's mtime, so the
# same binary gives a byte-identical .deb).
#
# Prints the path of the .deb on stdout. Needs dpkg-deb, strip, readelf,
# gzip: what building needs already.
#
# Lintian (bookworm's 2.116) on the result: clean except for what
# deb/lintian-overrides overrides, each tag with its reason there:
#   statically-linked-binary  the point of this package: one binary with no
#                             shared-library dependencies, for hosts without
#                             a compiler or libbpf. Built-Using names the
#                             static libraries' sources, as policy 7.8 asks.
set -euo pipefail

die() { echo "build-deb.sh: $*" >&2; exit 1; }

[[ $# -ge 2 && $# -le 3 ]] || die "usage: build-deb.sh BINARY OUTDIR [VERSION]"
binary=$1
outdir=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

[[ -f $binary && -x $binary ]] || die "$binary: not an executable file"
# nothing beyond what building needs (binutils comes with gcc)
for tool in dpkg-deb strip readelf gzip; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install dpkg binutils gzip)"
done
readelf -h "$binary" 2>/dev/null | grep -q 'Machine:.*X86-64' ||
	die "$binary is not an x86-64 ELF binary"
# a program interpreter (ld.so) is what a dynamically linked one asks for
! readelf -lW "$binary" | grep -q 'INTERP' ||
	die "$binary is not statically linked (make static builds build/tfotrace-static)"

if [[ $# -eq 3 ]]; then
	version=$3
else
	version=$("$binary" --version | awk 'NR == 1 && $1 == "tfotrace" { print $2 }')
	[[ -n $version ]] || die "cannot read the version from '$binary --version'"
fi
[[ $version == *-* ]] || version=$version-1
[[ $version =~ ^[0-9][A-Za-z0-9.+~]*-[A-Za-z0-9.+~]+$ ]] ||
	die "invalid Debian version '$version'"

maintainer=${DEB_MAINTAINER:-tfotrace developers <tfotrace-devel@example.org>}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$binary")}
export TZ=UTC LC_ALL=C.UTF-8
umask 022

mkdir -p "$outdir"
stage=$(mktemp -d "${TMPDIR:-/tmp}/tfotrace-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root

install -d "$root/DEBIAN" "$root/usr/sbin" "$root/usr/share/man/man8" \
	"$root/lib/systemd/system" "$root/usr/share/bash-completion/completions" \
	"$root/usr/share/doc/tfotrace" "$root/usr/share/lintian/overrides" \
	"$root/usr/share/tfotrace" "$root/var/lib/prometheus/node-exporter"

# The binary, stripped as dh_strip strips an executable.
install -m 0755 "$binary" "$root/usr/sbin/tfotrace"
strip --remove-section=.comment --remove-section=.note "$root/usr/sbin/tfotrace"

gzip -9n <"$here/tfotrace.8" >"$root/usr/share/man/man8/tfotrace.8.gz"
install -m 0644 "$here/tfotrace.service" "$root/lib/systemd/system/tfotrace.service"
install -m 0644 "$here/tfotrace.bash-completion" \
	"$root/usr/share/bash-completion/completions/tfotrace"
install -m 0644 "$here/tfotrace.rules.yml" "$root/usr/share/tfotrace/tfotrace.rules.yml"
install -m 0644 "$here/deb/copyright" "$root/usr/share/doc/tfotrace/copyright"
install -m 0644 "$here/deb/lintian-overrides" "$root/usr/share/lintian/overrides/tfotrace"
for script in postinst prerm postrm; do
	install -m 0755 "$here/deb/$script" "$root/DEBIAN/$script"
done

date_rfc2822=$(date -u -d "@$SOURCE_DATE_EPOCH" -R)
gzip -9n >"$root/usr/share/doc/tfotrace/changelog.Debian.gz" <<EOF
tfotrace ($version) bookworm; urgency=medium

  * Package tfotrace $version: /usr/sbin/tfotrace (static), tfotrace(8),
    tfotrace.service (the continuous watch, not enabled on install) and
    bash completion.

 -- $maintainer  $date_rfc2822
EOF

# Built-Using: the source packages of the static libraries in the binary
# (Debian policy 7.8), as this machine has them installed.
built_using=
for dev in libbpf-dev libelf-dev zlib1g-dev libc6-dev; do
	src=$(dpkg-query -W -f='${source:Package} (= ${source:Version})' "$dev" 2>/dev/null) || {
		echo "build-deb.sh: warning: $dev is not installed: left out of Built-Using" >&2
		continue
	}
	built_using+=${built_using:+, }$src
done

# Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up,
# and 1 per directory.
installed_size=$(cd "$root" && find . -path ./DEBIAN -prune -o \( -type f -printf '%s\n' \) \
	-o \( -type d -printf '1024\n' \) | awk '{ kib += int(($1 + 1023) / 1024) } END { print kib }')

cat >"$root/DEBIAN/control" <<EOF
Package: tfotrace
Version: $version
Architecture: amd64
Maintainer: $maintainer
Installed-Size: $installed_size
Section: net
Priority: optional
Recommends: bpftool
${built_using:+Built-Using: $built_using
}Description: trace where TCP Fast Open silently breaks (MPTCP, setsockopt)
 tfotrace traces setsockopt(2), socket(2) and listen(2) with eBPF, per
 socket: the protocol (TCP or MPTCP), the option, its value, the error,
 and the kernel function that returned it. It correlates them with the
 kernel's TCP Fast Open decisions, a scan of the existing listeners and
 the TcpExt counters into findings, each with the fixes that apply.
 .
 Its first target: Go 1.24 and later listen with MPTCP by default, and
 on kernels before 6.2 (Debian 12's 6.1) MPTCP rejects TCP_FASTOPEN with
 ENOPROTOOPT, so such servers (Xray-core, for one) silently run without
 Fast Open.
 .
 The binary is static: it needs no library, only a kernel with BTF;
 with bpftool it caches a minimized copy of that BTF and starts faster.
 tfotrace.service watches continuously, logging its findings as JSON
 Lines to the journal and writing metrics for prometheus-node-exporter's
 textfile collector, with Prometheus alerting rules beside it; it is not
 enabled on install.
EOF

(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
	xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

# Reproducible: every mtime is SOURCE_DATE_EPOCH (dpkg-deb clamps the ar
# and tar headers to it as well).
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

deb=$outdir/tfotrace_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"

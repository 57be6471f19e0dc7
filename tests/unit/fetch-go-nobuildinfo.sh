#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# A real Go executable without a .go.buildinfo section, for test_goinfo
# (make test-unit and test-san run this first): esbuild's Linux x86-64
# release from the npm registry, fetched with `npm pack` through whatever
# registry npm is configured with, checked against its sha256 and kept in
# .cache/npm/. Quiet when the cached copy is good.
#
#   @esbuild/linux-x64@0.28.2, package/bin/esbuild, 11427952 bytes:
#   ELF64 x86-64, static, stripped; readelf -S lists .text .rodata
#   .gopclntab .typelink .itablink .go.fipsinfo .go.module .noptrdata
#   .data .bss .noptrbss .shstrtab: no .go.buildinfo, no .symtab, no
#   .note.go.buildid, and no "\xff Go buildinf:" anywhere in the file.
#   runtime.buildVersion is "go1.26.5"; its module information's
#   DefaultGODEBUG (524 bytes) has multipathtcp=0.
#
# Exits non-zero with a message when npm is missing or the registry is
# unreachable: test_goinfo then fails on the missing file, as it should.
set -euo pipefail

PKG=@esbuild/linux-x64@0.28.2
MEMBER=package/bin/esbuild
SHA256=e1698a3d5c6c0798fee4fd3b5cc816651f460c63d390a7a26ea4beb0b1884100
DEST=.cache/npm/esbuild-linux-x64-0.28.2/esbuild

cd "$(dirname "$0")/../.."
fail() {
	echo "fetch-go-nobuildinfo: $*" >&2
	exit 1
}
good() {
	echo "$SHA256  $1" | sha256sum --check --status
}

[ -f "$DEST" ] && good "$DEST" && exit 0
command -v npm >/dev/null ||
	fail "npm is missing: it fetches $PKG, the Go binary without .go.buildinfo that test_goinfo reads"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetch-go-nobuildinfo: npm pack $PKG"
(cd "$tmp" && npm pack --loglevel=error "$PKG" >/dev/null 2>npm.log) ||
	fail "npm pack $PKG failed (is the npm registry reachable?): $(head -n 3 "$tmp/npm.log")"
tar -xzf "$tmp"/*.tgz -C "$tmp" "$MEMBER" ||
	fail "$PKG has no $MEMBER"
good "$tmp/$MEMBER" ||
	fail "$PKG's $MEMBER is not the one test_goinfo expects: sha256 $(sha256sum "$tmp/$MEMBER" | cut -d' ' -f1), not $SHA256"
mkdir -p "$(dirname "$DEST")"
mv "$tmp/$MEMBER" "$DEST"

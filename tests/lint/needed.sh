#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Each program links only what it uses: the shared libraries a built program needs
# (its NEEDED entries, readelf -d) hold no Tcl and no ldns unless the program runs Tcl
# (hc reads its Hcfile with Tcl, failsh is a Tcl shell) or probes DNS (hc).
# Run by `make check` (top_builddir is set by the test environment) or by hand:
#   tests/lint/needed.sh [BUILDDIR]
# Ends with GoogleTest's summary lines, which .ci/run counts.
set -u
build=${1:-${top_builddir:-build}}
passed=0
failed=0

# needed FILE: the names of the shared libraries FILE needs, one a line.
needed() {
  readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'
}

# refuse FILE PATTERN REASON: fails when FILE needs a library matching PATTERN.
refuse() {
  if [ ! -f "$build/$1" ]; then
    echo "needed: $build/$1 is not built"
    failed=$((failed + 1))
    return
  fi
  hit=$(needed "$build/$1" | grep -E "$2")
  if [ -n "$hit" ]; then
    echo "needed: $1 needs $(echo "$hit" | tr '\n' ' ')($3)"
    failed=$((failed + 1))
  else
    echo "needed: $1 does not need $2: ok"
    passed=$((passed + 1))
  fi
}

command -v readelf >/dev/null 2>&1 || { echo "needed: readelf not found (binutils)"; exit 1; }

for p in faild/faild failc/failc failc/failstat failc/faildebug failmon/failmon; do
  refuse "$p" '^libtcl' 'it runs no Tcl: link lib/libfailshell.la or lib/libfailcheck.la only where Tcl runs'
done
# failc needs ldns for `failc update` (RFC 2136); the others speak no DNS.
for p in faild/faild failc/failstat failc/faildebug failmon/failmon; do
  refuse "$p" '^libldns' 'it speaks no DNS: only lib/libfaildns.la (and the dns probe) needs ldns'
done
# failsh and the Tcl package need ldns: the DNS front-end reads static records with it.
# hc needs both: ldns for the dns probe, Tcl to read its Hcfile (in its own child
# process, hc --internal-read-config, hc(8)).

echo "[  PASSED  ] $passed tests."
[ $failed -eq 0 ] || echo "[  FAILED  ] $failed tests."
[ $failed -eq 0 ]

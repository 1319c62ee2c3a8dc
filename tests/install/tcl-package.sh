#!/bin/bash
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# `package require failover` after `make install` (doc/install.md): the module is built
# against Tcl's stubs library (no libtcl among its NEEDED entries, no direct call of a Tcl
# function, only Failover_Init exported), and installed into a folder that this machine's
# tclsh searches (auto_path): installed under a DESTDIR, a tclsh whose auto_path is
# mapped into that DESTDIR finds and loads it without TCLLIBPATH.
set -u
build=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)/build}
mod=$build/tcl/.libs/libfailovertcl.so
status=0
passed=0
failed=0
# One test case per check; GoogleTest's summary lines at the end, which .ci/run counts.
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); status=1; }
fail() { bad "$@"; }
[ -f "$mod" ] || { bad "$mod was not built"; exit 1; }

needed=$(readelf -d "$mod" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if grep -q '^libtcl' <<<"$needed"; then fail "the module needs libtcl: $(tr '\n' ' ' <<<"$needed")"
else ok "no libtcl among NEEDED ($(tr '\n' ' ' <<<"$needed"))"; fi

direct=$(nm -D --undefined-only "$mod" | awk '{print $2}' | grep -E '^Tcl' | head -5)
if [ -n "$direct" ]; then fail "direct calls into libtcl (compile these with USE_TCL_STUBS): $direct"
else ok "Tcl is called through the stubs table only"; fi

exported=$(nm -D --defined-only "$mod" | awk '$2 == "T" {print $3}')
if [ "$exported" != Failover_Init ]; then fail "exported functions: $(head -5 <<<"$exported" | tr '\n' ' ')"
else ok "only Failover_Init is exported"; fi

tmp=$(mktemp -d); trap 'rm -rf "$tmp" "$tmp.log"' EXIT
if ! make -s -C "$build" install-tcltkLTLIBRARIES install-tcltkDATA DESTDIR="$tmp" >"$tmp.log" 2>&1; then
  cat "$tmp.log"; fail "make install of the package"; exit 1
fi
index=$(find "$tmp" -name pkgIndex.tcl)
echo "installed: ${index#"$tmp"}"
script="set auto_path [lmap d \$auto_path {file join {$tmp} [string trimleft \$d /]}]
puts \"version [package require failover]\""
# A sanitizer build's module needs the sanitizers' runtimes, which a stock tclsh lacks.
preload=()
if nm -D --undefined-only "$mod" | grep -q ' __\(asan\|ubsan\)_'; then
  preload=(LD_PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libubsan.so)" ASAN_OPTIONS=detect_leaks=0)
fi
out=$(env -u TCLLIBPATH "${preload[@]}" tclsh <<<"$script" 2>&1)
if grep -q '^version ' <<<"$out"; then ok "tclsh's auto_path finds it: $out"
else fail "tclsh did not find the installed package in its auto_path: $out"; fi
echo "[  PASSED  ] $passed tests."
[ "$failed" -eq 0 ] || echo "[  FAILED  ] $failed tests."
exit $status

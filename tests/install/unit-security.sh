#!/bin/bash
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# The installed units are hardened: `systemd-analyze security --offline=true` rates faild
# and hc at most 2.5 and failsh at most 5 (doc/install.md), and `systemd-analyze verify`
# accepts each unit. Skipped (77) where systemd-analyze is missing or too old (< 250).
set -u
build=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)/build}
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
systemd-analyze security --help 2>&1 | grep -q -- --offline || { echo "SKIP: no --offline"; exit 77; }

passed=0
failed=0
# One test case per check; GoogleTest's summary lines at the end, which .ci/run counts.
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); status=1; }
declare -A limit=([faild]=2.5 [hc]=2.5 [failsh]=5.0)
status=0
for unit in faild hc failsh; do
  file=$build/etc/$unit.service
  [ -f "$file" ] || { bad "$file was not built"; status=1; continue; }
  out=$(systemd-analyze security --offline=true --no-pager "$file" 2>&1)
  score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  if [ -z "$score" ]; then
    printf '%s\n' "$out"; bad "$unit: no score"; status=1; continue
  fi
  if awk -v s="$score" -v l="${limit[$unit]}" 'BEGIN { exit !(s <= l) }'; then
    ok "$unit.service exposure $score (at most ${limit[$unit]})"
  else
    printf '%s\n' "$out" | grep '✗'
    bad "$unit.service exposure $score, more than ${limit[$unit]}"; status=1
  fi
done

# verify: the units parse, and name sections and settings systemd knows. The programs
# need not be installed here (that message is left out): anything else, an unknown
# key included, fails the test.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for unit in faild hc failsh; do
  cp "$build/etc/$unit.service" "$tmp/"
done
out=$(cd "$tmp" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no ./faild.service ./hc.service ./failsh.service 2>&1 |
      grep -v 'is not executable: No such file or directory')
if [ -n "$out" ]; then
  printf '%s\n' "$out"; bad "systemd-analyze verify"; status=1
else
  ok "systemd-analyze verify"
fi
echo "[  PASSED  ] $passed tests."
[ "$failed" -eq 0 ] || echo "[  FAILED  ] $failed tests."
exit $status

#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Tests tests/lint/manpages.py itself on a copy of man/: it passes on the pages as they
# are, and fails on a SEE ALSO naming a page that does not exist, on a reference with the
# wrong section, and on a SYNOPSIS option the program does not know. Run by `make check`
# (the programs must be built).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=${top_srcdir:-$here/../..}
build=${top_builddir:-$top/build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/failover-manpages.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0

# expect NAME STATUS PATTERN: runs the check on $tmp/man; its exit status must be STATUS
# (0 or 1) and its output must hold PATTERN.
expect() {
  out=$("$here/manpages.py" "$tmp" "$build" 2>&1)
  status=$?
  if [ "$status" -eq "$2" ] && echo "$out" | grep -q -- "$3"; then
    echo "manpages_test: $1: ok"
    passed=$((passed + 1))
  else
    echo "manpages_test: $1: FAILED (exit $status, expected $2 and \"$3\"):"
    echo "$out"
    failed=$((failed + 1))
  fi
}

cp -R "$top/man" "$tmp/man"
expect "the pages as they are" 0 'PASSED'
printf '.BR failnone (1)\n' >> "$tmp/man/faild.8"  # faild.8 ends with its SEE ALSO (no such page)
expect "a SEE ALSO naming no page" 1 'man/faild.8: SEE ALSO names failnone(1)'
rm -rf "${tmp:?}/man" && cp -R "$top/man" "$tmp/man"
printf '.SH BUGS\nSee\n.BR failc (8).\n' >> "$tmp/man/faild.8"
expect "a reference with the wrong section" 1 'man/faild.8: BUGS refers to failc(8)'
rm -rf "${tmp:?}/man" && cp -R "$top/man" "$tmp/man"
sed -i 's/^\.B faild$/.B faild\n.RB [ \\-\\-no\\-such\\-option ]/' "$tmp/man/faild.8"
expect "an option faild does not know" 1 "faild --no-such-option: not among the options of 'faild --help'"

echo "[  PASSED  ] $passed tests."
[ $failed -eq 0 ] || echo "[  FAILED  ] $failed tests."
[ $failed -eq 0 ]

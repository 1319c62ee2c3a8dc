#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Tests tests/lint/layering.sh itself on a copy of lib/: it passes on the tree as it is,
# fails on a planted include that goes up (base including shell), and fails on a folder
# missing from its order. Run by `make check`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=${top_srcdir:-$here/../..}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/failover-layering.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0

# expect NAME STATUS PATTERN: runs the check on $tmp/lib; its exit status must be STATUS
# (0 or 1) and its output must hold PATTERN.
expect() {
  out=$(sh "$here/layering.sh" "$tmp/lib" 2>&1)
  status=$?
  if [ "$status" -eq "$2" ] && echo "$out" | grep -q "$3"; then
    echo "layering_test: $1: ok"
    passed=$((passed + 1))
  else
    echo "layering_test: $1: FAILED (exit $status, expected $2 and \"$3\"):"
    echo "$out"
    failed=$((failed + 1))
  fi
}

cp -R "$top/lib" "$tmp/lib"
expect "the tree as it is" 0 'PASSED'
printf '#include "shell/shell.hh"\n' >> "$tmp/lib/base/text.hh"
expect "a planted include that goes up" 1 'lib/base/text.hh includes "shell/shell.hh": shell is above base'
rm -rf "${tmp:?}/lib"
cp -R "$top/lib" "$tmp/lib"
mkdir "$tmp/lib/unlisted"
expect "a folder missing from the order" 1 'lib/unlisted is not in the order'

echo "[  PASSED  ] $passed tests."
[ $failed -eq 0 ] || echo "[  FAILED  ] $failed tests."
[ $failed -eq 0 ]

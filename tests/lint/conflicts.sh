#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# No tracked text file holds the markers a merge leaves in a conflict ("<<<<<<< ",
# ">>>>>>> " at a line's start): one slipped into tests/fuzz/run-fuzzers.sh once, and
# only CI's fuzz stage noticed.
# Run by `make check` (top_srcdir is set by the test environment) or by hand:
#   tests/lint/conflicts.sh [SRCDIR]
# Ends with GoogleTest's summary lines, which .ci/run counts.
set -u
src=${1:-${top_srcdir:-$(dirname "$0")/../..}}
files=$(cd "$src" && find lib faild failc failmon hc failsh tcl tests bench man samples etc doc debian demo.d .ci \
  -path tests/fuzz/corpus -prune -o -type f -print 2>/dev/null;
  ls configure.ac Makefile.am bootstrap demo README.md 2>/dev/null)
found=$(cd "$src" && grep -l -I -E '^(<<<<<<<|>>>>>>>) ' $files 2>/dev/null)
if [ -z "$found" ]; then
  echo "conflicts: no merge conflict markers"
  echo "[  PASSED  ] 1 tests."
else
  for f in $found; do echo "conflicts: $f holds merge conflict markers"; done
  echo "[  PASSED  ] 0 tests."
  echo "[  FAILED  ] 1 tests."
  exit 1
fi

#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Every source file, script and manual page carries the licence header (LICENSE): a
# copyright line and "SPDX-License-Identifier: BSD-2-Clause" within its first lines.
# Run by `make check` (top_srcdir is set by the test environment) or by hand:
#   tests/lint/license.sh [SRCDIR]
# Ends with GoogleTest's summary lines, which .ci/run counts.
set -u
src=${1:-${top_srcdir:-$(dirname "$0")/../..}}
passed=0
failed=0
files=$(cd "$src" && find lib faild failc hc failsh tests bench man samples etc \
  -path tests/fuzz/corpus -prune -o -type f \
  \( -name '*.cc' -o -name '*.hh' -o -name '*.sh' -o -name '*.py' -o -name '*.tcl' \
     -o -name '*.test' -o -name 'Makefile.inc' -o -name 'Hcfile' -o -name '*.[158n]' \) -print)
for f in $files; do
  if head -n 5 "$src/$f" | grep -q 'SPDX-License-Identifier: BSD-2-Clause'; then
    passed=$((passed + 1))
  else
    echo "license: $f has no licence header (see LICENSE)"
    failed=$((failed + 1))
  fi
done
echo "license: $passed files with the header, $failed without"
# One test case: every file has the header.
if [ "$failed" -eq 0 ]; then
  echo "[  PASSED  ] 1 tests."
else
  echo "[  PASSED  ] 0 tests."
  echo "[  FAILED  ] 1 tests."
  exit 1
fi

#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Builds hc, faild and bench/hc_bench, then runs the benchmark: hc against the goals of
# the health-checker issue, with gdnsd's http_status monitoring as the anchor in the same
# run (bench/hc_bench.md). Arguments go to hc_bench: --quick (about two
# minutes), --only sustained,anchor,detect, --rounds N, --trials N, --keep, --help.
#
#   BUILD=/path/to/build bench/run-hc-bench.sh [--quick]
#
# BUILD defaults to the "build" directory beside bench/ (an out-of-tree build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../build}
if [ ! -f "$build/Makefile" ]; then
  echo "run-hc-bench.sh: no configured build in $build (set BUILD=DIR)" >&2
  exit 2
fi
for p in /usr/sbin/nginx /usr/sbin/gdnsd /usr/bin/gdnsdctl; do
  if [ ! -x "$p" ]; then
    echo "run-hc-bench.sh: $p is needed (Debian packages nginx-light, gdnsd)" >&2
    exit 2
  fi
done
make -s -C "$build" -j2 hc/hc faild/faild bench/hc_bench >&2
exec "$build/bench/hc_bench" --hc "$build/hc/hc" --faild "$build/faild/faild" "$@"

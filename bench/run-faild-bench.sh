#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Builds faild and bench/faild_bench, then runs the benchmark: faild against its
# performance goals, with redis-server under the same load in the same run
# (bench/faild_bench.md). Arguments go to faild_bench: --quick (about a minute), --pin,
# --only get,watch,change,refresh,memory, --rounds N, --help.
#
#   BUILD=/path/to/build bench/run-faild-bench.sh [--quick]
#
# BUILD defaults to the "build" directory beside bench/ (an out-of-tree build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../build}
if [ ! -f "$build/Makefile" ]; then
  echo "run-faild-bench.sh: no configured build in $build (set BUILD=DIR)" >&2
  exit 2
fi
if ! command -v redis-server >/dev/null 2>&1 && [ ! -x /usr/bin/redis-server ]; then
  echo "run-faild-bench.sh: redis-server is needed (Debian package redis-server)" >&2
  exit 2
fi
make -s -C "$build" -j2 faild/faild bench/faild_bench >&2
exec "$build/bench/faild_bench" --faild "$build/faild/faild" "$@"

#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Builds faild, failsh and bench/failsh_bench, then runs the benchmark: failsh against
# its loopback goals (callback latency, CPU of 1,000 services), with a plain WATCH client
# and the peer faild as anchors in the same run (bench/failsh_bench.md).
# Arguments go to failsh_bench: --quick (about a minute), --only latency,exec,cpu,
# --variants M,MS,MSW, --keep, --help.
#
#   BUILD=/path/to/build bench/run-failsh-bench.sh [--quick]
#
# BUILD defaults to the "build" directory beside bench/ (an out-of-tree build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../build}
if [ ! -f "$build/Makefile" ]; then
  echo "run-failsh-bench.sh: no configured build in $build (set BUILD=DIR)" >&2
  exit 2
fi
make -s -C "$build" -j2 faild/faild failsh/failsh bench/failsh_bench bench/failsh_bench_notify >&2
exec "$build/bench/failsh_bench" --faild "$build/faild/faild" --failsh "$build/failsh/failsh" \
  --notify "$build/bench/failsh_bench_notify" "$@"

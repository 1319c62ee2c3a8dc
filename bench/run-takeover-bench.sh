#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Builds faild, failsh and bench/takeover_bench, then runs the benchmark: failsh's IP
# takeover (samples/ipfailover-linux, interval 1 s) between network namespaces, with
# keepalived's VRRP (advert_int 1) between the same namespaces as the anchor in the same
# run (bench/takeover_bench.md). Needs root (ip netns). Arguments go to
# takeover_bench: --quick (6 trials per trigger), --trials N, --rounds N,
# --only failsh-witness,failsh-nowitness,keepalived, --keep, --help.
#
#   BUILD=/path/to/build bench/run-takeover-bench.sh [--quick]
#
# BUILD defaults to the "build" directory beside bench/ (an out-of-tree build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../build}
if [ ! -f "$build/Makefile" ]; then
  echo "run-takeover-bench.sh: no configured build in $build (set BUILD=DIR)" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "run-takeover-bench.sh: needs root (ip netns)" >&2
  exit 2
fi
for p in /usr/sbin/keepalived /usr/sbin/ip; do
  if [ ! -x "$p" ]; then
    echo "run-takeover-bench.sh: $p is needed (Debian packages keepalived, iproute2)" >&2
    exit 2
  fi
done
make -s -C "$build" -j2 faild/faild failsh/failsh bench/takeover_bench >&2
exec env top_builddir="$build" "$build/bench/takeover_bench" "$@"

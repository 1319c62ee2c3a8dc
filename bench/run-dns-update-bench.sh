#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Builds faild, failsh and bench/dns_update_bench, then runs the benchmark of
# `fail::dns follow` (RFC 2136 updates) against BIND named and Knot knotd on loopback,
# with a shell script running nsupdate as the anchor in the same run (bench/README.md,
# "dns_update_bench"). Needs root (named runs as user bind), bind9, bind9-dnsutils and
# knot. Arguments go to dns_update_bench: --quick, --changes N (200), --names N (1000).
#
#   BUILD=/path/to/build bench/run-dns-update-bench.sh [--quick]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../build}
if [ ! -f "$build/Makefile" ]; then
  echo "run-dns-update-bench.sh: no configured build in $build (set BUILD=DIR)" >&2
  exit 2
fi
make -s -C "$build" -j2 faild/faild failsh/failsh bench/dns_update_bench >&2
exec "$build/bench/dns_update_bench" "$@"

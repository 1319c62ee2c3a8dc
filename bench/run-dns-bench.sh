#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Builds failsh, faild, hc, bench/dns_bench and bench/dns_reflector, then runs the
# benchmark of the DNS front-end (issue 13, "Speed"): answers per CPU-second against a
# reflector (the floor), gdnsd and knotd in the same run; change to answer; RSS with a
# large zone; end to end from a killed backend, with gdnsd's monitoring beside it
# (bench/dns_bench.md). Arguments go to dns_bench: --quick (about five minutes; the
# 10,000-pool zone alone takes one or two to load), --only qps,change,e2e,
# --servers LIST, --duration S, --rounds N, --trials N, --profile LIST, --keep, --help.
#
#   BUILD=/path/to/build bench/run-dns-bench.sh [--quick]
#
# BUILD defaults to the "build" directory beside bench/ (an out-of-tree build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../build}
if [ ! -f "$build/Makefile" ]; then
  echo "run-dns-bench.sh: no configured build in $build (set BUILD=DIR)" >&2
  exit 2
fi
for p in /usr/bin/dnsperf /usr/bin/taskset /usr/sbin/nginx /usr/sbin/gdnsd /usr/sbin/knotd; do
  if [ ! -x "$p" ]; then
    echo "run-dns-bench.sh: $p is needed (Debian packages dnsperf, util-linux, nginx-light, gdnsd, knot)" >&2
    exit 2
  fi
done
if [ "$(nproc)" -lt 2 ]; then
  echo "run-dns-bench.sh: needs two CPUs (server and client each pinned to one)" >&2
  exit 2
fi
make -s -C "$build" -j2 failsh/failsh faild/faild hc/hc bench/dns_bench bench/dns_reflector >&2
exec "$build/bench/dns_bench" --failsh "$build/failsh/failsh" --faild "$build/faild/faild" \
  --hc "$build/hc/hc" --reflector "$build/bench/dns_reflector" "$@"

#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Builds faild, failc, failmon and bench/failmon_bench, then runs the benchmark: failmon
# against the speed goals of issue 15 (the curses screen through a private tmux server,
# frame time, CPU, failmon.cgi's page as a CGI process and through lighttpd), with failc
# watch and failc list as anchors in the same run (bench/failmon_bench.md). Needs tmux,
# lighttpd and curl (./bootstrap --test installs them).
# Arguments go to failmon_bench: --quick (about a minute), --only screen,cgi, --keep,
# --help.
#
#   BUILD=/path/to/build bench/run-failmon-bench.sh [--quick]
#
# BUILD defaults to the "build" directory beside bench/ (an out-of-tree build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../build}
if [ ! -f "$build/Makefile" ]; then
  echo "run-failmon-bench.sh: no configured build in $build (set BUILD=DIR)" >&2
  exit 2
fi
PATH=$PATH:/usr/sbin
for peer in tmux lighttpd curl; do
  command -v $peer >/dev/null 2>&1 || { echo "run-failmon-bench.sh: $peer is missing (./bootstrap --test)" >&2; exit 2; }
done
make -s -C "$build" -j2 faild/faild failc/failc failmon/failmon bench/failmon_bench >&2
exec "$build/bench/failmon_bench" --faild "$build/faild/faild" --failc "$build/failc/failc" \
  --failmon "$build/failmon/failmon" --lighttpd-conf "$here/../samples/lighttpd-failmon/lighttpd.conf" "$@"

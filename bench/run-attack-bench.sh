#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Builds faild and bench/attack_bench, then runs faild under each memory and connection
# attack of issue 10 for SECONDS (default 60) against a fresh faild on loopback, with a
# second client PINGing throughout, plus a baseline without attack: faild's peak RSS,
# PING p50/p99/max and faild's log lines (bench/attack_bench.md).
#
#   BUILD=/path/to/build bench/run-attack-bench.sh [--seconds N] [--only a,b]
#
# BUILD defaults to the "build" directory beside bench/. A self-signed certificate for
# the TLS attack is made with openssl in a temporary directory (skipped without it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../build}
if [ ! -f "$build/Makefile" ]; then
  echo "run-attack-bench.sh: no configured build in $build (set BUILD=DIR)" >&2
  exit 2
fi
make -s -C "$build" -j2 faild/faild bench/attack_bench >&2
tmp=$(mktemp -d /tmp/attack-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
tls=""
if command -v openssl >/dev/null 2>&1 &&
   openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
     -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1; then
  tls="--tls-cert $tmp/cert.pem --tls-key $tmp/key.pem"
fi
# The attacks open up to about 1,100 descriptors.
ulimit -n 4096 2>/dev/null || true
# shellcheck disable=SC2086
"$build/bench/attack_bench" --faild "$build/faild/faild" --dir "$tmp" $tls "$@"

#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# A stand-in for faild that profiles it: give it to faild_bench as --faild, e.g.
#
#   FAILD=build/faild/faild PERF_DIR=/tmp/prof \
#     build/bench/faild_bench --faild bench/perf-faild.sh --quick --rounds 1 --only get
#
# Each faild the benchmark starts writes PERF_DIR/perf.PID.data (its arguments in
# perf.PID.data.args); read one with
#   perf report -i FILE --no-children --sort symbol --stdio -g none
# perf attaches to this process, which then becomes faild (exec), so a SIGTERM or a kill -9
# from the benchmark reaches faild itself. DWARF unwinding: faild is built -O2 without frame
# pointers, where plain -g gives broken call chains. Start-up is 0.3 s later than without it.
set -eu
: "${FAILD:?set FAILD to the faild to run}"
dir=${PERF_DIR:-.}
out=$dir/perf.$$.data
echo "$@" > "$out.args"
perf record -F "${PERF_FREQ:-2000}" --call-graph dwarf,8192 -o "$out" -p $$ >/dev/null 2>"$out.log" &
sleep 0.3
exec "$FAILD" "$@"

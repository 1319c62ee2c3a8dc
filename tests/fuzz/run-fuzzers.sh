#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Builds every libFuzzer target in tests/fuzz and runs each for SECONDS (default 60) on a
# temporary copy of its seed corpus. Needs only clang-14, libclang-rt-14-dev, tcl8.6-dev,
# libldns-dev and libssl-dev: no configure, no make.
#
#   tests/fuzz/run-fuzzers.sh [SECONDS]
#
# Prints one line per target, "fuzz TARGET: PASS (N runs)" or "fuzz TARGET: FAIL (...)",
# then "fuzz: N passed, M failed"; exits non-zero if any failed. The inputs and logs of
# a failed target are kept in $FUZZ_FAILURES (default ./fuzz-failures/TARGET).
#
# FUZZ_JOBS (default: the number of CPUs) targets are compiled and run at a time. The
# objects go to $FUZZ_BUILD (default build-fuzz/ at the top of the tree), compiled with
# ccache when it is installed, from relative paths, so another checkout of the same
# sources (CI's fresh clone) hits the same cache entries. CXX_FUZZ replaces the compiler.
set -u

secs=${1:-60}
case $secs in
  ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
failures=${FUZZ_FAILURES:-$PWD/fuzz-failures}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs in ''|*[!0-9]*|0) jobs=1 ;; esac
if [ -n "${CXX_FUZZ:-}" ]; then
  CXX=$CXX_FUZZ
elif command -v ccache >/dev/null 2>&1; then
  CXX="ccache clang++-14"
  # The cache key must not hold this checkout's place: paths below $top are made
  # relative and the working directory (in the debug information) is not hashed.
  CCACHE_BASEDIR=$top CCACHE_NOHASHDIR=true
  export CCACHE_BASEDIR CCACHE_NOHASHDIR
else
  CXX=clang++-14
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/failover-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
build=${FUZZ_BUILD:-$top/build-fuzz}
mkdir -p "$build" || exit 1
cd "$build" || exit 1
# From here on, paths into the tree are relative to the build directory.
src=$(realpath --relative-to="$build" "$top" 2>/dev/null || echo "$top")

# version.hh includes config.h; nothing here needs more than the version.
version=$(sed -n 's/^AC_INIT(\[failover\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
printf '#define PACKAGE_VERSION "%s"\n' "${version:-0.1.0}" > config.h.new
cmp -s config.h.new config.h 2>/dev/null || mv config.h.new config.h
rm -f config.h.new

# The compiler flags, as the positional parameters so that paths may hold spaces.
set -- -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  "-I$src/lib" "-I." "-I$src/tests/fuzz" -I/usr/include/tcl8.6

# The library sources the targets need, compiled once.
lib_srcs="base/text.cc base/time.cc proto/list.cc proto/request.cc proto/values.cc state/record.cc
access/access.cc"
lib_srcs="$lib_srcs check/banner_parse.cc"  # for fuzz_banner
lib_srcs="$lib_srcs check/http_parse.cc"  # for fuzz_http_response
lib_srcs="$lib_srcs client/reply.cc"  # for fuzz_reply
lib_srcs="$lib_srcs netif/cidr.cc"  # for fuzz_cidr
lib_srcs="$lib_srcs net/prefix.cc"  # for fuzz_prefix
lib_srcs="$lib_srcs dns/forward_match.cc"  # for fuzz_forward_match
lib_srcs="$lib_srcs shell/dns_socket.cc"  # for fuzz_dns_socket
lib_srcs="$lib_srcs hc/config_wire.cc"  # for fuzz_hc_config
lib_srcs="$lib_srcs base/log.cc dns/name.cc dns/wire.cc dns/record.cc dns/pool_select.cc dns/snapshot_static.cc
dns/snapshot.cc dns/answer.cc"  # for fuzz_dns_query, fuzz_dns_record
lib_srcs="$lib_srcs dns/tsig_key.cc dns/tsig_sign.cc dns/update_msg.cc"  # for fuzz_tsig_key, fuzz_dns_reply
lib_srcs="$lib_srcs mon/text.cc"  # for fuzz_mon_text
lib_srcs="$lib_srcs mon/model.cc mon/watcher_feed.cc mon/lines.cc client/format.cc"  # for fuzz_mon_feed
lib_srcs="$lib_srcs base/cli.cc client/options.cc mon/conf.cc"  # for fuzz_failmon_conf
lib_srcs="$lib_srcs mon/cgi_query.cc base/html.cc"  # for fuzz_cgi_query
lib_srcs="$lib_srcs api/status_page.cc api/status_page_script.cc"  # for fuzz_status_page
lib_srcs="$lib_srcs state/version.cc state/version_pool.cc"  # for fuzz_version_word
lib_srcs="$lib_srcs history/wire.cc"  # for fuzz_history
lib_srcs="$lib_srcs http/target.cc http/router.cc http/message.cc api/input.cc"  # for fuzz_http_request
lib_srcs="$lib_srcs notify/template.cc state/json.cc"  # for fuzz_notify_template
lib_srcs="$lib_srcs notify/mail_text.cc notify/message.cc"  # for fuzz_mail_text
targets="fuzz_list fuzz_request fuzz_record fuzz_access fuzz_banner fuzz_http_response fuzz_reply fuzz_cidr fuzz_hc_config fuzz_prefix fuzz_forward_match fuzz_dns_socket"
targets="$targets fuzz_dns_query fuzz_dns_record"
targets="$targets fuzz_tsig_key fuzz_dns_reply"
targets="$targets fuzz_mon_text"
targets="$targets fuzz_mon_feed"
targets="$targets fuzz_failmon_conf fuzz_cgi_query"
targets="$targets fuzz_version_word"
targets="$targets fuzz_history"
targets="$targets fuzz_http_request"
targets="$targets fuzz_status_page"
targets="$targets fuzz_notify_template"
targets="$targets fuzz_mail_text"

objs=
for s in $lib_srcs; do objs="$objs $(echo "$s" | tr / _).o"; done  # names without blanks

# first_error LOG: the compiler's first error in LOG, or its first line.
first_error() {
  grep -m1 error "$1" || head -n 1 "$1"
}

# Compiles lib/SRC ($1) with the flags ($2...).
compile_one() {
  s=$1
  shift
  obj="$(echo "$s" | tr / _).o"
  # shellcheck disable=SC2086 # $CXX may be "ccache clang++-14"
  $CXX "$@" -c "$src/lib/$s" -o "$obj" > "$tmp/$obj.log" 2>&1 ||
    echo "lib/$s does not compile: $(first_error "$tmp/$obj.log")" > "$tmp/$obj.err"
}

# Compiles and links target $1 with the flags ($2...) (compiled apart: ccache caches it).
link_one() {
  t=$1
  shift
  # shellcheck disable=SC2086 # $CXX may be "ccache clang++-14"; $objs is a word list
  { $CXX "$@" -c "$src/tests/fuzz/$t.cc" -o "$t.o" &&
    $CXX "$@" "$t.o" $objs -o "$tmp/$t" -ltcl8.6 -lldns -lcrypto -lz; } > "$tmp/$t.log" 2>&1 ||
    echo "fuzz $t: FAIL (build: $(first_error "$tmp/$t.log"))" > "$tmp/$t.out"
}

# Runs target $1 on a copy of its corpus and writes its verdict line to $tmp/$1.out.
run_one() {
  t=$1
  [ -f "$tmp/$t.out" ] && return  # it did not build
  log="$tmp/$t.log"
  corpus="$tmp/corpus/$t"
  mkdir -p "$corpus" "$tmp/artifacts/$t"
  cp "$top/tests/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null
  "$tmp/$t" "$corpus" -max_total_time="$secs" -max_len=4096 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$tmp/artifacts/$t/" > "$log" 2>&1
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ $status -eq 0 ] && grep -q '^Done [0-9]* runs' "$log"; then
    echo "fuzz $t: PASS (${runs:-?} runs)" > "$tmp/$t.out"
  else
    keep="$failures/$t"
    mkdir -p "$keep"
    cp "$log" "$keep/"
    cp "$tmp/artifacts/$t/"* "$keep/" 2>/dev/null
    what=$(grep -m1 -E 'fuzz check failed|runtime error|^==[0-9]+==ERROR|ALARM|out-of-memory|deadly signal' "$log")
    echo "fuzz $t: FAIL (exit $status after ${runs:-?} runs: ${what:-see log}; kept in $keep)" > "$tmp/$t.out"
  fi
}

# pool FUNCTION ITEMS -- FLAGS...: runs "FUNCTION ITEM FLAGS..." for each ITEM in the
# background, $jobs at a time (in groups: the fuzzers all run for the same time).
pool() {
  fn=$1
  items=$2
  shift 3
  n=0
  for item in $items; do
    "$fn" "$item" "$@" &
    n=$((n + 1))
    if [ "$n" -ge "$jobs" ]; then wait; n=0; fi
  done
  wait
}

# Compile the library sources, link the targets, run them.
pool compile_one "$lib_srcs" -- "$@"
lib_err=$(cat "$tmp"/*.o.err 2>/dev/null | head -n 1)
if [ -n "$lib_err" ]; then
  for t in $targets; do echo "fuzz $t: FAIL (build: $lib_err)" > "$tmp/$t.out"; done
else
  pool link_one "$targets" -- "$@"
  pool run_one "$targets" --
fi

passed=0
failed=0
for t in $targets; do
  line=$(cat "$tmp/$t.out")
  echo "$line"
  case $line in
    *": PASS "*) passed=$((passed + 1)) ;;
    *) failed=$((failed + 1)) ;;
  esac
done

echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]

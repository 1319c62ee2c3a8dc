#!/bin/sh
# Builds every libFuzzer target in tests/fuzz and runs each for SECONDS (default 60) on a
# temporary copy of its seed corpus. Needs only clang-14, libclang-rt-14-dev, tcl8.6-dev
# and libssl-dev: no configure, no make.
#
#   tests/fuzz/run-fuzzers.sh [SECONDS]
#
# Prints one line per target, "fuzz TARGET: PASS (N runs)" or "fuzz TARGET: FAIL (...)",
# then "fuzz: N passed, M failed"; exits non-zero if any failed. The inputs and logs of
# a failed target are kept in $FUZZ_FAILURES (default ./fuzz-failures/TARGET).
set -u

secs=${1:-60}
case $secs in
  ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
failures=${FUZZ_FAILURES:-$PWD/fuzz-failures}
CXX=${CXX_FUZZ:-clang++-14}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/failover-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 1

# version.hh includes config.h; nothing here needs more than the version.
version=$(sed -n 's/^AC_INIT(\[failover\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
printf '#define PACKAGE_VERSION "%s"\n' "${version:-0.1.0}" > "$tmp/config.h"

# The compiler flags, as the positional parameters so that paths may hold spaces.
set -- -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  "-I$top/lib" "-I$tmp" "-I$here" -I/usr/include/tcl8.6

# The library sources the targets need, compiled once.
lib_srcs="base/text.cc base/time.cc proto/list.cc proto/request.cc state/record.cc
access/access.cc"
lib_srcs="$lib_srcs check/banner_parse.cc"  # for fuzz_banner
lib_srcs="$lib_srcs check/http_parse.cc"  # for fuzz_http_response
lib_srcs="$lib_srcs client/reply.cc"  # for fuzz_reply
lib_srcs="$lib_srcs netif/cidr.cc"  # for fuzz_cidr
lib_srcs="$lib_srcs hc/config_wire.cc"  # for fuzz_hc_config
objs=
lib_ok=yes
for src in $lib_srcs; do
  obj="$(echo "$src" | tr / _).o"
  if ! "$CXX" "$@" -c "$top/lib/$src" -o "$obj" > "$tmp/build.log" 2>&1; then
    lib_ok=no
    lib_err="lib/$src does not compile: $(grep -m1 error "$tmp/build.log")"
  fi
  objs="$objs $obj"  # names without blanks, relative to $tmp
done

passed=0
failed=0
for target in fuzz_list fuzz_request fuzz_record fuzz_access fuzz_banner fuzz_http_response fuzz_reply fuzz_cidr fuzz_hc_config; do
  bin="$tmp/$target"
  log="$tmp/$target.log"
  if [ $lib_ok != yes ]; then
    echo "fuzz $target: FAIL (build: $lib_err)"
    failed=$((failed + 1))
    continue
  fi
  # shellcheck disable=SC2086 # $objs is a word list
  if ! "$CXX" "$@" "$here/$target.cc" $objs -o "$bin" -ltcl8.6 -lcrypto > "$log" 2>&1; then
    echo "fuzz $target: FAIL (build: $(grep -m1 error "$log"))"
    failed=$((failed + 1))
    continue
  fi
  corpus="$tmp/corpus/$target"
  mkdir -p "$corpus" "$tmp/artifacts/$target"
  cp "$here/corpus/$target/"* "$corpus/" 2>/dev/null
  "$bin" "$corpus" -max_total_time="$secs" -max_len=4096 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$tmp/artifacts/$target/" > "$log" 2>&1
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ $status -eq 0 ] && grep -q '^Done [0-9]* runs' "$log"; then
    echo "fuzz $target: PASS (${runs:-?} runs)"
    passed=$((passed + 1))
  else
    keep="$failures/$target"
    mkdir -p "$keep"
    cp "$log" "$keep/"
    cp "$tmp/artifacts/$target/"* "$keep/" 2>/dev/null
    what=$(grep -m1 -E 'fuzz check failed|runtime error|^==[0-9]+==ERROR|ALARM|out-of-memory|deadly signal' "$log")
    echo "fuzz $target: FAIL (exit $status after ${runs:-?} runs: ${what:-see log}; kept in $keep)"
    failed=$((failed + 1))
  fi
done

echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]

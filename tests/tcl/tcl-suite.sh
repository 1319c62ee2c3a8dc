#!/bin/bash
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Tcl's own notifier-related test files (tcl8.6's tests/, fetched and cached by
# fetch-tcl-tests.sh) run three ways: a stock tclsh, failsh (its libevent notifier in
# the Tcl thread) and a stock tclsh with `package require failover` (libevent in a
# worker thread). For each file the set of failed test names must be the same in all
# three: some tests fail or are skipped even under a stock tclsh on a given machine, so
# this compares and does not demand zero.
#
# A `make check` TESTS script: prints a GoogleTest-like summary (one test per file and
# mode) that .ci/run counts, exits 0, 1, or 77 (skipped: Tcl's tests cannot be had).
#
# Environment (all optional): TCL_SUITE_FILES (file names without .test), TCL_SUITE_JOBS
# (parallel runs, default 3), TCL_SUITE_TIMEOUT (seconds per run, default 150),
# TCL_SUITE_MODES (default "tclsh failsh package"), TCLSH, FAILOVER_TCL_TESTS (cache).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/build}
FILES=${TCL_SUITE_FILES:-io chanio socket exec timer event ioCmd zlib ioTrans chan unixNotfy}
JOBS=${TCL_SUITE_JOBS:-3}
TIMEOUT=${TCL_SUITE_TIMEOUT:-150}
MODES=${TCL_SUITE_MODES:-tclsh failsh package}
TCLSH=${TCLSH:-$(command -v tclsh8.6 || command -v tclsh)}
FAILSH=$top_builddir/failsh/failsh
# socket-14.5 binds to 192.0.2.42 (RFC 5737), a live network on these machines: only
# loopback here. socket-14.13 runs on Windows only. socket_*-13.1 (with the Thread
# package) races its own server thread, which exits when its script ends, against
# thread::release: under load or the sanitizers the thread wins now and then in any
# interpreter ("thread ... does not exist").
SKIP="socket-14.5 socket-14.13 socket_*-13.1"

summary() {  # PASSED FAILED [names...]
  local p=$1 f=$2
  shift 2
  echo "[==========] $((p + f)) tests ran."
  echo "[  PASSED  ] $p tests."
  if [ "$f" -gt 0 ]; then
    echo "[  FAILED  ] $f tests, listed below:"
    for n in "$@"; do echo "[  FAILED  ] $n"; done
  fi
}
skip() {
  echo "tcl-suite: SKIPPED: $*"
  summary 0 0
  exit 77
}

[ -n "$TCLSH" ] || skip "no tclsh8.6 on PATH"
[ -x "$FAILSH" ] || skip "no $FAILSH (build first)"
SUITE=$("$here/fetch-tcl-tests.sh") || skip "Tcl's own test suite cannot be had (see above); run tests/tcl/fetch-tcl-tests.sh with network access once"
echo "tcl-suite: Tcl's tests $(cat "$SUITE/VERSION" 2>/dev/null) from $SUITE; $TCLSH is Tcl $(echo 'puts [info patchlevel]' | "$TCLSH")"

# In a sanitizer build the package needs the sanitizer runtimes loaded first, which a
# stock tclsh does not do: preload them (and leave Tcl's own exit-time leaks alone).
PRELOAD=
if ldd "$FAILSH" 2>/dev/null | grep -q libasan; then
  PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libubsan.so)"
fi

OUT=$top_builddir/tests/tcl/tcl-suite.d
rm -rf "$OUT"
mkdir -p "$OUT/locks" || skip "cannot write $OUT"

# Tests that bind a fixed port (io and chanio: 9999, socket: 12288) run apart from the
# rest of their file, one run at a time, so parallel runs never take each other's port.
# FILE:PATTERN (a tcltest -match pattern).
FIXED="io:io-53.10 chanio:chan-io-53.10 socket:socket_*-4.2"
fixedIn() { # FILE: the patterns of FIXED for FILE
  local t
  for t in $FIXED; do [ "${t%%:*}" = "$1" ] && printf '%s ' "${t#*:}"; done
}

# run FILE MODE PART: one run of FILE (PART main: all but its FIXED tests; fixed: only
# those), output in $OUT/FILE.MODE.PART.out, exit status and seconds in .rc.
run() {
  local file=$1 mode=$2 part=$3 dir="$OUT/$1.$2.$3" base="$OUT/$1.$2.$3" lock=()
  mkdir -p "$dir"
  local env=(TCL_SUITE_FILE="$SUITE/$file.test" TCL_SUITE_TMP="$dir" TCL_SUITE_TCLSH="$TCLSH")
  if [ "$part" = fixed ]; then
    env+=(TCL_SUITE_MATCH="$(fixedIn "$file")" TCL_SUITE_SKIP="$SKIP")
    lock=(flock "$OUT/fixed.lock")
  else
    env+=(TCL_SUITE_SKIP="$SKIP $(fixedIn "$file")")
  fi
  local cmd
  case $mode in
    tclsh) cmd=("$TCLSH" "$here/tcl-suite.tcl") ;;
    failsh) cmd=("$FAILSH" --monitor none --limit 600s -f "$here/tcl-suite.tcl") ;;  # a test file is one long read
    package)
      env+=(TCL_SUITE_PACKAGE=1 TCLLIBPATH="$top_builddir/tcl")
      [ -n "$PRELOAD" ] && env+=(LD_PRELOAD="$PRELOAD" ASAN_OPTIONS=detect_leaks=0)
      cmd=("$TCLSH" "$here/tcl-suite.tcl")
      ;;
  esac
  (cd "$dir" && "${lock[@]}" /usr/bin/time -f %e -o "$base.time" env "${env[@]}" \
    timeout -k 5 "$TIMEOUT" "${cmd[@]}" </dev/null >"$base.out" 2>&1)
  echo "$? $(cut -d. -f1 "$base.time" 2>/dev/null | tail -n 1)" >"$base.rc"
}

# failed FILE MODE: the sorted failed test names of both parts, or a marker when a
# part did not reach tcltest's summary (a crash, a hang cut by the timeout).
failed() {
  local part out
  for part in main fixed; do
    out="$OUT/$1.$2.$part.out"
    [ -f "$out" ] || continue
    if ! grep -q "^$1.test:[[:space:]]*Total" "$out"; then
      echo "($part: no summary, exit $(cut -d' ' -f1 "$OUT/$1.$2.$part.rc"), last started: $(sed -n 's/^---- \([^ ]*\) start$/\1/p' "$out" | tail -n 1))"
      continue
    fi
    sed -n 's/^==== \([^ ]*\) FAILED$/\1/p' "$out"
  done | sort -u
}
counts() { sed -n "s/^$1.test:[[:space:]]*//p" "$OUT/$1.$2.main.out" | tr -s '\t ' ' '; }
# runFile FILE MODE: both parts.
runFile() {
  run "$1" "$2" main
  [ -n "$(fixedIn "$1")" ] && run "$1" "$2" fixed
  return 0
}

export -f run fixedIn
export OUT SUITE TCLSH FAILSH TIMEOUT SKIP FIXED PRELOAD here top_builddir
start=$SECONDS
for f in $FILES; do
  [ -f "$SUITE/$f.test" ] || { echo "tcl-suite: no $f.test in $SUITE"; continue; }
  for m in $MODES; do
    echo "$f $m main"
    [ -n "$(fixedIn "$f")" ] && echo "$f $m fixed"
  done
done | xargs -P "$JOBS" -L 1 bash -c 'run "$0" "$1" "$2"'

# compare FILE MODE: 0 when MODE failed the same tests as tclsh.
compare() {
  [ "$(failed "$1" "$2")" = "$(failed "$1" tclsh)" ]
}

passed=0
nfailed=0
names=()
for f in $FILES; do
  [ -f "$SUITE/$f.test" ] || continue
  for m in $MODES; do
    name="TclSuite.$f/$m"
    echo "[ RUN      ] $name"
    read -r rc secs <"$OUT/$f.$m.main.rc"
    ok=1
    if [ "$m" = tclsh ]; then
      case $(failed "$f" tclsh) in *"no summary"*) ok=0 ;; esac
    elif ! compare "$f" "$m" && [ "$rc" != 124 ]; then
      # Timing-sensitive tests can fail under load, and tests that pick a free port and
      # bind it later (socket.test's randport) can lose it to a parallel run, in any
      # interpreter: run both again,
      # one after the other, before calling it a difference.
      echo "tcl-suite: $f: $m failed {$(failed "$f" "$m" | tr '\n' ' ')}, tclsh {$(failed "$f" tclsh | tr '\n' ' ')}; running both again, one after the other"
      for o in "$OUT/$f".{tclsh,"$m"}.*.out; do cp "$o" "${o%.out}.first.out"; done
      runFile "$f" tclsh
      runFile "$f" "$m"
      read -r rc secs <"$OUT/$f.$m.main.rc"
      compare "$f" "$m" || ok=0
    elif ! compare "$f" "$m"; then
      ok=0  # cut by the timeout: a hang, not load
    fi
    fails=$(failed "$f" "$m" | tr '\n' ' ')
    if [ $ok = 1 ]; then
      echo "[       OK ] $name (${secs}s; $(counts "$f" "$m"); failed: ${fails:-none})"
      passed=$((passed + 1))
    else
      echo "tcl-suite: $f under $m (exit $rc, ${secs}s): failed ${fails:-none}"
      [ "$m" != tclsh ] && echo "tcl-suite: $f under tclsh: failed $(failed "$f" tclsh | tr '\n' ' ')"
      echo "tcl-suite: last lines of $OUT/$f.$m.main.out:"
      grep -v "^---- .* start$" "$OUT/$f.$m.main.out" | tail -n 30 | sed 's/^/    /'
      echo "[  FAILED  ] $name (${secs}s)"
      nfailed=$((nfailed + 1))
      names+=("$name")
    fi
  done
done
echo "tcl-suite: $((SECONDS - start))s in all, outputs in $OUT"
summary "$passed" "$nfailed" "${names[@]}"
[ "$nfailed" -eq 0 ]

#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# The layering of lib/: a folder includes only from itself and from folders below it in
# the order written here (doc/design.md, "Code layout and rules", has the same list).
# Fails on an include that goes up, and on a lib/ folder missing from the order.
# Run by `make check` (top_srcdir is set by the test environment) or by hand:
#   tests/lint/layering.sh [LIBDIR]
# Ends with GoogleTest's summary lines, which .ci/run counts.
set -u
lib=${1:-${top_srcdir:-$(dirname "$0")/../..}/lib}

# Bottom first: each folder with why it sits where it does.
order="
base    text, time, logs, descriptors, spawning: every folder uses it
metrics counters, gauges, histograms, Prometheus's text format: the journal times its syncs
ev      libevent wrappers: events, timers, the timing wheel
net     listening sockets, TLS, ICMP sockets
http    the HTTP/1.1 server on evhttp: routes, limits, deadlines, streams
netif   interface addresses, gratuitous ARP and neighbour advertisements
proto   the line protocol: Tcl lists on the wire, requests, the record's value types
state   records, the journal and the store: faild's data, no I/O but files
access  the access file: who may read and write what
history faild's history database (SQLite) and availability over it
server  faild's listeners, sessions and commands (also hc's and failsh's monitor ports)
api     faild's HTTP/JSON API and status page: routes over the store, the history and the access file
client  failc's blocking client and the asynchronous link to faild
dns     DNS names, the front-end's answers and threads, the RFC 2136 updater (ldns)
mon     failmon: the watched model, its screens (ncurses), pages and the CGI programs
check   hc's probes and the rise/fall verdict over records
hc      hc's Hcfile reader, its reporters to faild and its checker
notify  failsh's notifications: rules, templates, the durable queue, the senders (libcurl)
tcl     Tcl's notifier on libevent
shell   failsh's engine and its Tcl commands: the top, it uses all of the above
"

# Known includes that go up, as "FILE INCLUDED": FILE a path under lib/ (a shell
# pattern), INCLUDED the include's path. Each says when it goes away.
exceptions="
base/spawn.cc ev/ev.hh
"
# base/spawn.cc ev/ev.hh: spawn::Child waits on the loop; removed when it moves above ev

# rank FOLDER: its place in the order (1 is the bottom), empty when not listed.
rank() {
  echo "$order" | awk -v f="$1" '$1 == f { print NR - 1; exit }'
}

# excepted FILE INCLUDED: whether the include is a listed exception.
excepted() {
  echo "$exceptions" | while read -r pat inc; do
    [ -n "$pat" ] || continue
    # shellcheck disable=SC2254 # $pat is a pattern on purpose
    case $1 in $pat) [ "$inc" = "$2" ] && { echo yes; break; } ;; esac
  done
}

[ -d "$lib" ] || { echo "layering: no folder $lib"; exit 1; }
passed=0
failed=0
for dir in "$lib"/*/; do
  folder=$(basename "$dir")
  from=$(rank "$folder")
  if [ -z "$from" ]; then
    echo "layering: lib/$folder is not in the order: add it to tests/lint/layering.sh and doc/design.md"
    failed=$((failed + 1))
    continue
  fi
  bad=0
  for file in "$dir"*; do
    [ -f "$file" ] || continue
    rel=$folder/$(basename "$file")
    # Every #include "FOLDER/…" of a lib/ folder (other includes are not ours).
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\/[^"]*\)".*/\1/p' "$file"); do
      to=$(rank "${inc%%/*}")
      [ -n "$to" ] || continue
      [ "$to" -gt "$from" ] || continue
      [ -z "$(excepted "$rel" "$inc")" ] || continue
      echo "layering: lib/$rel includes \"$inc\": ${inc%%/*} is above $folder (tests/lint/layering.sh)"
      bad=1
    done
  done
  if [ $bad -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done

echo "[  PASSED  ] $passed tests."
[ $failed -eq 0 ] || echo "[  FAILED  ] $failed tests."
[ $failed -eq 0 ]

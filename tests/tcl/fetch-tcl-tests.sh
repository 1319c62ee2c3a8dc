#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Fetches Tcl's own test suite (the tests/ folder of Debian's source package tcl8.6, the
# version installed here) and caches it, so later runs need no network.
#
#   tests/tcl/fetch-tcl-tests.sh [CACHE]     CACHE defaults to $FAILOVER_TCL_TESTS or
#                                            /var/cache/failover/tcl-tests
#
# Prints the cached folder on success (exit 0); on failure says why on stderr and
# exits 77 (automake's "skipped"). The cache is refreshed when the installed tcl8.6
# changes version. apt is pointed at a private deb-src list for the
# suite and mirror that /etc/apt already uses; nothing under /etc is changed. Needs
# apt-get and dpkg-source (dpkg-dev).
set -u
CACHE=${1:-${FAILOVER_TCL_TESTS:-/var/cache/failover/tcl-tests}}
PKG=tcl8.6

have() { [ -f "$CACHE/event.test" ] && [ -f "$CACHE/VERSION" ]; }
PKGVER=$(dpkg-query -W -f '${source:Version}' "$PKG" 2>/dev/null)
# A cache of the installed version is used as it is; one of another version only when
# the installed version's sources cannot be had (said on stderr).
if have && { [ -z "$PKGVER" ] || [ "$(cat "$CACHE/VERSION")" = "$PKGVER" ]; }; then echo "$CACHE"; exit 0; fi

skip() {
  if have; then
    echo "fetch-tcl-tests: $*; using the cached tests of $PKG $(cat "$CACHE/VERSION")" >&2
    echo "$CACHE"
    exit 0
  fi
  echo "fetch-tcl-tests: $*" >&2
  exit 77
}
[ -n "$PKGVER" ] || skip "$PKG is not installed"
command -v apt-get >/dev/null 2>&1 || skip "no apt-get: cannot fetch Tcl's test suite"
command -v dpkg-source >/dev/null 2>&1 || skip "no dpkg-source (install dpkg-dev): cannot unpack Tcl's sources"

# The suite and mirror of the installed system (deb822 or one-line format).
SUITE=
MIRROR=
[ -r /etc/os-release ] && SUITE=$(sed -n "s/^VERSION_CODENAME=//p" /etc/os-release | tr -d "\"")
for f in /etc/apt/sources.list.d/*.sources; do
  [ -r "$f" ] || continue
  u=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /debian\/?$/) { print $i; exit } }' "$f")
  [ -n "$u" ] && { MIRROR=$u; break; }
done
if [ -z "$MIRROR" ] && [ -r /etc/apt/sources.list ]; then
  MIRROR=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/ && $i ~ /debian\/?$/) { print $i; exit } }' /etc/apt/sources.list)
fi
[ -n "$SUITE" ] || skip "cannot tell the Debian suite from /etc/os-release"
[ -n "$MIRROR" ] || skip "cannot tell the Debian mirror from /etc/apt/sources.list*"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fetch-tcl-tests.XXXXXX") || skip "cannot make a temporary folder"
trap 'rm -rf "$WORK"' EXIT INT TERM
mkdir -p "$WORK/lists/partial" "$WORK/parts" "$WORK/src"
printf 'deb-src %s %s main\n' "$MIRROR" "$SUITE" >"$WORK/sources.list"
APT="-o Dir::Etc::SourceList=$WORK/sources.list -o Dir::Etc::SourceParts=$WORK/parts
     -o Dir::State::Lists=$WORK/lists -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
     -o APT::Sandbox::User=root -o Debug::NoLocking=1 -o Acquire::Retries=1"
# shellcheck disable=SC2086
apt-get -q --error-on=any $APT update >"$WORK/log" 2>&1 || { cat "$WORK/log" >&2; skip "apt-get update of deb-src $MIRROR $SUITE failed"; }
# shellcheck disable=SC2086
(cd "$WORK/src" && apt-get -q $APT source "$PKG=$PKGVER" >>"$WORK/log" 2>&1) ||
  (cd "$WORK/src" && apt-get -q $APT source "$PKG" >>"$WORK/log" 2>&1) ||
  { tail -20 "$WORK/log" >&2; skip "apt-get source $PKG failed"; }
TESTS=$(find "$WORK/src" -maxdepth 3 -type d -name tests -path "*/tcl*/tests" | head -1)
[ -n "$TESTS" ] && [ -f "$TESTS/event.test" ] || skip "no tests/ folder in the $PKG sources"

mkdir -p "$(dirname "$CACHE")" || skip "cannot create $(dirname "$CACHE")"
rm -rf "$CACHE.new"
cp -a "$TESTS" "$CACHE.new" || skip "cannot write $CACHE"
echo "$PKGVER" >"$CACHE.new/VERSION"
rm -rf "$CACHE" && mv "$CACHE.new" "$CACHE" || skip "cannot write $CACHE"
echo "$CACHE"

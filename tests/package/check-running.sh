#!/bin/bash
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Inside the test system of tests/package/run: faild, hc and failsh run as installed.
#   check-running.sh systemd    the units were started by systemd: wait until active
#   check-running.sh by-hand    no systemd: run each unit's ExecStart (%S, %t filled in)
#                               as the unit's User, with its State/RuntimeDirectory
# Then: faild answers on its Unix socket (a record set and read back), hc and failsh
# answer PING on their monitor ports, faild and hc run as the user failover.
set -u
mode=${1:-systemd}
status=0
fail() { echo "FAIL: $*"; status=1; }
# Waits up to $1 seconds for the command that follows to succeed.
eventually() { local end=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt $end ] || return 1; sleep 0.2; done; }
unit_value() { sed -n "s/^$2=//p" "/lib/systemd/system/$1.service" | head -1; }

declare -A pid
if [ "$mode" = systemd ]; then
  for u in faild hc failsh; do
    if eventually 60 systemctl is-active --quiet $u; then echo "ok: $u.service is active"
    else fail "$u.service is $(systemctl is-active $u)"; systemctl status --no-pager $u; journalctl -b -u $u --no-pager | tail -20; fi
    pid[$u]=$(systemctl show -p MainPID --value $u)
  done
else
  for u in faild hc failsh; do
    user=$(unit_value $u User); user=${user:-root}
    for d in $(unit_value $u StateDirectory) ; do install -d -m 0750 -o "$user" -g "$user" /var/lib/$d; done
    for d in $(unit_value $u RuntimeDirectory); do install -d -m 0750 -o "$user" -g "$user" /run/$d; done
    cmd=$(unit_value $u ExecStart | sed -e 's|%S|/var/lib|g' -e 's|%t|/run|g')
    wd=$(unit_value $u WorkingDirectory); cd "${wd:-/}"
    pre=$(unit_value $u ExecStartPre)
    [ -z "$pre" ] || $pre || fail "$u: ExecStartPre: $pre"
    RUNTIME_DIRECTORY=/run/$(unit_value $u RuntimeDirectory) \
      setpriv --reuid "$user" --regid "$user" --init-groups $cmd >/var/log/$u.log 2>&1 &
    pid[$u]=$!
    echo "started $u as $user: $cmd"
    cd /
  done
fi

if eventually 30 failc -u unix:/run/failover/faild.sock ping; then
  failc -u unix:/run/failover/faild.sock set package-test UP --note "set by check-running.sh" || fail "failc set"
  got=$(failc -u unix:/run/failover/faild.sock get package-test)
  echo "$got"; grep -q UP <<<"$got" && echo "ok: faild keeps a record" || fail "failc get: $got"
else fail "faild does not answer on /run/failover/faild.sock"; fi
eventually 30 failc -p 1850 ping && echo "ok: hc's monitor port answers PING" || fail "hc's monitor port 1850"
eventually 30 failc -p 1848 ping && echo "ok: failsh's monitor port answers PING" || fail "failsh's monitor port 1848"
want=$(getent passwd failover | cut -d: -f3)
for u in faild hc; do
  uid=$(awk '/^Uid:/ {print $2}' /proc/${pid[$u]}/status 2>/dev/null)
  [ "$uid" = "$want" ] && echo "ok: $u runs as failover (uid $uid)" || fail "$u runs as uid '$uid', not $want"
done
if [ "$mode" = by-hand ]; then
  for u in faild hc failsh; do kill "${pid[$u]}" 2>/dev/null; done; wait
  [ $status = 0 ] || tail -n 20 /var/log/faild.log /var/log/hc.log /var/log/failsh.log
fi
exit $status

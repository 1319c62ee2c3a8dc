# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# samples/dns-failover/policy.tcl: failsh answers for example.test itself. The name
# www.example.test answers the primary web server (127.0.0.11) while hc says it is UP,
# and the standby (127.0.0.12) while it is not; when both are down it answers both (the
# -all-down default). hc (the Hcfile beside this file) reports the checks web1 and web2
# into the local faild; the front-end follows those records itself, on its own threads.
# See README.md here, failover(n) "DNS FRONT-END" and failsh(8).
#
#   FAIL_LOCAL_PORT   the local faild's port (default 1847)
#   DNS_LISTEN        where the front-end answers (default 127.0.0.1:5300; PORT 0: any
#                     free port, which failsh logs: "dns: serving on 127.0.0.1:PORT")
#   NOTIFY_LOG        where the notification channel writes (default
#                     /tmp/dns-failover-notifications.log)
#   NOTIFY_WEBHOOK    a URL: notifications go there too, as JSON (unset: not)

if {[info exists env(FAIL_LOCAL_PORT)]} { failhost localhost port $env(FAIL_LOCAL_PORT) }
set listen 127.0.0.1:5300
if {[info exists env(DNS_LISTEN)]} { set listen $env(DNS_LISTEN) }

# The zone: its name servers (one, on loopback here), a low SOA minimum so that a
# resolver does not cache "no such name" for long.
fail::dns zone example.test -ns {ns1.example.test} -soa-minimum 5s
fail::dns record ns1.example.test. A 3600 127.0.0.1
fail::dns record example.test. TXT 3600 {"failover sample: dig www.example.test"}

# The pool: priority = the first healthy member, in the order written. A short TTL so
# that resolvers follow a failover within seconds.
fail::dns pool www.example.test -select priority -ttl 5s -members {
    {127.0.0.11 -check web1}
    {127.0.0.12 -check web2}
}

fail::dns serve -listen $listen

# Not needed for the answers (the front-end follows faild by itself): a line in the log
# when a web server's state changes, for the person watching.
fail::on change web* {apply {{kind record} {
    if {$kind ne "change"} return
    fail::log notice "[dict get $record name] is [dict get $record state]: [dict get $record note]"
}}}

# Notifications: a web server that stays down for 2 s (a real one would wait 30 s or
# more) is told once to the channel `log`, and once more when it is back ("resolved");
# a flap shorter than that is not told at all. The channel runs notify-log beside this
# file, which appends a line to $NOTIFY_LOG; with NOTIFY_WEBHOOK, a webhook channel
# gets the same messages as JSON. Messages wait in failsh's queue (--notify-db) until
# delivered; `failc -v list 'notify:*'` shows each channel's counts.
set notifyLog /tmp/dns-failover-notifications.log
if {[info exists env(NOTIFY_LOG)]} { set notifyLog $env(NOTIFY_LOG) }
set here [file dirname [file normalize [info script]]]
fail::notify channel log -exec [list $here/notify-log $notifyLog] -timeout 5s
set channels {log}
if {[info exists env(NOTIFY_WEBHOOK)]} {
    fail::notify channel hook -webhook $env(NOTIFY_WEBHOOK)
    lappend channels hook
}
fail::notify on web* -to $channels -states {FAIL} -after 2s -resolved yes

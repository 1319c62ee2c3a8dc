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

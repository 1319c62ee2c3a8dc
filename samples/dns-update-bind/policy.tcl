# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# samples/dns-update-bind/policy.tcl: keep www.example.test in a BIND primary pointing at
# the web servers hc sees UP (records web1 and web2 in the local faild), with RFC 2136
# updates signed with TSIG. See README.md beside this file.
#
#   FAIL_LOCAL_PORT   the local faild's port (default 1847)
#   DNS_SERVER        the BIND primary, ADDRESS:PORT (default 127.0.0.1:5300)
#   TSIG_KEY_FILE     the key, as tsig-keygen wrote it (default tsig.key beside this file)

if {[info exists env(FAIL_LOCAL_PORT)]} { failhost localhost port $env(FAIL_LOCAL_PORT) }
set server [expr {[info exists env(DNS_SERVER)] ? $env(DNS_SERVER) : "127.0.0.1:5300"}]
set keyfile [expr {[info exists env(TSIG_KEY_FILE)] ? $env(TSIG_KEY_FILE)
                   : [file join [file dirname [info script]] tsig.key]}]

# www.example.test A holds every healthy member; when none is, it keeps all of them
# (better a slow answer than none). Whatever else changes the RRset (a person with
# nsupdate) is put right within -reconcile.
fail::dns follow www.example.test -zone example.test -server $server -key-file $keyfile \
    -select all -ttl 30s -all-down all -reconcile 1m \
    -members {{127.0.0.11 -check web1} {127.0.0.12 -check web2}}

# The outcome of each update is the record dns:www.example.test in the local faild.
fail::on change dns:* {apply {{what record} {
    fail::log notice "[dict get $record name] [dict get $record state]: [dict get $record note]"
}}}

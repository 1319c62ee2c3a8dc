# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# samples/ipfailover-linux/policy.tcl: two hosts share a service address. The master
# holds it while its service is fine; when the master's service fails or the master
# cannot be reached, the slave takes the address over (and announces it with a
# gratuitous ARP, or a neighbour advertisement for IPv6); when the master returns it
# announces RECOVER, the slave lets go, and the master takes it back.
#
# The same file runs on every host; the environment says which part it plays (for the
# systemd unit: Environment= lines in a drop-in):
#   FAIL_ROLE        master, slave or witness
#   FAIL_PEER        NAME=ADDRESS of the other host (for a witness: both, space-separated)
#   FAIL_WITNESS     NAME=ADDRESS of a witness host, optional (without one there is no
#                    split-brain guard: see failsh(8), "Witnesses and fencing")
#   FAIL_VIP         the service address with its prefix (default 203.0.113.100/24)
#   FAIL_DEV         the interface that carries it (default eth0)
#   FAIL_INTERVAL    how often the service is run (default 1s)
#   FAIL_FENCE_AFTER how long a master cut off from the majority keeps the address
#                    (default two intervals)
#   FAIL_SECRET_FILE the secret every faild wants, the local one included
#                    (failover-access(5)), optional
#   FAIL_CA          a CA file: speak TLS to the peers' faild, optional
#   FAIL_LOCAL_PORT  the local faild's port (default 1847)

proc setting {name default} {
    global env
    expr {[info exists env($name)] && $env($name) ne "" ? $env($name) : $default}
}

set role [setting FAIL_ROLE master]
set vip [setting FAIL_VIP 203.0.113.100/24]
set dev [setting FAIL_DEV eth0]
set interval [setting FAIL_INTERVAL 1s]
failhost localhost port [setting FAIL_LOCAL_PORT 1847]
if {[setting FAIL_SECRET_FILE ""] ne ""} { failhost localhost secret-file [setting FAIL_SECRET_FILE ""] }

# Declares NAME=ADDRESS hosts; returns their names.
proc hosts {spec} {
    set names {}
    foreach item $spec {
        lassign [split $item =] name address
        set opts [list address $address]
        if {[setting FAIL_SECRET_FILE ""] ne ""} { lappend opts secret-file [setting FAIL_SECRET_FILE ""] }
        if {[setting FAIL_CA ""] ne ""} { lappend opts tls on ca [setting FAIL_CA ""] }
        failhost $name {*}$opts
        lappend names $name
    }
    return $names
}

set peers [hosts [setting FAIL_PEER ""]]
set witnesses [hosts [setting FAIL_WITNESS ""]]

# A witness only polls the others: its faild then holds host:alpha and host:beta, which
# is the opinion the slave asks for.
if {$role eq "witness"} return

proc vip_start {} {
    if {[catch {fail::ip add $::vip -dev $::dev} err]} {
        fail::log err "cannot take $::vip on $::dev: $err"
        return FAIL
    }
    return UP
}
proc vip_stop {} {
    if {[catch {fail::ip del $::vip -dev $::dev} err]} {
        fail::log err "cannot release $::vip on $::dev: $err"
        return FAIL
    }
    return RECOVER
}

# After a partition without witnesses both hosts may hold the address; when it heals
# the one that keeps it announces it again (vip_start is idempotent: fail::ip add of an
# address already there only sends the gratuitous ARPs), so clients do not keep the
# other's MAC address until their neighbour entries time out.
set opts [list interval $interval start vip_start stop vip_stop reassert vip_start witness $witnesses]
if {[setting FAIL_FENCE_AFTER ""] ne ""} { lappend opts -fence-after [setting FAIL_FENCE_AFTER ""] }
if {$role eq "master"} {
    failsvc vip {*}$opts slaves $peers
} else {
    failsvc vip {*}$opts masters $peers
}

failtrap {apply {{service from to note} {
    fail::log notice "$service: $from -> $to ($note)"
}}}

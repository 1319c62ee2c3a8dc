# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# samples/symmetric/policy.tcl: two hosts, alpha and beta, each the master of one service
# and the standby of the other: alpha runs www, beta runs mail, and either runs both
# while the other is down. The same file runs on both hosts (failsh -f policy.tcl).
#
# Settings from the environment (for the systemd unit: Environment= lines):
#   FAIL_SELF    which host this is (default: the host name)
#   FAIL_ALPHA, FAIL_BETA   ADDRESS:PORT of each host's faild (default: its name, 1847)
#   SERVICECTL   the program that starts and stops units (default: systemctl)

set self [expr {[info exists env(FAIL_SELF)] ? $env(FAIL_SELF) : [info hostname]}]
if {$self ni {alpha beta}} { error "FAIL_SELF must be alpha or beta, not \"$self\"" }
set peer [expr {$self eq "alpha" ? "beta" : "alpha"}]

foreach host {alpha beta} {
    set var FAIL_[string toupper $host]
    if {![info exists env($var)]} continue
    lassign [split $env($var) :] address port
    if {$host eq $self} {
        failhost localhost port $port
    } else {
        failhost $host address $address port $port
    }
}

set servicectl [expr {[info exists env(SERVICECTL)] ? $env(SERVICECTL) : "systemctl"}]

# Start and stop return the new state; an error or a timeout makes the service FAIL here
# (and then only `failc set SERVICE RECOVER` lets this host try again).
proc unit_start {unit} {
    if {[catch {fail::exec -timeout 10s $::servicectl start $unit} err]} {
        fail::log err "$unit did not start: $err"
        return FAIL
    }
    return UP
}
proc unit_stop {unit} {
    if {[catch {fail::exec -timeout 10s $::servicectl stop $unit} err]} {
        fail::log warning "$unit did not stop cleanly: $err"
    }
    return RECOVER
}

foreach {service master} {www alpha mail beta} {
    if {$master eq $self} {
        set role [list slaves [list $peer]]
    } else {
        set role [list masters [list $peer]]
    }
    failsvc $service interval 2s {*}$role \
        start [list unit_start $service] stop [list unit_stop $service]
}

failtrap {apply {{service from to note} {
    fail::log notice "$service: $from -> $to ($note)"
}}}

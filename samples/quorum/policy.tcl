# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# samples/quorum/policy.tcl: three hc at three locations (fra, nyc, sin; see the Hcfile
# beside this file) check the same web server and report web@fra, web@nyc, web@sin into
# this host's faild; failsh turns their votes into one record, "web", that a DNS policy
# or an address takeover can follow.
#
#   FAIL_LOCAL_PORT   the local faild's port (default 1847)

if {[info exists env(FAIL_LOCAL_PORT)]} { failhost localhost port $env(FAIL_LOCAL_PORT) }

# UP when at least 60% of the voting locations see it UP, FAIL when at least 60% see it
# FAIL; between the bands it keeps its state. A location whose canary (a check of
# something known to be up) is not UP has lost its own connectivity: it abstains.
fail::quorum web -checks web@* -up 60% -down 60% -canary canary@* -min-voters 2

fail::on change web {apply {{what record} {
    fail::log notice "web is [dict get $record state]: [dict get $record note]"
}}}

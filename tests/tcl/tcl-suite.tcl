# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# Runs one of Tcl's own test files (tcltest) the same way in every interpreter that
# tests/tcl/tcl-suite.sh compares: a stock tclsh, failsh (this file is then its policy,
# evaluated in the policy interpreter on failsh's libevent notifier), and a stock tclsh
# with `package require failover` (libevent in a worker thread, Tcl's own notifier).
#
# Environment: TCL_SUITE_FILE (the .test file), TCL_SUITE_TMP (tcltest's -tmpdir, one
# per run), TCL_SUITE_TCLSH (the interpreter that test files start as a child process:
# a stock tclsh in every mode, so only the notifier under test differs),
# TCL_SUITE_PACKAGE=1 to load the failover package first, TCL_SUITE_SKIP and
# TCL_SUITE_MATCH (tcltest's -skip and -match: lists of test name patterns).
set ::tclSuite(file) $env(TCL_SUITE_FILE)
if {[info exists env(TCL_SUITE_PACKAGE)] && $env(TCL_SUITE_PACKAGE)} {
    if {[catch {package require failover} msg]} {
        puts "tcl-suite: package require failover: $msg"
        exit 3
    }
    puts "tcl-suite: failover package $msg loaded"
}
# Verbosity: bodies and errors of failed tests (the default) and a line as each test
# starts, so a run cut by the timeout names the test it hung in.
set argv [list -tmpdir $env(TCL_SUITE_TMP) -verbose {body error start}]
if {[info exists env(TCL_SUITE_SKIP)] && $env(TCL_SUITE_SKIP) ne ""} {
    lappend argv -skip $env(TCL_SUITE_SKIP)
}
if {[info exists env(TCL_SUITE_MATCH)] && $env(TCL_SUITE_MATCH) ne ""} {
    lappend argv -match $env(TCL_SUITE_MATCH)
}
set argc [llength $argv]
set argv0 $::tclSuite(file)
package require tcltest 2.5
namespace import -force ::tcltest::*
tcltest::interpreter $env(TCL_SUITE_TCLSH)
# Test files start child interpreters with [info nameofexecutable] too; failsh runs
# policies, not scripts given as arguments, so it names the same stock tclsh there.
proc ::tclSuiteExecutable {} { return $::env(TCL_SUITE_TCLSH) }
namespace ensemble configure ::info -map [dict replace \
    [namespace ensemble configure ::info -map] nameofexecutable ::tclSuiteExecutable]
source $::tclSuite(file)
puts "tcl-suite: end of [file tail $::tclSuite(file)]"
flush stdout
exit 0

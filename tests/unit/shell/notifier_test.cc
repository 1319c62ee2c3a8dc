// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Tcl on the libevent notifier: after, vwait, update, fileevent and socket work; libevent
// events on the same base run inside Tcl's waits and hand work to Tcl with post().
#include <event2/event.h>
#include <gtest/gtest.h>
#include <tcl.h>

#include <chrono>
#include <string>

#include "ev/ev.hh"
#include "tcl/notifier.hh"

namespace fail::tcl {
namespace {

struct Interp {
  Tcl_Interp* ip = Tcl_CreateInterp();
  ~Interp() { Tcl_DeleteInterp(ip); }
  std::string eval(const std::string& script) {
    int code = Tcl_Eval(ip, script.c_str());
    std::string r = Tcl_GetStringResult(ip);
    return code == TCL_OK ? r : "ERROR: " + r;
  }
};

TEST(Notifier, AfterAndVwaitWakeOnTime) {
  Interp t;
  ASSERT_NE(base(), nullptr);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(t.eval("after 100 {set done 1}; vwait done; set done"), "1");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(ms, 95);
  EXPECT_LT(ms, 2000);
  EXPECT_EQ(t.eval("set n 0; after 10 {incr n}; after 20 {incr n}; after 30 {set stop 1}; vwait stop; set n"), "2");
  EXPECT_EQ(t.eval("after idle {set i 1}; update; set i"), "1");
}

TEST(Notifier, SocketsAndFileEventsRoundTrip) {
  Interp t;
  std::string r = t.eval(R"(
    proc accept {chan addr port} {
      fconfigure $chan -blocking 0 -buffering line
      fileevent $chan readable [list echo $chan]
    }
    proc echo {chan} {
      if {[gets $chan line] >= 0} { puts $chan "echo $line" }
      if {[eof $chan]} { close $chan }
    }
    set server [socket -server accept -myaddr 127.0.0.1 0]
    set port [lindex [fconfigure $server -sockname] 2]
    set c [socket -async 127.0.0.1 $port]
    fconfigure $c -blocking 0 -buffering line
    fileevent $c writable [list apply {{c} { fileevent $c writable {}; puts $c hello }} $c]
    fileevent $c readable [list apply {{c} { if {[gets $c line] >= 0} { set ::reply $line } }} $c]
    after 5000 {set ::reply timeout}
    vwait ::reply
    close $c
    close $server
    set ::reply
  )");
  EXPECT_EQ(r, "echo hello");
}

TEST(Notifier, LibeventCallbacksPostWorkThatMayVwaitAgain) {
  Interp t;
  Tcl_Interp* ip = t.ip;
  int ran = 0;
  // A libevent timer on the notifier's base posts a script; the script itself vwaits,
  // which works because event_base_loop has returned before posted work runs.
  ev::Timer timer(base(), [&] {
    post([&] {
      ++ran;
      Tcl_Eval(ip, "after 20 {set inner 1}; vwait inner; set ::outer done");
    });
  });
  timer.arm(std::chrono::milliseconds(30));
  EXPECT_EQ(t.eval("after 5000 {set ::outer timeout}; vwait ::outer; set ::outer"), "done");
  EXPECT_EQ(ran, 1);
  EXPECT_GE(stats().posted, 1u);
}

TEST(Notifier, ExecPipesWork) {
  Interp t;
  EXPECT_EQ(t.eval("exec echo hi"), "hi");
  EXPECT_EQ(t.eval(R"(
    set f [open "|echo piped" r]
    fileevent $f readable [list apply {{f} { set ::line [gets $f]; close $f }} $f]
    after 5000 {set ::line timeout}
    vwait ::line
    set ::line
  )"), "piped");
}

}  // namespace
}  // namespace fail::tcl

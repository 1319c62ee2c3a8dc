// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Descriptors the backend cannot wait for (epoll refuses regular files and /dev/null
// with EPERM) are always ready, as under select() and Tcl's own notifier: a handler on
// one runs at once, waits do not block while it exists, and nothing else starves.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <tcl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "tcl/notifier.hh"

namespace fail::tcl {
namespace {

using Clock = std::chrono::steady_clock;

struct Interp {
  Tcl_Interp* ip = Tcl_CreateInterp();
  ~Interp() { Tcl_DeleteInterp(ip); }
  std::string eval(const std::string& script) {
    int code = Tcl_Eval(ip, script.c_str());
    std::string r = Tcl_GetStringResult(ip);
    return code == TCL_OK ? r : "ERROR: " + r;
  }
};

// A temporary regular file, open read-write.
struct TempFile {
  std::string path;
  int fd = -1;
  TempFile() {
    char name[] = "/tmp/always-ready-test.XXXXXX";
    fd = ::mkstemp(name);
    path = name;
  }
  ~TempFile() {
    ::close(fd);
    ::unlink(path.c_str());
  }
};

struct Seen {
  int calls = 0, mask = 0;
};
void record(ClientData cd, int mask) {
  auto* s = static_cast<Seen*>(cd);
  ++s->calls;
  s->mask |= mask;
}

// Services events until `cond` holds, for at most 5 s; false on the deadline.
template <typename Cond>
bool serviceUntil(Cond cond) {
  auto until = Clock::now() + std::chrono::seconds(5);
  Tcl_Interp* ip = Tcl_CreateInterp();  // a pending `after` ends each wait
  Tcl_Eval(ip, "after 5000 {}");
  while (!cond() && Clock::now() < until) Tcl_DoOneEvent(TCL_ALL_EVENTS);
  Tcl_DeleteInterp(ip);
  return cond();
}

TEST(NotifierAlwaysReady, RegularFileIsReadableAndWritableAtOnce) {
  Interp t;
  TempFile f;
  ASSERT_GE(f.fd, 0);
  Seen r, w;
  Tcl_CreateFileHandler(f.fd, TCL_READABLE, record, &r);
  EXPECT_TRUE(serviceUntil([&] { return r.calls > 0; }));
  EXPECT_EQ(r.mask, TCL_READABLE);
  Tcl_CreateFileHandler(f.fd, TCL_WRITABLE, record, &w);  // the same fd, a new mask
  EXPECT_TRUE(serviceUntil([&] { return w.calls > 0; }));
  EXPECT_EQ(w.mask, TCL_WRITABLE);
  Tcl_DeleteFileHandler(f.fd);
}

TEST(NotifierAlwaysReady, DevNullIsReady) {
  Interp t;
  int fd = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  Seen r;
  Tcl_CreateFileHandler(fd, TCL_READABLE, record, &r);
  EXPECT_TRUE(serviceUntil([&] { return r.calls > 0; }));
  Tcl_DeleteFileHandler(fd);
  ::close(fd);
}

TEST(NotifierAlwaysReady, APipeWithoutDataIsStillWaitedFor) {
  Interp t;
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  Seen r;
  Tcl_CreateFileHandler(p[0], TCL_READABLE, record, &r);
  while (Tcl_DoOneEvent(TCL_ALL_EVENTS | TCL_DONT_WAIT)) {
  }
  EXPECT_EQ(r.calls, 0);
  ASSERT_EQ(::write(p[1], "x", 1), 1);
  EXPECT_TRUE(serviceUntil([&] { return r.calls > 0; }));
  Tcl_DeleteFileHandler(p[0]);
  ::close(p[0]);
  ::close(p[1]);
}

// Waits block again once no handler asks a file for reading or writing: a handler for
// exceptions alone, or one deleted, does not turn the loop into a spin.
TEST(NotifierAlwaysReady, NoSpinWithoutAReadOrWriteHandler) {
  Interp t;
  TempFile f;
  Seen s;
  Tcl_CreateFileHandler(f.fd, TCL_EXCEPTION, record, &s);
  unsigned long before = stats().waits;
  EXPECT_EQ(t.eval("after 100 {set done 1}; vwait done; set done"), "1");
  EXPECT_LT(stats().waits - before, 20u);
  Tcl_DeleteFileHandler(f.fd);

  Tcl_CreateFileHandler(f.fd, TCL_READABLE, record, &s);
  Tcl_DeleteFileHandler(f.fd);
  before = stats().waits;
  EXPECT_EQ(t.eval("after 100 {set done 2}; vwait done; set done"), "2");
  EXPECT_LT(stats().waits - before, 20u);
  EXPECT_EQ(s.calls, 0);
}

// A file handler that fires on every turn (always ready) leaves room for timers and
// sockets, as with select().
TEST(NotifierAlwaysReady, TimersAndSocketsStillRunBesideIt) {
  Interp t;
  TempFile f;
  ASSERT_EQ(::write(f.fd, "data\n", 5), 5);
  std::string r = t.eval("set f [open " + f.path + " r]\n" + R"(
    set reads 0
    fileevent $f readable {incr reads; seek $f 0}
    proc accept {chan addr port} { puts $chan hello; close $chan }
    set server [socket -server accept -myaddr 127.0.0.1 0]
    set c [socket 127.0.0.1 [lindex [fconfigure $server -sockname] 2]]
    fileevent $c readable {fileevent $c readable {}; set ::line [gets $c]; set ::got 1}
    after 20 {set ::timer 1}
    set guard [after 5000 {set ::got timeout; set ::timer timeout}]
    vwait ::got
    if {![info exists ::timer]} { vwait ::timer }
    after cancel $guard
    close $c; close $server; close $f
    list $::line $::timer [expr {$reads > 0}]
  )");
  EXPECT_EQ(r, "hello 1 1");
}

}  // namespace
}  // namespace fail::tcl

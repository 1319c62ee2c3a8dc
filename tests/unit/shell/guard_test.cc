// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Policy callbacks: errors and overruns are contained and counted, the interpreter stays
// usable, and a callback arriving while another runs waits its turn.
#include <gtest/gtest.h>
#include <tcl.h>

#include <string>
#include <vector>

#include "shell/guard.hh"
#include "shell/metrics.hh"

namespace fail::shell {
namespace {

struct GuardTest : ::testing::Test {
  Tcl_Interp* ip = Tcl_CreateInterp();
  ~GuardTest() override { Tcl_DeleteInterp(ip); }
  Tcl_Obj* script(const char* s) { return Tcl_NewStringObj(s, -1); }
};

TEST_F(GuardTest, ResultsErrorsAndOverruns) {
  Guard g(ip, std::chrono::milliseconds(200));
  std::vector<std::pair<int, std::string>> got;
  auto keep = [&](int code, const std::string& r) { got.emplace_back(code, r); };
  g.call(script("expr {6 * 7}"), "answer", keep);
  g.call(script("error {no such disk}"), "broken", keep);
  g.call(script("while 1 {}"), "spinner", keep);
  g.call(script("return UP"), "returns", keep);
  g.call(script("set x ok"), "after the overrun", keep);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0], std::make_pair(TCL_OK, std::string("42")));
  EXPECT_EQ(got[1], std::make_pair(TCL_ERROR, std::string("no such disk")));
  EXPECT_EQ(got[2].first, TCL_ERROR);
  EXPECT_EQ(got[2].second, "overran its time limit of 200ms");
  EXPECT_EQ(got[3], std::make_pair(TCL_OK, std::string("UP")));
  EXPECT_EQ(got[4], std::make_pair(TCL_OK, std::string("ok")));  // the limit was reset
  EXPECT_EQ(g.counters().calls, 5u);
  EXPECT_EQ(g.counters().errors, 1u);
  EXPECT_EQ(g.counters().overruns, 1u);
}

TEST_F(GuardTest, ACallbackDuringAnotherWaitsItsTurn) {
  Guard g(ip, std::chrono::milliseconds(1000));
  std::vector<std::string> order;
  g.call(script("set a 1"), "outer", [&](int, const std::string&) {
    order.push_back("outer");
    // Arrives while "outer" is still being finished: queued, not nested.
    g.call(Tcl_NewStringObj("set b 2", -1), "inner", [&](int, const std::string& r) { order.push_back("inner " + r); });
    order.push_back("outer done");
  });
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0], "outer");
  EXPECT_EQ(order[1], "outer done");
  EXPECT_EQ(order[2], "inner 2");
}

// Every Guard also counts into the process's metrics, which outlive it (a reload).
TEST_F(GuardTest, CountsIntoTheShellsMetrics) {
  ShellMetrics m(nullptr);
  for (int round = 0; round < 2; ++round) {  // two policies, one after the other
    Guard g(ip, std::chrono::milliseconds(200));
    g.setMetrics(m.guard());
    g.call(script("expr {6 * 7}"), "answer");
    g.call(script("error {no such disk}"), "broken");
    if (round == 1) g.call(script("while 1 {}"), "spinner");
  }
  std::string text = m.registry().render();
  EXPECT_NE(text.find("failsh_callbacks_total 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("failsh_callback_errors_total 2\n"), std::string::npos);
  EXPECT_NE(text.find("failsh_callback_overruns_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("failsh_callback_duration_seconds_count 5\n"), std::string::npos);
  EXPECT_NE(text.find("failsh_callback_duration_seconds_bucket{le=\"0.1\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("failsh_dns_updates_total 0\n"), std::string::npos);
}

}  // namespace
}  // namespace fail::shell

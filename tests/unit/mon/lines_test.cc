// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// renderLines: the Model as text for -l and -1.
#include <gtest/gtest.h>

#include <string>

#include "mon/render.hh"

namespace fail::mon {
namespace {

constexpr Micros kSec = 1'000'000;
constexpr Micros kNow = 1'800'000'000 * kSec;

state::Record rec(const std::string& name, state::State s, std::uint64_t serial, Micros since, std::string note = {}) {
  state::Record r;
  r.name = name;
  r.state = s;
  r.serial = serial;
  r.since = since;
  r.note = std::move(note);
  return r;
}

TEST(MonLines, AHeaderPerTargetThenARowPerRecord) {
  Model m;
  m.add("alpha:1847");
  m.connected(0, "faild", "0.1.0", kNow - 60 * kSec);
  m.listing(0);
  m.record(0, rec("www", state::State::Up, 3, kNow - 192 * kSec, "HTTP 200"));
  m.record(0, rec("db", state::State::Fail, 4, kNow - 5 * kSec));
  m.synced(0, 4, kNow);
  m.add("beta:1848");
  m.down(1, "Connection refused", kNow - 10 * kSec);
  std::string out = renderLines(m, kNow);
  EXPECT_NE(out.find("alpha:1847  faild 0.1.0  up since "), std::string::npos) << out;
  EXPECT_NE(out.find("2 records: 1 up, 0 recover, 1 fail, 0 unknown"), std::string::npos) << out;
  EXPECT_NE(out.find("  www   UP      3m12s  \"HTTP 200\"\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  db    FAIL    5s\n"), std::string::npos) << out;
  EXPECT_NE(out.find("beta:1848  DOWN since "), std::string::npos) << out;
  EXPECT_NE(out.find("(10s ago): Connection refused"), std::string::npos) << out;
  EXPECT_EQ(out.find("serial 0"), std::string::npos);
}

TEST(MonLines, ServerTextNeverReachesTheTerminalAsControls) {
  Model m;
  m.add("t");
  m.connected(0, "faild", "1\x1b[31m", kNow);
  m.listing(0);
  m.record(0, rec("evil\x1b]0;title\x07", state::State::Fail, 1, kNow, "note\x1b[2J\r\nmore\x9b" "1m"));
  m.synced(0, 1, kNow);
  m.down(0, "garbage\x1b[H", kNow);
  std::string out = renderLines(m, kNow);
  for (char c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    EXPECT_TRUE(c == '\n' || (u >= 0x20 && u != 0x7f)) << "control byte " << int(u) << " in " << out;
  }
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_EQ(out.find('\x9b'), std::string::npos);
  EXPECT_NE(out.find("note"), std::string::npos);
}

TEST(MonLines, FailshServicesShowMastersSlavesReportsAndLastAction) {
  Model m;
  m.add("failsh");
  m.connected(0, "failsh", "0.1.0", kNow);
  m.listing(0);
  state::Record s = rec("service:www", state::State::Up, 2, kNow - 30 * kSec, "serving");
  s.attrs = {{"last_action", "start 2026-12-07 02:00:00"}, {"master.alpha", "UP"}, {"masters", "alpha"},
             {"slave.beta", "RECOVER"}, {"slaves", "beta {gamma delta}"}, {"witnesses", ""}};
  m.record(0, s);
  state::Record h = rec("host:beta", state::State::Up, 1, kNow - 30 * kSec);
  h.attrs = {{"last_call", std::to_string(kNow - 2 * kSec)}, {"last_connect", ""}};
  m.record(0, h);
  m.synced(0, 2, kNow);
  m.restarted(0, kNow - 4 * kSec);
  std::string out = renderLines(m, kNow);
  EXPECT_NE(out.find("masters alpha  slaves beta gamma delta\n"), std::string::npos) << out;
  EXPECT_NE(out.find("reported:  master.alpha=UP  slave.beta=RECOVER\n"), std::string::npos) << out;
  EXPECT_NE(out.find("last action start 2026-12-07 02:00:00\n"), std::string::npos) << out;
  EXPECT_NE(out.find("last connect -  last call "), std::string::npos) << out;
  EXPECT_NE(out.find("(2s ago)"), std::string::npos) << out;
  EXPECT_NE(out.find("restarted "), std::string::npos) << out;
  EXPECT_EQ(out.find("witnesses"), std::string::npos) << out;
}

TEST(MonLines, AnHcCheckShowsItsLatency) {
  Model m;
  m.add("hc");
  m.connected(0, "hc", "0.1.0", kNow);
  m.listing(0);
  state::Record r = rec("web1@fra", state::State::Up, 7, kNow - 3 * kSec, "HTTP 200");
  r.attrs = {{"latency", "12ms"}, {"location", "fra"}};
  m.record(0, r);
  m.synced(0, 7, kNow);
  EXPECT_NE(renderLines(m, kNow).find("  web1@fra  UP      3s  latency 12ms  \"HTTP 200\"\n"), std::string::npos)
      << renderLines(m, kNow);
}

TEST(MonLines, ATargetNotYetReachedSaysSo) {
  Model m;
  m.add("gamma:1850");
  EXPECT_EQ(renderLines(m, kNow), "gamma:1850  connecting\n  0 records: 0 up, 0 recover, 0 fail, 0 unknown\n");
}

}  // namespace
}  // namespace fail::mon

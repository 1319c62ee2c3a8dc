// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's collector over a real store and journal: records by state, changes and the
// fsync histogram come from what faild already counts.
#include "faild/metrics.hh"

#include <gtest/gtest.h>

#include "ev/loop.hh"
#include "metrics/process.hh"
#include "tests/common/temp_dir.hh"

namespace fail {
namespace {

state::SetInput input(const std::string& name, state::State s, const std::string& note) {
  state::SetInput i;
  i.name = name;
  i.state = s;
  i.note = note;
  i.origin = "test";
  return i;
}

TEST(FaildMetrics, ReadsStoreServerAndJournal) {
  test::TempDir dir;
  state::Recovery rec;
  auto journal = state::Journal::open(dir.file("faild.state"), rec);
  ev::Loop loop;
  state::Store store(std::move(journal), std::move(rec), {}, steadyNow());
  server::ServerConfig cfg;  // no listeners: only its counters are read
  server::Server srv(loop, cfg, store);
  metrics::Registry reg;
  metrics::addProcessMetrics(reg, "faild", "test");
  addFaildMetrics(reg, srv, store, nullptr, nullptr);

  int acked = 0;
  std::uint64_t serial = 0;
  auto done = [&](bool ok, std::uint64_t, const std::string&) { acked += ok; };
  store.set(input("www", state::State::Up, "ok"), wallNow(), steadyNow(), done, serial);
  store.set(input("db", state::State::Fail, "down"), wallNow(), steadyNow(), done, serial);
  store.set(input("mail", state::State::Up, "ok"), wallNow(), steadyNow(), done, serial);
  store.journal()->drain();
  ASSERT_EQ(acked, 3);

  std::string text = reg.render();
  EXPECT_NE(text.find("failover_records{state=\"UP\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("failover_records{state=\"FAIL\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("failover_records{state=\"UNKNOWN\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("failover_changes_total 3\n"), std::string::npos);
  EXPECT_NE(text.find("failover_connections 0\n"), std::string::npos);
  EXPECT_NE(text.find("failover_watchers 0\n"), std::string::npos);
  EXPECT_NE(text.find("failover_build_info{program=\"faild\",version=\"test\"} 1\n"), std::string::npos);
  // At least one group sync (the three may share it), each counted in the histogram.
  auto at = text.find("failover_fsync_duration_seconds_count ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GE(std::stoull(text.substr(at + 38)), 1u);
  EXPECT_NE(text.find("failover_fsync_duration_seconds_bucket{le=\"+Inf\"}"), std::string::npos);
  EXPECT_EQ(text.find("failover_history_lag_seconds"), std::string::npos);  // no history database
}

}  // namespace
}  // namespace fail

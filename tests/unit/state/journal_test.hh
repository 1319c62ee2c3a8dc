// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Shared by the Journal tests: a temporary directory and small record helpers.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "state/journal.hh"

namespace fail::state::testing {

inline Record rec(const std::string& name, State state, std::uint64_t serial,
                  std::string note = "") {
  Record r;
  r.name = name;
  r.state = state;
  r.serial = serial;
  r.since = 1763784000000000 + static_cast<Micros>(serial);
  r.origin = "failc@127.0.0.1";
  r.note = std::move(note);
  return r;
}

inline Change set(const Record& r) { return Change{Change::Kind::Set, r}; }

inline Change del(const std::string& name, std::uint64_t serial) {
  Change c{Change::Kind::Delete, Record{}};
  c.record.name = name;
  c.record.serial = serial;
  c.record.since = 1763784000000000 + static_cast<Micros>(serial);
  return c;
}

inline const Record* find(const Recovery& r, const std::string& name) {
  for (const Record& x : r.records)
    if (x.name == name) return &x;
  return nullptr;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void spit(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// Each test gets its own directory under /tmp, removed afterwards.
class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/journal-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/faild.state";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Journal> open(Recovery& r) { return Journal::open(path_, r); }

  // Waits (on completionFd, at most 60 s by the clock, however busy the machine) until
  // `done()` holds, running completions.
  template <typename Pred>
  static bool pump(Journal& j, Pred done) {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done() && std::chrono::steady_clock::now() < end) {
      pollfd p{j.completionFd(), POLLIN, 0};
      ::poll(&p, 1, 10);
      j.runCompletions();
    }
    return done();
  }

  std::string dir_, path_;
};

}  // namespace fail::state::testing

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
#include <deque>
#include <sstream>
#include <string>
#include <vector>

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

inline VersionRef set(const Record& r) { return Version::make(r); }

inline VersionRef del(const std::string& name, std::uint64_t serial) {
  return Version::tombstone(name, serial, 1763784000000000 + static_cast<Micros>(serial));
}

// The record `name` of a recovery, decoded (kept for the test's duration), or null.
inline const Record* find(const Recovery& r, const std::string& name) {
  static std::deque<Record> decoded;
  for (const VersionRef& x : r.records)
    if (x->name() == name) return &decoded.emplace_back(x->record());
  return nullptr;
}

inline std::vector<VersionRef> versions(const std::vector<Record>& rs) {
  std::vector<VersionRef> out;
  for (const Record& r : rs) out.push_back(Version::make(r));
  return out;
}

inline std::vector<Record> records(const std::vector<VersionRef>& vs) {
  std::vector<Record> out;
  for (const VersionRef& v : vs) out.push_back(v->record());
  return out;
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

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Journal on real files: round trips, group commit, the high-water mark, compaction,
// and recovery from damage. Crashes and failing disks: journal_crash_test.cc.
#include "tests/unit/state/journal_test.hh"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <thread>

#include "state/journal_format.hh"

namespace fail::state::testing {
namespace {


struct Acks {
  int ok = 0, failed = 0;
  std::vector<std::uint64_t> order;
  std::string error;
  Journal::Done done(std::uint64_t tag) {
    return [this, tag](bool good, const std::string& err) {
      (good ? ok : failed)++;
      order.push_back(tag);
      if (!good) error = err;
    };
  }
};

TEST_F(JournalTest, CreatesAFreshFile) {
  Recovery r;
  auto j = open(r);
  EXPECT_TRUE(r.records.empty());
  EXPECT_TRUE(r.changes.empty());
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.movedTo, "");
  EXPECT_EQ(r.base, 0u);
  EXPECT_EQ(r.ceiling, 0u);
  EXPECT_EQ(j->path(), path_);
  std::string f = slurp(path_);
  EXPECT_EQ(j->size(), f.size());
  EXPECT_EQ(f.substr(9), "FAILD-STATE 1 base 0\n");
  EXPECT_EQ(slurp(path_ + ".serial"), "0\n");
}

TEST_F(JournalTest, ChangesDeletesAndAttrsSurviveReopen) {
  Acks acks;
  Record web = rec("web1@fra", State::Fail, 4, "HTTP 503\nbody {x} $y [z] \xc3\xa9");
  web.ttlMs = 3000;
  web.attrs = {{"latency", "12ms"}};
  {
    Recovery r;
    auto j = open(r);
    j->appendChange(set(rec("www", State::Up, 1)), 100, acks.done(1));
    j->appendChange(set(rec("db", State::Up, 2)), 100, acks.done(2));
    j->appendChange(del("www", 3), 100, acks.done(3));
    j->appendChange(set(web), 100, acks.done(4));
    j->appendAttrs("web1@fra", {{"latency", "15ms"}, {"weight", "3"}});
    j->appendAttrs("www", {{"x", "1"}});  // deleted meanwhile: ignored on reading
    j->drain();
    EXPECT_EQ(acks.ok, 4);
    EXPECT_EQ(acks.order, (std::vector<std::uint64_t>{1, 2, 3, 4}));
    EXPECT_EQ(j->size(), slurp(path_).size());
  }
  Recovery r;
  auto j = open(r);
  EXPECT_TRUE(r.problems.empty()) << r.problems[0];
  EXPECT_EQ(r.base, 0u);
  EXPECT_EQ(r.ceiling, 100u);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(find(r, "www"), nullptr);
  const Record* w = find(r, "web1@fra");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->note, web.note);
  EXPECT_EQ(w->ttlMs, 3000);
  EXPECT_EQ(w->serial, 4u);
  EXPECT_EQ(w->since, web.since);
  EXPECT_EQ(w->origin, web.origin);
  EXPECT_EQ(w->attrs, (Attrs{{"latency", "15ms"}, {"weight", "3"}}));
  ASSERT_EQ(r.changes.size(), 4u);
  EXPECT_TRUE(r.changes[2]->deleted());
  EXPECT_EQ(r.changes[2]->name(), "www");
  EXPECT_EQ(r.changes[2]->since(), 1763784000000003);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(r.changes[i]->serial(), i + 1);
  EXPECT_EQ(r.changes[3]->attrs(), web.attrs);  // as changed, not as refreshed
}

TEST_F(JournalTest, CompletionsRunInOrderOnTheCallingThread) {
  Recovery r;
  auto j = open(r);
  std::vector<std::uint64_t> order;
  auto me = std::this_thread::get_id();
  for (std::uint64_t s = 1; s <= 200; ++s) {
    j->appendChange(set(rec("n" + std::to_string(s % 7), State::Up, s)), 1000,
                    [&order, s, me](bool ok, const std::string&) {
                      EXPECT_TRUE(ok);
                      EXPECT_EQ(std::this_thread::get_id(), me);
                      order.push_back(s);
                    });
    if (s == 100) j->compact(versions({rec("n1", State::Up, 99)}), 100, nullptr);
  }
  ASSERT_TRUE(pump(*j, [&] { return order.size() == 200; }));
  for (std::uint64_t s = 1; s <= 200; ++s) EXPECT_EQ(order[s - 1], s);
  // The fd wakes the loop: readable once a change is durable, with no other help.
  j->drain();
  bool ran = false;
  j->appendChange(set(rec("x", State::Up, 201)), 1000,
                  [&ran](bool ok, const std::string&) { ran = ok; });
  pollfd p{j->completionFd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 10000), 1);
  EXPECT_FALSE(ran);  // only runCompletions() runs callbacks
  j->runCompletions();
  EXPECT_TRUE(ran);
}

TEST_F(JournalTest, GroupCommitSharesSyncs) {
  Recovery r;
  auto j = open(r);
  const int kCount = 5000;
  Acks acks;
  std::uint64_t before = j->fsyncs();
  for (int s = 1; s <= kCount; ++s)
    j->appendChange(set(rec("svc" + std::to_string(s % 64), State::Up, s)), 65536,
                    acks.done(s));
  j->drain();
  EXPECT_EQ(acks.ok, kCount);
  std::uint64_t syncs = j->fsyncs() - before;
  std::printf("[ journal  ] %d changes queued from the loop, %llu fsyncs (%.4f per change)\n",
              kCount, static_cast<unsigned long long>(syncs), double(syncs) / kCount);
  EXPECT_GE(syncs, 1u);
  EXPECT_LT(syncs, kCount / 5u);  // shared (one each would be kCount); a sanitizer build syncs more often
}

// 64 writers, each sending its next change when the previous one was acknowledged: the
// way faild's clients use it. The design asks for 10,000 durable changes per second.
TEST_F(JournalTest, SixtyFourWritersSustainTenThousandChangesPerSecond) {
  Recovery r;
  auto j = open(r);
  const std::uint64_t kTotal = 30000, kWriters = 64;
  std::uint64_t issued = 0, acked = 0, failed = 0;
  std::function<void()> issue = [&] {
    ++issued;
    std::uint64_t s = issued;
    j->appendChange(set(rec("w" + std::to_string(s % kWriters), s % 2 ? State::Up : State::Fail,
                            s, "probe " + std::to_string(s))),
                    (s / 65536 + 1) * 65536, [&](bool ok, const std::string&) {
                      ++acked;
                      failed += !ok;
                      if (issued < kTotal) issue();
                    });
  };
  std::uint64_t before = j->fsyncs();
  auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t w = 0; w < kWriters; ++w) issue();
  ASSERT_TRUE(pump(*j, [&] { return acked == kTotal; }));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::uint64_t syncs = j->fsyncs() - before;
  double rate = kTotal / secs;
  std::printf("[ journal  ] %llu changes from %llu writers in %.3f s: %.0f/s, %llu fsyncs "
              "(%.4f per change)\n",
              static_cast<unsigned long long>(kTotal), static_cast<unsigned long long>(kWriters),
              secs, rate, static_cast<unsigned long long>(syncs), double(syncs) / kTotal);
  RecordProperty("changes_per_second", static_cast<int>(rate));
  EXPECT_EQ(failed, 0u);
  // What the journal controls: changes share syncs. At least 8 per sync (16 or more
  // here, fewer in a sanitizer build) makes 10,000/s reachable with a sync as slow as
  // 0.8 ms (this project's machines: 115 us).
  EXPECT_LE(double(syncs) / kTotal, 1.0 / 8);
  // The rate itself is only asked for when the disk syncs at a sane speed: machines
  // shared with other builds sometimes take milliseconds per fsync.
  double perSync = secs / syncs;
  if (perSync < 0.001) {
    EXPECT_GE(rate, 10000.0) << "with " << perSync * 1e6 << " us per sync";
  } else {
    std::printf("[ journal  ] syncs took %.0f us on average: rate not checked\n", perSync * 1e6);
  }
}

TEST_F(JournalTest, CeilingIsDurableBeforeTheChangeAndNeverGoesBack) {
  auto onDisk = [&] { return std::stoull(slurp(path_ + ".serial")); };
  {
    Recovery r;
    auto j = open(r);
    int checked = 0;
    auto expectCovered = [&](std::uint64_t serial) {
      return [&, serial](bool ok, const std::string&) {
        EXPECT_TRUE(ok);
        EXPECT_GE(onDisk(), serial);
        ++checked;
      };
    };
    j->appendChange(set(rec("a", State::Up, 1)), 1000, expectCovered(1000));
    EXPECT_EQ(j->ceiling(), 1000u);
    j->appendChange(set(rec("a", State::Fail, 2)), 500, expectCovered(1000));  // lower: kept
    EXPECT_EQ(j->ceiling(), 1000u);
    j->appendChange(set(rec("a", State::Up, 1500)), 1000, expectCovered(1500));  // above
    EXPECT_EQ(j->ceiling(), 1500u);
    j->drain();
    EXPECT_EQ(checked, 3);
    EXPECT_EQ(onDisk(), 1500u);
  }
  std::uint64_t last = 0;
  for (int round = 0; round < 3; ++round) {
    Recovery r;
    auto j = open(r);
    EXPECT_TRUE(r.problems.empty());
    EXPECT_GE(r.ceiling, 1500u);
    EXPECT_GE(r.ceiling, last);
    last = r.ceiling;
    EXPECT_EQ(j->ceiling(), r.ceiling);
    j->appendChange(set(rec("b", State::Up, r.ceiling + 1)), r.ceiling + 10, nullptr);
    j->drain();
  }
  EXPECT_EQ(onDisk(), last + 10);
}

TEST_F(JournalTest, ALostSerialFileIsRebuiltFromTheJournal) {
  {
    Recovery r;
    auto j = open(r);
    j->appendChange(set(rec("a", State::Up, 7)), 9, nullptr);
  }
  ::unlink((path_ + ".serial").c_str());
  Recovery r;
  open(r);
  EXPECT_EQ(r.ceiling, 7u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find(".serial: missing"), std::string::npos);
  EXPECT_EQ(r.movedTo, "");  // the state file itself is sound
  EXPECT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(slurp(path_ + ".serial"), "7\n");
  spit(path_ + ".serial", "3\n");  // below the journal
  open(r);
  EXPECT_EQ(r.ceiling, 7u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("below serial 7"), std::string::npos);
  spit(path_ + ".serial", "lots\n");
  open(r);
  EXPECT_EQ(r.ceiling, 7u);
  EXPECT_EQ(r.problems.size(), 1u);
  open(r);
  EXPECT_TRUE(r.problems.empty());
}

TEST_F(JournalTest, CompactionRewritesAndLaterChangesFollowIt) {
  std::uint64_t compactedSize = 0;
  {
    Recovery r;
    auto j = open(r);
    for (std::uint64_t s = 1; s <= 300; ++s)
      j->appendChange(set(rec("n" + std::to_string(s % 10), State::Up, s)), 1000, nullptr);
    j->drain();
    std::uint64_t big = j->size();
    std::vector<Record> snapshot;
    for (std::uint64_t s = 291; s <= 300; ++s)
      snapshot.push_back(rec("n" + std::to_string(s % 10), State::Up, s));
    Acks acks;
    j->compact(versions(snapshot), 300, acks.done(0));
    j->drain();
    EXPECT_EQ(acks.ok, 1);
    compactedSize = j->size();
    EXPECT_LT(compactedSize, big / 10);
    EXPECT_EQ(compactedSize, slurp(path_).size());
    j->appendChange(set(rec("n3", State::Fail, 301, "after")), 1000, acks.done(1));
    j->appendChange(del("n4", 302), 1000, acks.done(2));
    j->drain();
    EXPECT_EQ(acks.ok, 3);
    EXPECT_GT(j->size(), compactedSize);
  }
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  Recovery r;
  open(r);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.base, 300u);
  EXPECT_EQ(r.ceiling, 1000u);
  ASSERT_EQ(r.records.size(), 9u);
  EXPECT_EQ(find(r, "n3")->note, "after");
  EXPECT_EQ(find(r, "n5")->serial, 295u);
  EXPECT_EQ(find(r, "n4"), nullptr);
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[0]->serial(), 301u);
  EXPECT_TRUE(r.changes[1]->deleted());
}

TEST_F(JournalTest, AFailedCompactionKeepsTheOldFile) {
  Recovery r;
  auto j = open(r);
  j->appendChange(set(rec("a", State::Up, 1)), 10, nullptr);
  std::filesystem::create_directory(path_ + ".tmp");  // where the new file would go
  Acks acks;
  j->compact({}, 1, acks.done(0));
  j->appendChange(set(rec("b", State::Up, 2)), 10, acks.done(2));
  j->drain();
  EXPECT_EQ(acks.failed, 1);
  EXPECT_EQ(acks.ok, 1);
  EXPECT_NE(acks.error.find(path_ + ".tmp: open: Is a directory"), std::string::npos)
      << acks.error;
  j.reset();
  std::filesystem::remove(path_ + ".tmp");
  open(r);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.changes.size(), 2u);
}

TEST_F(JournalTest, AttrsAloneAreWrittenLazilyWithoutSync) {
  Recovery r;
  auto j = open(r);
  j->appendChange(set(rec("a", State::Up, 1)), 10, nullptr);
  j->drain();
  std::uint64_t syncs = j->fsyncs(), size = j->size();
  j->appendAttrs("a", {{"latency", "1ms"}});
  // Written within about a second without anyone asking (waited for by the clock, at
  // most 30 s however busy the machine).
  for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
       j->size() == size && std::chrono::steady_clock::now() < end;)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GT(j->size(), size);
  for (int i = 0; i < 100; ++i) j->appendAttrs("a", {{"latency", std::to_string(i) + "ms"}});
  j->drain();
  EXPECT_EQ(j->fsyncs(), syncs);
  j.reset();
  open(r);
  EXPECT_EQ(r.records.at(0)->attrs(), (Attrs{{"latency", "99ms"}}));
}

TEST_F(JournalTest, TheDestructorWritesWhatWasQueued) {
  {
    Recovery r;
    auto j = open(r);
    for (std::uint64_t s = 1; s <= 50; ++s)
      j->appendChange(set(rec("n" + std::to_string(s), State::Up, s)), 100,
                      [](bool, const std::string&) { ADD_FAILURE() << "callback after close"; });
    j->appendAttrs("n1", {{"k", "v"}});
  }
  Recovery r;
  open(r);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.records.size(), 50u);
  EXPECT_EQ(find(r, "n1")->attrs, (Attrs{{"k", "v"}}));
}

// Writes five changes a..e (serials 1..5) and returns the file's bytes.
std::string writeFive(const std::string& path) {
  Recovery r;
  auto j = Journal::open(path, r);
  const char* names[] = {"a", "b", "c", "d", "e"};
  for (std::uint64_t s = 1; s <= 5; ++s)
    j->appendChange(set(rec(names[s - 1], State::Up, s, "note " + std::to_string(s))), s,
                    nullptr);
  j->drain();
  return slurp(path);
}

TEST_F(JournalTest, ATruncatedTailIsRecoveredUpToTheCut) {
  std::string f = writeFive(path_);
  size_t last = f.rfind('\n', f.size() - 2) + 1;
  size_t cut = last + 60;
  ASSERT_LT(cut, f.size());
  ASSERT_EQ(::truncate(path_.c_str(), static_cast<off_t>(cut)), 0);
  Recovery r;
  open(r);
  ASSERT_EQ(r.problems.size(), 2u);  // the damage, then what was done about it
  EXPECT_EQ(r.problems[0].rfind(path_ + ": offset " + std::to_string(last) + ": ", 0), 0u);
  EXPECT_NE(r.problems[0].find("no newline"), std::string::npos);
  EXPECT_NE(r.problems[0].find("lost 60 bytes (probably the change to 'e' serial 5)"),
            std::string::npos)
      << r.problems[0];
  EXPECT_NE(r.problems[1].find("moved aside to " + r.movedTo), std::string::npos);
  std::string prefix = path_ + ".damaged-", stamp = r.movedTo.substr(prefix.size());
  EXPECT_EQ(r.movedTo.substr(0, prefix.size()), prefix);
  ASSERT_EQ(stamp.size(), 15u) << r.movedTo;  // YYYYMMDD-HHMMSS
  for (size_t i = 0; i < stamp.size(); ++i)
    EXPECT_TRUE(i == 8 ? stamp[i] == '-' : std::isdigit(static_cast<unsigned char>(stamp[i])))
        << r.movedTo;
  EXPECT_EQ(slurp(r.movedTo), f.substr(0, cut));  // kept as it was
  EXPECT_EQ(r.records.size(), 4u);
  EXPECT_EQ(find(r, "e"), nullptr);
  EXPECT_EQ(find(r, "d")->note, "note 4");
  EXPECT_TRUE(r.changes.empty());  // history across damage is not trusted
  EXPECT_EQ(r.ceiling, 5u);        // the .serial file had been raised for 'e'
  EXPECT_EQ(r.base, 5u);
  std::string movedTo = r.movedTo;

  Recovery again;
  open(again);
  EXPECT_TRUE(again.problems.empty()) << again.problems[0];
  EXPECT_EQ(again.movedTo, "");
  EXPECT_EQ(again.records.size(), 4u);
  EXPECT_EQ(again.base, 5u);
  EXPECT_TRUE(std::filesystem::exists(movedTo));
}

TEST_F(JournalTest, AFlippedByteLosesOnlyItsEntry) {
  std::string f = writeFive(path_);
  size_t third = 0;
  for (int i = 0; i < 3; ++i) third = f.find('\n', third) + 1;  // header, a, b
  size_t end = f.find('\n', third) + 1;
  f[third + 40] = static_cast<char>(f[third + 40] ^ 0x04);
  spit(path_, f);
  Recovery r;
  open(r);
  ASSERT_EQ(r.problems.size(), 2u);
  EXPECT_NE(r.problems[0].find("offset " + std::to_string(third) +
                               ": checksum mismatch; lost " + std::to_string(end - third) +
                               " bytes"),
            std::string::npos)
      << r.problems[0];
  EXPECT_NE(r.problems[0].find("'c'"), std::string::npos) << r.problems[0];
  EXPECT_EQ(r.records.size(), 4u);
  EXPECT_EQ(find(r, "c"), nullptr);
  EXPECT_NE(find(r, "e"), nullptr);
  EXPECT_NE(r.movedTo, "");
  EXPECT_EQ(r.ceiling, 5u);
  Recovery again;
  open(again);
  EXPECT_TRUE(again.problems.empty());
  EXPECT_EQ(again.records.size(), 4u);
}

TEST_F(JournalTest, GarbageNeverCrashesAndIsReported) {
  std::mt19937 rng(7);
  std::string noise(65536, '\0'), zeros(4096, '\0'), longLine(1 << 20, 'x');
  for (char& c : noise) c = static_cast<char>(rng());
  std::string sound = writeFive(path_);
  std::vector<std::string> files = {
      "", zeros, noise, "FAILD-STATE 1 base 0\n", sound.substr(0, 30) + "\n\n\n",
      sound.substr(0, 30) + longLine, "\n", sound + std::string("\0\0\0\0\n", 5)};
  files.push_back(sound);
  files.back()[3] = 'Z';  // the header's checksum
  int n = 0;
  for (const std::string& content : files) {
    SCOPED_TRACE("file " + std::to_string(n++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directory(dir_);
    spit(path_, content);
    Recovery r;
    ASSERT_NO_THROW(open(r));
    EXPECT_FALSE(r.problems.empty());
    EXPECT_NE(r.movedTo, "");
    EXPECT_EQ(slurp(r.movedTo), content);
    Recovery again;
    ASSERT_NO_THROW(open(again));
    EXPECT_TRUE(again.problems.empty()) << again.problems[0];
  }
}

TEST_F(JournalTest, ARecoveryThatCannotWriteLeavesTheDamagedFileInPlace) {
  spit(path_, "rubbish\n");
  std::filesystem::create_directory(path_ + ".tmp");  // the fresh file cannot be written
  Recovery r;
  EXPECT_THROW(open(r), std::runtime_error);
  EXPECT_EQ(slurp(path_), "rubbish\n");
  std::filesystem::remove(path_ + ".tmp");
  open(r);
  EXPECT_FALSE(r.problems.empty());
  EXPECT_EQ(slurp(r.movedTo), "rubbish\n");
}

TEST_F(JournalTest, TwoRecoveriesInOneSecondKeepBothFiles) {
  std::set<std::string> moved;
  for (int i = 0; i < 3; ++i) {
    spit(path_, "rubbish\n");
    Recovery r;
    open(r);
    moved.insert(r.movedTo);
  }
  EXPECT_EQ(moved.size(), 3u);
}

TEST_F(JournalTest, ANewerVersionIsRefusedAndLeftAlone) {
  std::string f;
  format::appendLine(f, "FAILD-STATE 2 base 0");
  spit(path_, f);
  Recovery r;
  EXPECT_THROW(open(r), std::runtime_error);
  EXPECT_EQ(slurp(path_), f);
}

TEST_F(JournalTest, UnusablePathsThrow) {
  Recovery r;
  try {
    Journal::open(dir_ + "/missing/faild.state", r);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(dir_ + "/missing/faild.state"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
        << e.what();
  }
  std::filesystem::create_directory(path_);
  EXPECT_THROW(open(r), std::runtime_error);
  spit(dir_ + "/plain", "");
  EXPECT_THROW(Journal::open(dir_ + "/plain/faild.state", r), std::runtime_error);
}

}  // namespace
// Issue 10: a record name the protocol rejects is moved aside with the damaged file,
// once; the records around it are kept.
TEST_F(JournalTest, ARejectedNameIsMovedAsideOnce) {
  std::string f;
  format::appendHeader(f, 2);
  format::appendRecordEntry(f, *Version::make(rec("www", State::Up, 1)));
  format::appendRecordEntry(f, *Version::make(rec("../x y", State::Fail, 2)));
  spit(path_, f);
  spit(path_ + ".serial", "100\n");
  Recovery r;
  open(r);
  ASSERT_EQ(r.problems.size(), 2u);
  EXPECT_NE(r.problems[0].find("a record name the protocol rejects ('../x y')"), std::string::npos)
      << r.problems[0];
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0]->name(), "www");
  ASSERT_FALSE(r.movedTo.empty());
  EXPECT_EQ(slurp(r.movedTo), f);  // the rejected record is kept there
  Recovery again;
  open(again);
  EXPECT_TRUE(again.problems.empty()) << again.problems[0];
  EXPECT_EQ(again.records.size(), 1u);
}

// Issue 10: a damaged .serial file far above any real serial made serials wrap at 2^64
// without a word. faild refuses to start, says what to do, and touches nothing.
TEST_F(JournalTest, AMarkOrSerialAboveTheBoundIsRefused) {
  {
    Recovery r;
    auto j = open(r);
    j->appendChange(set(rec("www", State::Up, 1)), 100, nullptr);
    j->drain();
  }
  std::string state = slurp(path_);
  spit(path_ + ".serial", "18446744073709551000\n");
  Recovery r;
  try {
    open(r);
    ADD_FAILURE() << "opened with a high-water mark above 2^63";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(path_ + ".serial: high-water mark 18446744073709551000 is above "
                                "9223372036854775808 (2^63)"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("write in it the highest serial"), std::string::npos) << what;
  }
  EXPECT_EQ(slurp(path_), state);
  EXPECT_EQ(slurp(path_ + ".serial"), "18446744073709551000\n");
  spit(path_ + ".serial", "9223372036854775808\n");  // the bound itself is allowed
  EXPECT_NO_THROW(open(r));

  // A serial above the bound in the state file itself.
  std::filesystem::remove(path_ + ".serial");
  std::string f;
  format::appendHeader(f, 0);
  format::appendRecordEntry(f, *Version::make(rec("www", State::Up, 18446744073709551000u)));
  spit(path_, f);
  try {
    open(r);
    ADD_FAILURE() << "opened with a serial above 2^63";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path_ + ": serial 18446744073709551000 is above"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(slurp(path_), f);
}

}  // namespace fail::state::testing

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Store over a Journal whose writes fail (RLIMIT_FSIZE stands in for a full disk): a
// change that is not durable is never acknowledged, never published, and leaves memory
// as it was, whether it is a SET, a DEL or a ttl expiry (issue 10 item 2).
#include <signal.h>
#include <sys/resource.h>

#include <vector>

#include "state/store.hh"
#include "tests/unit/state/journal_test.hh"

namespace fail::state::testing {
namespace {

struct Recorder : ChangeListener {
  std::vector<std::string> lines;
  void onPublished(const Published& p) override {
    std::string line;
    p.appendLine(line);
    lines.push_back(line);
  }
};

// Limits the size of files this process writes to `bytes` (writes beyond fail with
// EFBIG instead of raising SIGXFSZ) until lift() or the end of the scope.
class FileSizeLimit {
 public:
  FileSizeLimit() {
    ::getrlimit(RLIMIT_FSIZE, &old_);
    oldHandler_ = ::signal(SIGXFSZ, SIG_IGN);
  }
  ~FileSizeLimit() {
    lift();
    ::signal(SIGXFSZ, oldHandler_);
  }
  void limit(std::uint64_t bytes) {
    rlimit lim{static_cast<rlim_t>(bytes), old_.rlim_max};
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &lim), 0);
  }
  void lift() { ::setrlimit(RLIMIT_FSIZE, &old_); }

 private:
  rlimit old_{};
  sighandler_t oldHandler_ = SIG_DFL;
};

struct Outcome {
  bool called = false, ok = false;
  std::uint64_t serial = 0;
};

SetInput input(const std::string& name, State s, std::string note, std::int64_t ttlMs = 0) {
  SetInput i;
  i.name = name;
  i.state = s;
  i.note = std::move(note);
  i.ttlMs = ttlMs;
  i.origin = "test";
  return i;
}

class StoreDurableTest : public JournalTest {
 protected:
  void SetUp() override {
    JournalTest::SetUp();
    Recovery r;
    auto j = open(r);
    journal_ = j.get();
    store_ = std::make_unique<Store>(std::move(j), std::move(r), Store::Options{}, 0);
    store_->addListener(&rec_);
  }
  void TearDown() override {
    store_.reset();
    JournalTest::TearDown();
  }
  // A new Store over the file, one that compacts at every housekeeping.
  void reopenCompacting() {
    store_.reset();
    Recovery r;
    auto j = open(r);
    journal_ = j.get();
    Store::Options o;
    o.compactMinBytes = 0;
    store_ = std::make_unique<Store>(std::move(j), std::move(r), o, 0);
  }

  Store::Done into(Outcome& o) {
    return [&o](bool ok, std::uint64_t serial, const std::string&) {
      o.called = true;
      o.ok = ok;
      o.serial = serial;
    };
  }
  Store::SetKind set(SetInput in, Outcome& o, Micros steady = 0) {
    std::uint64_t serial = 0;
    auto kind = store_->set(std::move(in), 1000, steady, into(o), serial);
    EXPECT_TRUE(pump(*journal_, [&] { return kind == Store::SetKind::Refresh || o.called; }));
    return kind;
  }
  bool published(std::uint64_t serial) const {
    std::string want = " " + std::to_string(serial) + " ";
    for (const auto& l : rec_.lines)
      if (l.find(want) != std::string::npos) return true;
    return false;
  }

  Journal* journal_ = nullptr;
  std::unique_ptr<Store> store_;
  Recorder rec_;
  FileSizeLimit fsize_;
};

TEST_F(StoreDurableTest, AFailedSetIsUndoneAndItsRetryIsAChangeAgain) {
  Outcome first;
  ASSERT_EQ(set(input("www", State::Up, "HTTP 200"), first), Store::SetKind::Change);
  ASSERT_TRUE(first.ok);

  fsize_.limit(journal_->size());  // the disk is full
  Outcome failed;
  ASSERT_EQ(set(input("www", State::Fail, "HTTP 503"), failed), Store::SetKind::Change);
  EXPECT_FALSE(failed.ok);
  EXPECT_EQ(store_->get("www")->state(), State::Up) << "memory must be as it was";
  EXPECT_EQ(store_->get("www")->note(), "HTTP 200");
  EXPECT_EQ(store_->get("www")->serial(), first.serial);
  EXPECT_FALSE(published(failed.serial)) << "watchers must not hear of it";

  Outcome retry;
  EXPECT_EQ(set(input("www", State::Fail, "HTTP 503"), retry), Store::SetKind::Change);
  EXPECT_TRUE(retry.called);
  EXPECT_FALSE(retry.ok);
  EXPECT_GT(retry.serial, failed.serial);

  Outcome created;  // a record created by a failed change does not exist afterwards
  set(input("new", State::Up, ""), created);
  EXPECT_FALSE(created.ok);
  EXPECT_EQ(store_->get("new"), nullptr);

  fsize_.lift();  // space again
  Outcome stored;
  EXPECT_EQ(set(input("www", State::Fail, "HTTP 503"), stored), Store::SetKind::Change);
  EXPECT_TRUE(stored.ok);
  EXPECT_TRUE(published(stored.serial));
  EXPECT_EQ(store_->counters().storageErrors, 3u);
  EXPECT_EQ(store_->publishedSerial(), stored.serial);

  store_.reset();
  Recovery r;
  auto j = open(r);
  ASSERT_TRUE(r.problems.empty()) << r.problems[0];
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0]->state(), State::Fail);
  EXPECT_EQ(r.records[0]->serial(), stored.serial);
}

TEST_F(StoreDurableTest, AFailedDeleteBringsTheRecordBack) {
  Outcome o;
  set(input("db", State::Up, "fine"), o);
  ASSERT_TRUE(o.ok);
  fsize_.limit(journal_->size());
  Outcome d;
  ASSERT_TRUE(store_->del("db", 2000, into(d)));
  EXPECT_TRUE(pump(*journal_, [&] { return d.called; }));
  EXPECT_FALSE(d.ok);
  ASSERT_NE(store_->get("db"), nullptr);
  EXPECT_EQ(store_->get("db")->note(), "fine");
  EXPECT_FALSE(published(d.serial));
}

TEST_F(StoreDurableTest, AFailedExpiryIsUndoneAndTriedAgainLater) {
  Outcome o;
  set(input("beat", State::Up, "", 1000), o, 0);
  ASSERT_TRUE(o.ok);
  fsize_.limit(journal_->size());
  ASSERT_EQ(store_->expire(5000, 1'000'000), 1u);
  EXPECT_TRUE(pump(*journal_, [&] { return store_->pending() == 0; }));
  EXPECT_EQ(store_->get("beat")->state(), State::Up) << "the expiry did not happen on disk";
  EXPECT_EQ(store_->counters().storageErrors, 1u);
  EXPECT_EQ(rec_.lines.size(), 1u);
  // Not at every tick: a second later.
  EXPECT_EQ(store_->expire(6000, 1'500'000), 0u);
  fsize_.lift();
  EXPECT_EQ(store_->expire(7000, 2'000'000), 1u);
  EXPECT_TRUE(pump(*journal_, [&] { return store_->pending() == 0; }));
  EXPECT_EQ(store_->get("beat")->state(), State::Unknown);
  EXPECT_EQ(rec_.lines.size(), 2u);
}

// A SET that repeats a state still in flight is a change of its own: an OK REFRESH now
// would acknowledge a state that may never reach the disk.
TEST_F(StoreDurableTest, ASetWhileAChangeIsInFlightIsAChange) {
  Outcome a, b;
  std::uint64_t sa = 0, sb = 0;
  fsize_.limit(journal_->size());
  store_->set(input("www", State::Up, "ok"), 1000, 0, into(a), sa);
  auto kind = store_->set(input("www", State::Up, "ok"), 2000, 0, into(b), sb);
  EXPECT_EQ(kind, Store::SetKind::Change);
  EXPECT_GT(sb, sa);
  EXPECT_EQ(store_->get("www")->since(), 1000);  // same state: still since the first
  EXPECT_TRUE(pump(*journal_, [&] { return a.called && b.called; }));
  EXPECT_FALSE(a.ok);
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(store_->get("www"), nullptr);
  EXPECT_TRUE(rec_.lines.empty());
}

// The next change after a failed one starts from the durable record: the failed
// change's attributes are gone with it.
TEST_F(StoreDurableTest, AChangeAfterAFailureStartsFromTheDurableRecord) {
  SetInput v1 = input("www", State::Up, "v1");
  v1.attrs = {{"kept", "1"}};
  Outcome base;
  set(v1, base);
  ASSERT_TRUE(base.ok);
  fsize_.limit(journal_->size());
  SetInput v2 = input("www", State::Fail, "v2");
  v2.attrs = {{"lost", "2"}};
  Outcome a;
  set(v2, a);
  EXPECT_FALSE(a.ok);
  fsize_.lift();
  Outcome b;
  set(input("www", State::Recover, "v3"), b);
  EXPECT_TRUE(b.ok);
  ASSERT_EQ(store_->get("www")->attrs().size(), 1u);
  EXPECT_EQ(store_->get("www")->attrs()[0].first, "kept");
}

// A compaction whose records were taken while a failing change was still in flight
// would write that change after all: it is skipped, and the next one is made.
TEST_F(StoreDurableTest, ACompactionNeverWritesAFailedChange) {
  reopenCompacting();
  Outcome base;
  set(input("www", State::Up, std::string(300, 'u')), base);
  ASSERT_TRUE(base.ok);
  fsize_.limit(journal_->size());  // room for a compacted file with a short note only
  Outcome a;
  std::uint64_t serial = 0;
  store_->set(input("www", State::Fail, "short"), 1000, 0, into(a), serial);
  store_->housekeeping();  // takes the records with the change in flight
  EXPECT_TRUE(pump(*journal_, [&] { return a.called; }));
  EXPECT_FALSE(a.ok);
  journal_->drain();
  EXPECT_EQ(store_->get("www")->state(), State::Up);
  fsize_.lift();
  store_->housekeeping();  // now a compaction of what is durable
  journal_->drain();
  store_.reset();
  Recovery back;
  open(back);
  ASSERT_EQ(back.records.size(), 1u);
  EXPECT_EQ(back.records[0]->state(), State::Up) << "a change answered ERR STORAGE came back";
  EXPECT_EQ(back.records[0]->serial(), base.serial);
  EXPECT_TRUE(back.changes.empty()) << "the later compaction was not made";
}

// A listener that keeps changes on its own, later (faild's history): a compaction keeps
// in the file what it has not kept yet, and what is in flight, for a restart after a crash.
struct Keeper : ChangeListener {
  std::vector<VersionRef> given;
  size_t kept = 0;  // given[0, kept) are kept
  void onPublished(const Published& p) override { given.push_back(p.version); }
  void unsaved(std::vector<VersionRef>& out) const override {
    out.insert(out.end(), given.begin() + static_cast<long>(kept), given.end());
  }
};

TEST_F(StoreDurableTest, ACompactionKeepsTheChangesAListenerHasNotKept) {
  reopenCompacting();
  Keeper keeper;
  store_->addListener(&keeper);
  std::vector<std::uint64_t> serials;
  for (int i = 0; i < 5; ++i) {
    Outcome out;
    set(input("www", i % 2 ? State::Fail : State::Up, std::string(500, 'a' + i)), out);
    ASSERT_TRUE(out.ok);
    serials.push_back(out.serial);
  }
  keeper.kept = 2;
  Outcome inFlight;
  std::uint64_t serial = 0;
  store_->set(input("db", State::Up, "in flight"), 1000, 0, into(inFlight), serial);
  store_->housekeeping();  // while "db" is in flight
  journal_->drain();
  journal_->runCompletions();
  EXPECT_TRUE(inFlight.ok);
  store_.reset();
  Recovery back;
  open(back);
  EXPECT_EQ(back.base, serials[1]);
  std::vector<std::uint64_t> kept;
  for (const VersionRef& v : back.changes) kept.push_back(v->serial());
  EXPECT_EQ(kept, (std::vector<std::uint64_t>{serials[2], serials[3], serials[4], inFlight.serial}));
  EXPECT_EQ(back.records.size(), 2u);

  // Once the listener has kept everything, a compaction keeps no change.
  reopenCompacting();
  store_->housekeeping();
  journal_->drain();
  store_.reset();
  Recovery last;
  open(last);
  EXPECT_TRUE(last.changes.empty());
  EXPECT_EQ(last.records.size(), 2u);
}

// LIST and a WATCH dump show records as published: a change in flight is not shown
// before it is durable (it may fail and be undone), in name order.
TEST_F(StoreDurableTest, ListingsShowOnlyPublishedRecords) {
  Outcome o1, o2;
  set(input("b", State::Up, "b1"), o1);
  set(input("d", State::Up, "d1"), o2);
  auto names = [&] {
    std::string out;
    store_->forEachPublished([&](const Version& r) { out += std::string(r.name()) + "=" + r.note() + " "; });
    return out;
  };
  EXPECT_EQ(names(), "b=b1 d=d1 ");
  Outcome a, c, del, b2;
  std::uint64_t serial = 0;
  store_->set(input("a", State::Up, "new"), 1000, 0, into(a), serial);
  store_->set(input("b", State::Fail, "b2"), 1000, 0, into(b2), serial);
  store_->set(input("c", State::Up, "new"), 1000, 0, into(c), serial);
  store_->del("d", 1000, into(del));
  EXPECT_EQ(names(), "b=b1 d=d1 ") << "changes in flight must not be shown";
  EXPECT_TRUE(pump(*journal_, [&] { return a.called && b2.called && c.called && del.called; }));
  EXPECT_EQ(names(), "a=new b=b2 c=new ");
}

}  // namespace
}  // namespace fail::state::testing

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// notify::Dispatcher over a real Queue (in memory, or a file) with a fake Sender whose
// sends the test ends, and a ManualClock: the parallel limit, retries with backoff and
// jitter, giving up, failures final, a sender replaced or a channel removed while sends
// are out, status callbacks, a storm read in pages, and sending again after a restart.
#include "notify/dispatcher.hh"

#include <gtest/gtest.h>

#include <deque>
#include <fstream>
#include <set>
#include <sstream>

#include "base/log.hh"
#include "ev/clock.hh"
#include "ev/loop.hh"
#include "../../common/sqlite_lock.hh"
#include "../../common/temp_dir.hh"

namespace fail::notify {
namespace {

using namespace std::chrono_literals;
constexpr Micros kS = 1'000'000;

// What a FakeSender was given, kept by the test beyond the sender's life.
struct Sends {
  struct Call {
    Message m;
    std::function<void(Outcome)> done;
    bool ended = false;
  };
  std::vector<Call> calls;
  bool destroyed = false;

  size_t open() const {
    size_t n = 0;
    for (const Call& c : calls) n += !c.ended;
    return n;
  }
  // Ends call `i` (never from inside send(): the test calls it).
  void end(size_t i, Outcome::End how, std::string detail = "") {
    ASSERT_LT(i, calls.size());
    ASSERT_FALSE(calls[i].ended);
    calls[i].ended = true;
    calls[i].done(Outcome{how, std::move(detail), {}});
  }
  std::vector<std::string> subjects() const {
    std::vector<std::string> out;
    for (const Call& c : calls) out.push_back(c.m.subject);
    return out;
  }
};

class FakeSender : public Sender {
 public:
  FakeSender(Sends& s, size_t parallel) : s_(s), parallel_(parallel) {}
  ~FakeSender() override { s_.destroyed = true; }
  void send(const Message& m, std::function<void(Outcome)> done) override {
    s_.calls.push_back({m, std::move(done)});
  }
  size_t parallel() const override { return parallel_; }

 private:
  Sends& s_;
  size_t parallel_;
};

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    queue = Queue::open(":memory:", &err);
    ASSERT_TRUE(queue) << err;
    dispatcher = std::make_unique<Dispatcher>(loop, *queue);
    dispatcher->onStatus([this](const std::string& ch, const ChannelStatus& st) {
      statuses.emplace_back(ch, st);
    });
  }

  // Adds messages with these subjects to `channel`, made at the dispatcher's now.
  std::vector<Message> add(const std::string& channel, std::vector<std::string> subjects) {
    std::vector<Message> msgs;
    for (std::string& s : subjects) {
      Message m;
      m.channel = channel;
      m.subject = std::move(s);
      m.record = "www";
      m.created = dispatcher->now();
      msgs.push_back(std::move(m));
    }
    std::string err;
    EXPECT_TRUE(queue->add(msgs, &err)) << err;
    dispatcher->wake(channel);
    return msgs;
  }
  std::unique_ptr<Sender> sender(Sends& s, size_t parallel = 1) {
    return std::make_unique<FakeSender>(s, parallel);
  }
  void advance(Micros us) { loop.advance(std::chrono::microseconds(us)); }

  std::deque<Sends> sends;  // the fake senders' records, outliving the loop and dispatcher
  ev::ManualClock clock;
  ev::Loop loop{clock};
  std::unique_ptr<Queue> queue;
  std::unique_ptr<Dispatcher> dispatcher;
  std::vector<std::pair<std::string, ChannelStatus>> statuses;
};

TEST_F(DispatcherTest, SendsWhatIsWaitingWithinTheParallelLimit) {
  Sends& s = sends.emplace_back();
  add("ops", {"a", "b", "c", "d", "e"});  // before the channel: waiting in the queue
  dispatcher->channel("ops", sender(s, 2));
  EXPECT_EQ(s.subjects(), (std::vector<std::string>{"a", "b"}));
  const ChannelStatus* st = dispatcher->status("ops");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->waiting, 5u);

  s.end(1, Outcome::End::Sent, "HTTP 200");
  EXPECT_EQ(s.calls.size(), 2u);  // written, and the next started, from the loop
  loop.runReady();
  EXPECT_EQ(s.subjects(), (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].first, "ops");
  EXPECT_EQ(statuses[0].second.sent, 1u);
  EXPECT_EQ(statuses[0].second.waiting, 4u);
  EXPECT_FALSE(statuses[0].second.failing);
  EXPECT_GT(statuses[0].second.lastSent, 0);

  while (s.open()) {
    for (size_t i = 0; i < s.calls.size(); ++i)
      if (!s.calls[i].ended) s.end(i, Outcome::End::Sent);
    loop.runReady();
  }
  EXPECT_EQ(s.subjects(), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(queue->counts("ops").sent, 5u);
  EXPECT_EQ(queue->counts("ops").waiting, 0u);
  EXPECT_EQ(dispatcher->status("ops")->waiting, 0u);
  EXPECT_EQ(dispatcher->status("ops")->sent, 5u);
}

TEST_F(DispatcherTest, WakeSendsWhatWasAddedAtOnce) {
  Sends& s = sends.emplace_back();
  dispatcher->channel("ops", sender(s, 4));
  EXPECT_TRUE(s.calls.empty());
  std::vector<Message> m = add("ops", {"now"});
  ASSERT_EQ(s.calls.size(), 1u);
  EXPECT_EQ(s.calls[0].m.key, m[0].key);
  EXPECT_EQ(s.calls[0].m.id, m[0].id);
  add("other", {"not for ops"});
  EXPECT_EQ(s.calls.size(), 1u);
}

TEST_F(DispatcherTest, RetriesWithABackoffThatDoublesAndGivesUp) {
  Sends& s = sends.emplace_back();
  dispatcher->channel("ops", sender(s), DispatchOptions{60s, 8s});
  add("ops", {"x"});
  ASSERT_EQ(s.calls.size(), 1u);
  Micros start = dispatcher->now();
  Micros last = start;
  std::vector<Micros> waits;
  while (true) {
    size_t n = s.calls.size();
    s.end(n - 1, Outcome::End::Retry, "HTTP 503 from hooks.example.com:443");
    loop.runReady();
    if (queue->counts("ops").failed) break;
    // Moves in 10 ms steps until the next attempt starts.
    Micros before = dispatcher->now();
    while (s.calls.size() == n && dispatcher->now() - before < 20 * kS) advance(10'000);
    ASSERT_EQ(s.calls.size(), n + 1) << "no attempt after " << n;
    waits.push_back(dispatcher->now() - last);
    last = dispatcher->now();
    EXPECT_EQ(s.calls.back().m.attempts, static_cast<int>(n));
  }
  // 1, 2, 4, 8, 8 ... seconds, each within 20 % (and a 10 ms step).
  ASSERT_GE(waits.size(), 5u);
  for (size_t i = 0; i < waits.size(); ++i) {
    Micros want = Dispatcher::backoff(static_cast<int>(i + 1), 8s);
    if (i + 1 == waits.size()) {  // the last attempt is made at the give-up age
      EXPECT_LE(waits[i], want * 12 / 10 + 10'000);
      continue;
    }
    EXPECT_GE(waits[i], want * 8 / 10) << i;
    EXPECT_LE(waits[i], want * 12 / 10 + 10'000) << i;
  }
  EXPECT_NEAR(static_cast<double>(last - start), 60.0 * kS, 0.02 * kS);
  const ChannelStatus* st = dispatcher->status("ops");
  EXPECT_TRUE(st->failing);
  EXPECT_EQ(st->failed, 1u);
  EXPECT_EQ(st->retries, waits.size());
  EXPECT_NE(st->lastError.find("gave up after 1m and"), std::string::npos) << st->lastError;
  EXPECT_NE(st->lastError.find("HTTP 503"), std::string::npos) << st->lastError;
  // Nothing more, however long.
  size_t n = s.calls.size();
  advance(600 * kS);
  EXPECT_EQ(s.calls.size(), n);
}

TEST_F(DispatcherTest, ReadsTheWallClockItIsGiven) {
  ev::Clock::time_point t0 = clock.now();
  dispatcher->setWallClock([&] {
    return 1000 * kS + std::chrono::duration_cast<std::chrono::microseconds>(clock.now() - t0).count();
  });
  EXPECT_EQ(dispatcher->now(), 1000 * kS);
  Sends& s = sends.emplace_back();
  dispatcher->channel("ops", sender(s), DispatchOptions{10s, 5min});
  add("ops", {"x"});  // made at 1000 s
  ASSERT_EQ(s.calls.size(), 1u);
  EXPECT_EQ(s.calls[0].m.created, 1000 * kS);
  s.end(0, Outcome::End::Retry, "down");
  loop.runReady();
  EXPECT_EQ(queue->counts("ops").failed, 0u);  // 10 s to give up, by this clock
  advance(1200'000);
  EXPECT_EQ(s.calls.size(), 2u);
}

TEST_F(DispatcherTest, TheBackoffDoublesUpToItsLimit) {
  EXPECT_EQ(Dispatcher::backoff(1, 5min), 1 * kS);
  EXPECT_EQ(Dispatcher::backoff(2, 5min), 2 * kS);
  EXPECT_EQ(Dispatcher::backoff(5, 5min), 16 * kS);
  EXPECT_EQ(Dispatcher::backoff(9, 5min), 256 * kS);
  EXPECT_EQ(Dispatcher::backoff(10, 5min), 300 * kS);
  EXPECT_EQ(Dispatcher::backoff(1000, 5min), 300 * kS);
}

TEST_F(DispatcherTest, AFailedOutcomeIsFinalAndLogged) {
  test::TempDir dir;
  log::openSink(log::Sink::File, "unit", dir.file("log"));
  log::setLevel("notify", log::Level::Info);
  Sends& s = sends.emplace_back();
  dispatcher->channel("ops", sender(s));
  std::vector<Message> m = add("ops", {"x", "y"});
  s.end(0, Outcome::End::Failed, "SMTP 550 no such user");
  loop.runReady();
  ASSERT_EQ(s.calls.size(), 2u);
  EXPECT_EQ(s.calls[1].m.subject, "y");
  s.end(1, Outcome::End::Retry, "connection refused");
  loop.runReady();
  advance(60 * kS);
  log::openSink(log::Sink::Stderr, "unit");
  log::setLevel("notify", log::Level::Notice);
  EXPECT_EQ(queue->counts("ops").failed, 1u);
  ASSERT_GE(s.calls.size(), 3u);
  for (size_t i = 2; i < s.calls.size(); ++i) EXPECT_EQ(s.calls[i].m.subject, "y");

  std::ifstream f(dir.file("log"));
  std::stringstream text;
  text << f.rdbuf();
  std::string log = text.str();
  EXPECT_NE(log.find("channel ops: message " + m[0].key + " (www): not sent: SMTP 550 no such user"),
            std::string::npos) << log;
  EXPECT_NE(log.find("channel ops: message " + m[1].key + " (www): attempt 1 failed, again in"),
            std::string::npos) << log;
}

TEST_F(DispatcherTest, AReplacedSenderKeepsItsSendsAndTheirOutcomes) {
  Sends& old = sends.emplace_back();
  Sends& now = sends.emplace_back();
  dispatcher->channel("ops", sender(old));
  add("ops", {"a", "b"});
  ASSERT_EQ(old.calls.size(), 1u);
  dispatcher->channel("ops", sender(now));  // a reload while "a" is out
  EXPECT_FALSE(old.destroyed);
  EXPECT_TRUE(now.calls.empty());  // the channel's one send is out already
  old.end(0, Outcome::End::Sent);
  loop.runReady();
  EXPECT_TRUE(old.destroyed);
  EXPECT_EQ(now.subjects(), (std::vector<std::string>{"b"}));  // "a" was not sent again
  EXPECT_EQ(queue->counts("ops").sent, 1u);
  now.end(0, Outcome::End::Sent);
  loop.runReady();
  EXPECT_EQ(queue->counts("ops").sent, 2u);
}

TEST_F(DispatcherTest, ASenderReplacedWithNothingOutGoesAtOnce) {
  Sends& old = sends.emplace_back();
  Sends& now = sends.emplace_back();
  dispatcher->channel("ops", sender(old));
  dispatcher->channel("ops", sender(now));
  loop.runReady();
  EXPECT_TRUE(old.destroyed);
  EXPECT_FALSE(now.destroyed);
}

TEST_F(DispatcherTest, ARemovedChannelLeavesItsMessagesInTheQueue) {
  Sends& s = sends.emplace_back();
  Sends& later = sends.emplace_back();
  dispatcher->channel("ops", sender(s));
  add("ops", {"a", "b"});
  dispatcher->remove("ops");
  EXPECT_EQ(dispatcher->status("ops"), nullptr);
  add("ops", {"c"});  // a wake for no channel: nothing happens
  s.end(0, Outcome::End::Sent);  // the send out still lands, without a status
  loop.runReady();
  EXPECT_TRUE(s.destroyed);
  EXPECT_TRUE(statuses.empty());
  EXPECT_EQ(s.calls.size(), 1u);
  EXPECT_EQ(queue->counts("ops").sent, 1u);
  EXPECT_EQ(queue->counts("ops").waiting, 2u);

  dispatcher->channel("ops", sender(later, 5));
  EXPECT_EQ(later.subjects(), (std::vector<std::string>{"b", "c"}));
}

TEST_F(DispatcherTest, AChannelRemovedAndAddedAgainDoesNotSendWhatIsOutTwice) {
  Sends& s = sends.emplace_back();
  Sends& again = sends.emplace_back();
  dispatcher->channel("ops", sender(s, 3));
  add("ops", {"a", "b"});
  ASSERT_EQ(s.calls.size(), 2u);
  dispatcher->remove("ops");
  dispatcher->channel("ops", sender(again, 3));
  EXPECT_TRUE(again.calls.empty());
  s.end(0, Outcome::End::Retry, "down");
  loop.runReady();
  EXPECT_TRUE(again.calls.empty());  // "a" waits for its backoff; "b" is still out
  advance(2 * kS);
  EXPECT_EQ(again.subjects(), (std::vector<std::string>{"a"}));
}

// 10,000 messages at once: read from the queue a page at a time, each sent once, in order.
TEST_F(DispatcherTest, AStormIsSentOnceEachInOrder) {
  std::vector<std::string> subjects;
  for (int i = 0; i < 10000; ++i) subjects.push_back("m" + std::to_string(i));
  Sends& s = sends.emplace_back();
  add("ops", subjects);
  dispatcher->channel("ops", sender(s, 8));
  size_t ended = 0;
  while (ended < s.calls.size()) {
    EXPECT_LE(s.open(), 8u);
    for (; ended < s.calls.size(); ++ended) s.end(ended, Outcome::End::Sent);
    loop.runReady();
  }
  EXPECT_EQ(s.subjects(), subjects);
  EXPECT_EQ(queue->counts("ops").sent, 10000u);
  EXPECT_EQ(queue->waitingTotal(), 0u);
}

TEST_F(DispatcherTest, AStatusAfterEachTurnOfOutcomes) {
  Sends& s = sends.emplace_back();
  dispatcher->channel("ops", sender(s, 3));
  add("ops", {"a", "b", "c"});
  s.end(0, Outcome::End::Retry, "HTTP 500 from h:80");
  loop.runReady();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_TRUE(statuses.back().second.failing);
  EXPECT_EQ(statuses.back().second.lastError, "HTTP 500 from h:80");
  EXPECT_EQ(statuses.back().second.retries, 1u);
  EXPECT_EQ(statuses.back().second.waiting, 3u);
  s.end(1, Outcome::End::Sent);
  s.end(2, Outcome::End::Sent);
  loop.runReady();
  ASSERT_EQ(statuses.size(), 2u);  // one for the two outcomes of that turn
  EXPECT_FALSE(statuses.back().second.failing);
  EXPECT_EQ(statuses.back().second.lastError, "");
  EXPECT_EQ(statuses.back().second.sent, 2u);
  EXPECT_EQ(statuses.back().second.waiting, 1u);
}

// failsh dies (the dispatcher goes with its senders) while a message is out: the next
// one sends it again, with the same key.
TEST(Dispatcher, SendsAgainAfterARestartWhatWasOut) {
  test::TempDir dir;
  Sends first, second;
  // One run of failsh: a queue, a loop, a dispatcher; the message added when given.
  auto run = [&](Sends& sends, const char* subject) {
    std::string err;
    auto q = Queue::open(dir.file("notify.db"), &err);
    ASSERT_TRUE(q) << err;
    ev::Loop loop;
    Dispatcher d(loop, *q);
    d.channel("ops", std::make_unique<FakeSender>(sends, 1));
    std::vector<Message> m(subject ? 1 : 0);
    for (Message& one : m) {
      one.channel = "ops";
      one.subject = subject;
    }
    ASSERT_TRUE(q->add(m, &err)) << err;
    d.wake("ops");
    ASSERT_EQ(sends.calls.size(), 1u);
  };
  run(first, "out when failsh died");
  EXPECT_TRUE(first.destroyed);
  run(second, nullptr);
  ASSERT_EQ(second.calls.size(), 1u);
  EXPECT_EQ(second.calls[0].m.key, first.calls[0].m.key);
  EXPECT_EQ(second.calls[0].m.subject, "out when failsh died");
}

// An outcome the queue cannot write (another process holds its lock: as a full disk
// would) leaves the message waiting in the file; it is not sent again and again.
TEST(Dispatcher, AnOutcomeThatCannotBeWrittenDoesNotSendTheMessageAgain) {
  test::TempDir dir;
  std::string err;
  auto q = Queue::open(dir.file("notify.db"), &err);
  ASSERT_TRUE(q) << err;
  Sends s;
  {
    ev::ManualClock clock;
    ev::Loop loop(clock);
    Dispatcher d(loop, *q);
    d.channel("ops", std::make_unique<FakeSender>(s, 1));
    std::vector<Message> m(2);
    for (Message& one : m) {
      one.channel = "ops";
      one.subject = "s" + std::to_string(&one - m.data());
      one.created = d.now();
    }
    ASSERT_TRUE(q->add(m, &err)) << err;
    d.wake("ops");
    ASSERT_EQ(s.calls.size(), 1u);
    {
      test::SqliteWriteLock lock(dir.file("notify.db"));
      ASSERT_TRUE(lock.locked());
      s.end(0, Outcome::End::Sent);
      loop.runReady();  // the write fails after the busy timeout
    }
    ASSERT_EQ(s.calls.size(), 2u);  // the next one goes; the first stays out of it
    EXPECT_EQ(s.calls[1].m.subject, "s1");
    s.end(1, Outcome::End::Sent);
    loop.runReady();
    loop.advance(std::chrono::seconds(60));
    EXPECT_EQ(s.calls.size(), 2u);
    EXPECT_EQ(q->counts("ops").sent, 1u);
    EXPECT_EQ(q->counts("ops").waiting, 1u);  // sent again after a restart
  }
}

TEST_F(DispatcherTest, PrunesOldRowsEveryHour) {
  Sends& s = sends.emplace_back();
  dispatcher->channel("ops", sender(s));
  add("ops", {"a"});
  s.end(0, Outcome::End::Sent);
  loop.runReady();
  EXPECT_EQ(queue->counts("ops").sent, 1u);
  advance(Dispatcher::kKeep);
  EXPECT_EQ(queue->counts("ops").sent, 1u);  // not older than 7 days yet at the last prune
  advance(3600 * kS + kS);
  EXPECT_EQ(queue->counts("ops").sent, 0u);
}

}  // namespace
}  // namespace fail::notify

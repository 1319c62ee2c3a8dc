// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The notification center on a ManualClock with the real rules, limiter, queue (in
// memory) and dispatcher, and a fake Sender that records what it is given.
#include "notify/center.hh"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ev/clock.hh"
#include "ev/loop.hh"

namespace fail::notify {
namespace {

using namespace std::chrono_literals;

// What the fake senders of a test were given, and how their attempts end.
struct Hub {
  std::vector<Message> got;
  Outcome::End end = Outcome::End::Sent;
  bool hold = false;  // attempts never end (a receiver that hangs)
  std::vector<std::function<void(Outcome)>> held;
  int made = 0;  // senders made
  std::vector<std::string> of(const std::string& channel) const {
    std::vector<std::string> out;
    for (const auto& m : got)
      if (m.channel == channel) out.push_back(std::string(kindName(m.kind)) + " " + m.record);
    return out;
  }
};

class FakeSender : public Sender {
 public:
  FakeSender(Hub& hub, ev::Loop& loop) : hub_(hub), loop_(loop) {}
  void send(const Message& m, std::function<void(Outcome)> done) override {
    hub_.got.push_back(m);
    if (hub_.hold) {
      hub_.held.push_back(std::move(done));
      return;
    }
    Outcome o;
    o.end = hub_.end;
    o.detail = hub_.end == Outcome::End::Sent ? "ok" : "HTTP 503 from fake";
    loop_.defer([done = std::move(done), o] { done(o); });
  }
  size_t parallel() const override { return 4; }

 private:
  Hub& hub_;
  ev::Loop& loop_;
};

ChannelConfig syslogChannel(const std::string& name, unsigned max = 20) {
  ChannelConfig c;
  c.spec.name = name;
  c.spec.how = SyslogSpec{};
  c.rate.max = max;
  c.rate.per = 60s;
  return c;
}

ChannelConfig hookChannel(const std::string& name) {
  ChannelConfig c;
  c.spec.name = name;
  WebhookSpec w;
  w.url = "http://127.0.0.1:9/hook";
  c.spec.how = w;
  return c;
}

RuleSpec rule(const std::string& pattern, std::vector<std::string> to, std::chrono::milliseconds after = 0ms) {
  RuleSpec r;
  r.name = r.pattern = pattern;
  r.to = std::move(to);
  r.after = after;
  return r;
}

state::Record rec(const std::string& name, proto::State st) {
  state::Record r;
  r.name = name;
  r.state = st;
  r.since = wallNow();
  r.note = "note of " + name;
  r.origin = "hc";
  return r;
}

struct CenterTest : ::testing::Test {
  ev::ManualClock clock;
  ev::Loop loop{clock};
  std::unique_ptr<Queue> queue;
  Hub hub;
  std::unique_ptr<Center> center;
  std::vector<ChannelView> views;

  CenterTest() {
    std::string err;
    queue = Queue::open(":memory:", &err);
    EXPECT_TRUE(queue) << err;
    center = std::make_unique<Center>(loop, *queue, [this](const ChannelSpec&) {
      ++hub.made;
      return std::make_unique<FakeSender>(hub, loop);
    });
    center->onStatus([this](const ChannelView& v) { views.push_back(v); });
  }
  ~CenterTest() override {
    center.reset();
    queue.reset();
  }
  // Runs the loop, moving the manual clock by `step` at a time, until `done` or `limit`
  // of manual time.
  bool until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10min,
             std::chrono::milliseconds step = 100ms) {
    for (auto spent = 0ms; spent <= limit; spent += step) {
      loop.runReady();
      if (done()) return true;
      loop.advance(std::chrono::duration_cast<ev::Micros>(step));
    }
    return done();
  }
  NotifyConfig config(std::vector<ChannelConfig> channels, std::vector<RuleSpec> rules) {
    NotifyConfig c;
    c.channels = std::move(channels);
    c.rules = std::move(rules);
    c.host = "alpha";
    c.link = "https://status.example/";
    return c;
  }
};

TEST_F(CenterTest, AFailureBecomesOneRenderedMessageThatIsSent) {
  center->apply(config({syslogChannel("ops")}, {rule("www", {"ops"})}));
  center->record(rec("www", proto::State::Fail), Seen::Change);
  ASSERT_TRUE(until([&] { return center->view("ops")->status.sent == 1; }));
  ASSERT_EQ(hub.got.size(), 1u);
  const Message& m = hub.got[0];
  EXPECT_EQ(m.kind, Kind::Alert);
  EXPECT_EQ(m.record, "www");
  EXPECT_EQ(m.key.size(), 32u);
  EXPECT_EQ(m.fields.at("key"), m.key);
  EXPECT_EQ(m.fields.at("state"), "FAIL");
  EXPECT_EQ(m.fields.at("host"), "alpha");
  EXPECT_EQ(m.fields.at("channel"), "ops");
  EXPECT_EQ(m.fields.at("link"), "https://status.example/#www");
  EXPECT_NE(m.subject.find("www"), std::string::npos) << m.subject;
  EXPECT_EQ(center->view("ops")->counts.queued, 1u);
  EXPECT_FALSE(views.empty());
  // Still failing: nothing more (no -repeat); recovered: one Resolved.
  center->record(rec("www", proto::State::Up), Seen::Change);
  ASSERT_TRUE(until([&] { return center->view("ops")->status.sent == 2; }));
  EXPECT_EQ(hub.of("ops"), (std::vector<std::string>{"alert www", "resolved www"}));
}

TEST_F(CenterTest, AFlapShorterThanAfterIsSuppressedAndCountedOnTheChannel) {
  center->apply(config({syslogChannel("ops")}, {rule("www", {"ops"}, 30s)}));
  center->record(rec("www", proto::State::Fail), Seen::Change);
  loop.advance(10s);
  center->record(rec("www", proto::State::Up), Seen::Change);
  until([] { return false; }, 2min);
  EXPECT_TRUE(hub.got.empty());
  EXPECT_EQ(center->view("ops")->counts.suppressed, 1u);
  EXPECT_EQ(center->totals().damped, 1u);
}

TEST_F(CenterTest, TheRateLimitSendsNThenOneDigest) {
  center->apply(config({syslogChannel("ops", 2)}, {rule("svc*", {"ops"})}));
  for (int i = 0; i < 5; ++i) center->record(rec("svc" + std::to_string(i), proto::State::Fail), Seen::Change);
  ASSERT_TRUE(until([&] { return hub.got.size() >= 3; }, 3min));
  ASSERT_EQ(hub.got.size(), 3u);
  const Message& d = hub.got[2];
  EXPECT_EQ(d.kind, Kind::Digest);
  EXPECT_EQ(d.fields.at("count"), "3");
  EXPECT_NE(d.fields.at("records").find("svc4"), std::string::npos) << d.fields.at("records");
  ChannelView v = *center->view("ops");
  EXPECT_EQ(v.counts.digests, 1u);
  EXPECT_EQ(v.counts.limited, 3u);
  EXPECT_EQ(v.counts.queued, 3u);
}

TEST_F(CenterTest, AWebhookBodyIsJsonWithEveryFieldEscaped) {
  center->apply(config({hookChannel("chat")}, {rule("db*", {"chat"})}));
  state::Record r = rec("db1", proto::State::Fail);
  r.note = "quote \" and\nnewline";
  center->record(r, Seen::Change);
  ASSERT_TRUE(until([&] { return !hub.got.empty(); }));
  auto j = nlohmann::json::parse(hub.got[0].body);
  EXPECT_EQ(j.at("record"), "db1");
  EXPECT_EQ(j.at("note"), "quote \" and\nnewline");
  EXPECT_EQ(j.at("key"), hub.got[0].key);
}

TEST_F(CenterTest, AChannelNeverTellsAboutItsOwnRecordAndStarIgnoresNotifyRecords) {
  center->apply(config({syslogChannel("ops"), syslogChannel("chat")},
                       {rule("notify:*", {"ops", "chat"}), rule("*", {"ops"})}));
  center->record(rec("notify:chat", proto::State::Fail), Seen::Change);
  ASSERT_TRUE(until([&] { return hub.got.size() >= 1; }));
  until([] { return false; }, 5s);
  // To ops only (chat never about itself), and once (the `*` rule does not hear it).
  EXPECT_EQ(hub.of("ops"), (std::vector<std::string>{"alert notify:chat"}));
  EXPECT_TRUE(hub.of("chat").empty());
}

TEST_F(CenterTest, SendIsStoredBeforeItReturnsAndNamesUnknownChannels) {
  center->apply(config({syslogChannel("ops"), hookChannel("chat")}, {}));
  std::string err;
  EXPECT_FALSE(center->send("nope", "s", "b", &err));
  EXPECT_EQ(err, "no channel \"nope\" (declared: chat ops)");
  hub.hold = true;
  ASSERT_TRUE(center->send("ops", "disk full", "on /var", &err)) << err;
  EXPECT_EQ(queue->counts("ops").waiting, 1u);
  ASSERT_TRUE(center->send("chat", "hello", "a \"quoted\" body", &err)) << err;
  ASSERT_TRUE(until([&] { return hub.got.size() == 2; }));
  EXPECT_EQ(hub.got[0].subject, "disk full");
  EXPECT_EQ(hub.got[0].body, "on /var");
  EXPECT_EQ(hub.got[0].kind, Kind::Send);
  auto j = nlohmann::json::parse(hub.got[1].body);
  EXPECT_EQ(j.at("body"), "a \"quoted\" body");
}

TEST_F(CenterTest, ReloadKeepsUnchangedSendersAndARemovedChannelsMessagesWait) {
  NotifyConfig c = config({syslogChannel("ops")}, {rule("www", {"ops"})});
  center->apply(c);
  center->apply(c);
  EXPECT_EQ(hub.made, 1);  // unchanged: the same sender
  hub.end = Outcome::End::Retry;  // the receiver is down
  std::string err;
  ASSERT_TRUE(center->send("ops", "one", "1", &err)) << err;
  ASSERT_TRUE(until([&] { return center->view("ops")->status.failing; }));
  // Removed: the message stays waiting in the queue.
  center->apply(config({}, {}));
  EXPECT_EQ(center->channels().size(), 0u);
  EXPECT_FALSE(center->send("ops", "two", "2", &err));
  EXPECT_EQ(queue->counts("ops").waiting, 1u);
  // Back (with a new sender), the receiver up: the waiting message is sent.
  hub.end = Outcome::End::Sent;
  hub.got.clear();
  center->apply(c);
  EXPECT_EQ(hub.made, 2);
  ASSERT_TRUE(until([&] { return center->view("ops")->status.sent == 1; }));
  ASSERT_EQ(hub.got.size(), 1u);
  EXPECT_EQ(hub.got[0].subject, "one");
  // A changed channel gets a new sender.
  ChannelConfig changed = syslogChannel("ops");
  changed.spec.timeout = 3s;
  center->apply(config({changed}, {}));
  EXPECT_EQ(hub.made, 3);
}

TEST_F(CenterTest, AFailingChannelShowsItsErrorAndRetries) {
  hub.end = Outcome::End::Retry;
  center->apply(config({syslogChannel("ops")}, {rule("www", {"ops"})}));
  center->record(rec("www", proto::State::Fail), Seen::Change);
  ASSERT_TRUE(until([&] { return center->view("ops")->status.failing; }));
  ChannelView v = *center->view("ops");
  EXPECT_EQ(v.status.lastError, "HTTP 503 from fake");
  EXPECT_EQ(v.status.waiting, 1u);
  hub.end = Outcome::End::Sent;
  ASSERT_TRUE(until([&] { return center->view("ops")->status.sent == 1; }));
  EXPECT_FALSE(center->view("ops")->status.failing);
  EXPECT_GE(hub.got.size(), 2u);
  EXPECT_EQ(hub.got.front().key, hub.got.back().key);  // the same message, its key kept
}

TEST_F(CenterTest, TheDumpShowsChannelsRulesAndQuietWindows) {
  NotifyConfig c = config({syslogChannel("ops")}, {rule("www", {"ops"}, 30s)});
  QuietSpec q;
  q.pattern = "db*";
  q.until = wallNow() + 3600'000'000LL;
  q.reason = "upgrade";
  c.quiet.push_back(q);
  center->apply(c);
  std::string d = center->dump();
  EXPECT_NE(d.find("notify channel ops syslog rate=20/1m"), std::string::npos) << d;
  EXPECT_NE(d.find("notify rule www pattern=www to=ops states=FAIL after=30s"), std::string::npos) << d;
  EXPECT_NE(d.find("notify quiet db* until="), std::string::npos) << d;
  EXPECT_NE(d.find("reason=upgrade"), std::string::npos) << d;
}

}  // namespace
}  // namespace fail::notify

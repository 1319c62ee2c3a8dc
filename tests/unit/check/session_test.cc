// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Session against a scripted fake probe on a loop with a ManualClock: time moves only
// when the test says, every timer fires at its due time, and the timings asserted are
// exact, however busy the machine is.
#include "check/session.hh"

#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "ev/loop.hh"

namespace fail::check {
namespace {

using namespace std::chrono_literals;
using state::State;
using Clock = std::chrono::steady_clock;
using std::chrono::microseconds;
using std::chrono::milliseconds;

struct Step {
  Step(Outcome o = Outcome::Ok, std::string n = {}, milliseconds d = milliseconds(0), bool h = false)
      : outcome(o), note(std::move(n)), delay(d), hang(h) {}
  Outcome outcome;
  std::string note;
  milliseconds delay;  // answer after this long
  bool hang;           // never answer (the session must cancel)
};

// Answers from a script, on the loop's clock; the last step repeats.
class FakeProbe : public Probe {
 public:
  explicit FakeProbe(ev::Loop& loop)
      : loop_(loop), timer_(loop.wheel(), [](void* self) { static_cast<FakeProbe*>(self)->answer(); }, this) {}
  void start(std::chrono::microseconds timeout, Done done) override {
    EXPECT_FALSE(done_) << "two probes in flight";
    starts.push_back(loop_.now());
    lastTimeout = timeout;
    current_ = script.empty() ? Step{} : script.front();
    if (script.size() > 1) script.pop_front();
    done_ = std::move(done);
    if (!current_.hang) timer_.arm(current_.delay);
  }
  void cancel() noexcept override {
    if (done_) ++cancels;
    done_ = nullptr;
    timer_.cancel();
  }

  std::deque<Step> script;
  std::vector<Clock::time_point> starts;
  std::chrono::microseconds lastTimeout{};
  int cancels = 0;

 private:
  void answer() {
    Done d = std::move(done_);
    done_ = nullptr;
    ProbeResult r;
    r.outcome = current_.outcome;
    r.note = current_.note;
    d(std::move(r));
  }
  ev::Loop& loop_;
  ev::WheelTimer timer_;
  Step current_;
  Done done_;
};

const KindDesc& fakeKind() {
  static const KindDesc kind{"fake", "tests", {}, nullptr};
  return kind;
}

class SessionTest : public ::testing::Test {
 protected:
  // Builds the session under test; `opts` are common options.
  void make(std::map<std::string, std::string> opts, std::deque<Step> script) {
    CheckSpec spec;
    spec.name = "web1";
    spec.file = "Hcfile";
    spec.line = 1;
    spec.options = std::move(opts);
    validate(spec, fakeKind());
    auto probe = std::make_unique<FakeProbe>(loop_);
    probe_ = probe.get();
    probe_->script = std::move(script);
    session_ = std::make_unique<Session>(
        loop_, spec, std::move(probe),
        [this](const Report& r) {
          reports_.push_back(r);
          reportedAt_.push_back(clock_.now());
        },
        [this](const std::string& name) {
          auto it = deps_.find(name);
          return it == deps_.end() ? State::Unknown : it->second;
        });
  }
  // Moves the clock on until `n` reports came (true) or `limit` of its time passed.
  bool waitReports(size_t n, milliseconds limit = 10s) {
    return advanceUntil([&] { return reports_.size() >= n; }, limit);
  }
  bool advanceUntil(const std::function<bool()>& done, milliseconds limit = 10s) {
    for (auto end = clock_.now() + limit; !done(); loop_.advance(1ms))
      if (clock_.now() >= end) return false;
    return true;
  }

  ev::ManualClock clock_;
  ev::Loop loop_{clock_};
  const Clock::time_point t0_ = clock_.now();
  FakeProbe* probe_ = nullptr;
  std::unique_ptr<Session> session_;
  std::vector<Report> reports_;
  std::vector<Clock::time_point> reportedAt_;  // by the loop's clock
  std::map<std::string, State> deps_;
};

TEST_F(SessionTest, JudgesWithRiseAndFallAndNotesThatExplainTheState) {
  Step ok{Outcome::Ok}, refused{Outcome::Unreachable, "connection refused"},
      timeout{Outcome::Timeout, "timeout"};
  make({{"interval", "50ms"}, {"rise", "2"}, {"fall", "2"}}, {ok, refused, timeout, timeout, ok, ok, ok});
  session_->start(0ms);
  ASSERT_TRUE(waitReports(7));
  struct Want {
    State state;
    bool changed;
    const char* note;
  } want[] = {
      {State::Up, true, ""},                             // the first result decides at once
      {State::Up, false, ""},                            // one failure: still UP, same note
      {State::Fail, true, "timeout"},                    // fall 2
      {State::Fail, false, "timeout"},                   //
      {State::Fail, false, "timeout"},                   // one success: still FAIL
      {State::Up, true, ""},                             // rise 2
      {State::Up, false, ""},
  };
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(reports_[i].state, want[i].state) << i;
    EXPECT_EQ(reports_[i].changed, want[i].changed) << i;
    EXPECT_EQ(reports_[i].note, want[i].note) << i;
    EXPECT_EQ(reports_[i].name, "web1");
    EXPECT_GT(reports_[i].whenUs, 0);
  }
  EXPECT_EQ(reports_[1].result.outcome, Outcome::Unreachable);
  EXPECT_EQ(reports_[1].result.note, "connection refused");
  const auto& c = session_->counters();
  EXPECT_GE(c.probes, 7u);
  EXPECT_GE(c.ok, 4u);
  EXPECT_EQ(c.unreachable, 1u);
  EXPECT_EQ(c.timeout, 2u);
  EXPECT_EQ(probe_->lastTimeout, std::chrono::microseconds(25000));  // half the interval
}

TEST_F(SessionTest, FailingNoteChangesAreChanges) {
  make({{"interval", "50ms"}, {"fall", "1"}},
       {{Outcome::Fail, "HTTP 503"}, {Outcome::Fail, "HTTP 503"}, {Outcome::Fail, "HTTP 500"}});
  session_->start(0ms);
  ASSERT_TRUE(waitReports(3));
  EXPECT_TRUE(reports_[0].changed);
  EXPECT_FALSE(reports_[1].changed);
  EXPECT_TRUE(reports_[2].changed);
  EXPECT_EQ(reports_[2].note, "HTTP 500");
}

TEST_F(SessionTest, FirstProbeAfterTheStaggerDelay) {
  make({{"interval", "1s"}}, {});
  session_->start(150ms);
  ASSERT_TRUE(waitReports(1));
  EXPECT_EQ(probe_->starts[0] - t0_, 150ms);
}

TEST_F(SessionTest, FixedGridDoesNotDriftWithSlowProbes) {
  // Each probe takes 60 ms of a 100 ms interval: now+interval scheduling would start one
  // every 160 ms; the grid starts one every 100 ms.
  make({{"interval", "100ms"}, {"timeout", "80ms"}}, {{Outcome::Ok, "", 60ms}});
  session_->start(0ms);
  ASSERT_TRUE(waitReports(7));
  const auto& s = probe_->starts;
  ASSERT_GE(s.size(), 7u);
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(s[i] - t0_, i * 100ms) << i;
    EXPECT_EQ(reportedAt_[i] - s[i], 60ms) << i;
    EXPECT_EQ(reports_[i].result.latency, 60ms) << i;
  }
  EXPECT_EQ(session_->counters().skipped, 0u);
  EXPECT_EQ(session_->counters().late, 0u);
}

TEST_F(SessionTest, ALoopThatStalledForWholeIntervalsSkipsToTheNextSlot) {
  make({{"interval", "100ms"}}, {});
  session_->start(0ms);
  ASSERT_TRUE(waitReports(1));
  const auto held = clock_.now();
  clock_.advance(350ms);  // the loop was held for 350 ms: slots 100, 200 and 300 missed
  loop_.advance(0ms);
  ASSERT_TRUE(waitReports(3));
  const auto& s = probe_->starts;
  EXPECT_EQ(s[1], held + 350ms);  // late, at once (the 100 ms slot), counted late
  EXPECT_EQ(s[2] - t0_, 400ms);  // then back on the grid
  EXPECT_EQ(session_->counters().late, 1u);
}

TEST_F(SessionTest, SessionEnforcesTheTimeoutAndCancelsTheProbe) {
  Step hang{Outcome::Ok, "", 0ms, true};
  make({{"interval", "200ms"}, {"timeout", "60ms"}, {"fall", "1"}}, {hang, {Outcome::Ok}});
  session_->start(0ms);
  ASSERT_TRUE(waitReports(1));
  // The probe's own deadline (60 ms) goes first by the grace of 10 ms: the session cuts
  // it off at 70 ms.
  EXPECT_EQ(reportedAt_[0] - t0_, 70ms);
  EXPECT_EQ(reports_[0].result.outcome, Outcome::Timeout);
  EXPECT_EQ(reports_[0].note, "timeout");
  EXPECT_EQ(reports_[0].state, State::Fail);
  EXPECT_EQ(reports_[0].result.latency, 70ms);
  EXPECT_EQ(probe_->cancels, 1);
  EXPECT_EQ(session_->counters().timeout, 1u);
  ASSERT_TRUE(waitReports(2));  // and the schedule goes on
  EXPECT_EQ(reports_[1].result.outcome, Outcome::Ok);
  EXPECT_EQ(reportedAt_[1] - t0_, 200ms);
}

TEST_F(SessionTest, ATickThatFindsAProbeInFlightIsSkippedAndCounted) {
  Step slow{Outcome::Ok, "", 150ms};
  make({{"interval", "200ms"}, {"timeout", "190ms"}}, {slow, {Outcome::Ok}});
  session_->start(40ms);
  session_->runOnce();  // in flight until 150 ms: the slot at 40 ms finds it running
  ASSERT_TRUE(waitReports(2));
  EXPECT_EQ(session_->counters().skipped, 1u);
  ASSERT_EQ(probe_->starts.size(), 2u);
  EXPECT_EQ(probe_->starts[0] - t0_, 0ms);
  EXPECT_EQ(probe_->starts[1] - t0_, 240ms);  // next slot: 40 + 200 ms
}

TEST_F(SessionTest, QuickRetryAfterAFailureWhileUp) {
  Step ok{Outcome::Ok}, bad{Outcome::Unreachable, "connection refused"};
  make({{"interval", "400ms"}, {"retry", "30ms"}, {"fall", "3"}}, {ok, bad, bad, bad, ok});
  session_->start(0ms);
  ASSERT_TRUE(waitReports(5));
  const auto& s = probe_->starts;
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0] - t0_, 0ms);
  EXPECT_EQ(s[1] - t0_, 400ms);
  EXPECT_EQ(s[2] - t0_, 430ms);  // retried after 30 ms
  EXPECT_EQ(s[3] - t0_, 460ms);
  EXPECT_EQ(reports_[3].state, State::Fail);
  EXPECT_TRUE(reports_[3].changed);
  EXPECT_EQ(s[4] - t0_, 800ms);  // once FAIL, back on the grid (no more retries)
}

TEST_F(SessionTest, FailedDependencyForcesFailWithoutProbing) {
  make({{"interval", "50ms"}, {"depends", "dns1 gw"}, {"rise", "2"}}, {});
  deps_["gw"] = State::Fail;
  session_->start(0ms);
  ASSERT_TRUE(waitReports(2));
  EXPECT_TRUE(probe_->starts.empty());
  EXPECT_EQ(reports_[0].state, State::Fail);
  EXPECT_EQ(reports_[0].note, "dependency gw failed");
  EXPECT_TRUE(reports_[0].changed);
  EXPECT_FALSE(reports_[1].changed);
  EXPECT_EQ(session_->counters().probes, 0u);

  deps_["gw"] = State::Up;  // dns1 stays unknown: only FAIL blocks
  size_t n = reports_.size();
  ASSERT_TRUE(waitReports(n + 2));
  EXPECT_EQ(probe_->starts.size(), 2u);
  EXPECT_EQ(reports_[n].state, State::Fail);  // rise applies after a forced FAIL
  EXPECT_EQ(reports_[n + 1].state, State::Up);
  EXPECT_TRUE(reports_[n + 1].changed);
  EXPECT_EQ(reports_[n + 1].note, "");
}

TEST_F(SessionTest, LocalErrorKeepsStateAndAddsAnAttribute) {
  make({{"interval", "50ms"}, {"fall", "1"}},
       {{Outcome::Ok}, {Outcome::LocalError, "socket: Too many open files"}, {Outcome::Ok}});
  session_->start(0ms);
  ASSERT_TRUE(waitReports(2));
  EXPECT_EQ(reports_[1].state, State::Up);
  EXPECT_FALSE(reports_[1].changed);
  EXPECT_EQ(reports_[1].note, "");
  ASSERT_FALSE(reports_[1].result.attrs.empty());
  EXPECT_EQ(reports_[1].result.attrs.back().first, "local_error");
  EXPECT_EQ(reports_[1].result.attrs.back().second, "socket: Too many open files");
  EXPECT_EQ(session_->counters().localError, 1u);
}

TEST_F(SessionTest, SlowSuccessGetsAWarningAndStaysUp) {
  make({{"interval", "200ms"}, {"warn-latency", "10ms"}}, {{Outcome::Ok, "", 40ms}});
  session_->start(0ms);
  ASSERT_TRUE(waitReports(1));
  EXPECT_EQ(reports_[0].state, State::Up);
  EXPECT_NE(reports_[0].result.warning.find("slow"), std::string::npos);
  EXPECT_EQ(reports_[0].result.latency, 40ms);
}

TEST_F(SessionTest, StopCancelsTheProbeInFlightAndTheSchedule) {
  make({{"interval", "50ms"}}, {{Outcome::Ok, "", 0ms, true}});
  session_->start(0ms);
  ASSERT_TRUE(advanceUntil([&] { return !probe_->starts.empty(); }));
  session_->stop();
  EXPECT_EQ(probe_->cancels, 1);
  loop_.advance(150ms);
  EXPECT_EQ(probe_->starts.size(), 1u);
  EXPECT_TRUE(reports_.empty());
}

TEST_F(SessionTest, RunOnceWithoutASchedule) {
  make({{"interval", "50ms"}}, {{Outcome::Fail, "HTTP 503"}});
  session_->runOnce();
  EXPECT_TRUE(reports_.empty());  // never from inside the call
  ASSERT_TRUE(waitReports(1));
  EXPECT_EQ(reports_[0].state, State::Fail);
  EXPECT_EQ(reports_[0].note, "HTTP 503");
  loop_.advance(120ms);
  EXPECT_EQ(reports_.size(), 1u);
}

}  // namespace
}  // namespace fail::check

namespace fail::check {
namespace {

// The session counts into its kind's metrics as well: outcomes, latency, late starts.
TEST_F(SessionTest, CountsIntoItsKindsMetrics) {
  metrics::Registry reg;
  ProbeMetrics pm(reg);
  make({{"interval", "100ms"}, {"timeout", "80ms"}},
       {{Outcome::Ok, "", 20ms}, {Outcome::Unreachable, "connection refused", 30ms}, {Outcome::Ok, "", 20ms}});
  session_->setMetrics(pm.forKind("fake"));
  session_->start(0ms);
  ASSERT_TRUE(waitReports(1));
  clock_.advance(250ms);  // the loop held: the next slot starts late
  loop_.advance(0ms);
  ASSERT_TRUE(waitReports(3));
  std::string text = reg.render();
  EXPECT_NE(text.find("hc_probes_total{kind=\"fake\",outcome=\"ok\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hc_probes_total{kind=\"fake\",outcome=\"unreachable\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("hc_probes_total{kind=\"fake\",outcome=\"local_error\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("hc_late_probes_total{kind=\"fake\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("hc_probe_duration_seconds_bucket{kind=\"fake\",le=\"0.025\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("hc_probe_duration_seconds_bucket{kind=\"fake\",le=\"0.05\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("hc_probe_duration_seconds_count{kind=\"fake\"} 3\n"), std::string::npos);
  EXPECT_EQ(session_->counters().late, 1u);
}

}  // namespace
}  // namespace fail::check

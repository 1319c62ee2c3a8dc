// Session against a scripted fake probe on a real loop (short intervals, generous limits).
#include "check/session.hh"

#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "loop_util.hh"

namespace fail::check {
namespace {

using namespace std::chrono_literals;
using state::State;
using test::runUntil;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Step {
  Step(Outcome o = Outcome::Ok, std::string n = {}, milliseconds d = milliseconds(0), bool h = false)
      : outcome(o), note(std::move(n)), delay(d), hang(h) {}
  Outcome outcome;
  std::string note;
  milliseconds delay;  // answer after this long
  bool hang;           // never answer (the session must cancel)
};

// Answers from a script; the last step repeats.
class FakeProbe : public Probe {
 public:
  explicit FakeProbe(event_base* base) : timer_(base, [this] { answer(); }) {}
  void start(std::chrono::microseconds timeout, Done done) override {
    EXPECT_FALSE(done_) << "two probes in flight";
    starts.push_back(Clock::now());
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
  ev::Timer timer_;
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
    auto probe = std::make_unique<FakeProbe>(base_.get());
    probe_ = probe.get();
    probe_->script = std::move(script);
    session_ = std::make_unique<Session>(
        base_.get(), spec, std::move(probe), [this](const Report& r) { reports_.push_back(r); },
        [this](const std::string& name) {
          auto it = deps_.find(name);
          return it == deps_.end() ? State::Unknown : it->second;
        });
  }
  bool waitReports(size_t n, milliseconds limit = 10s) {
    return runUntil(base_.get(), [&] { return reports_.size() >= n; }, limit);
  }
  static long ms(Clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); }

  test::BasePtr base_ = test::newBase();
  FakeProbe* probe_ = nullptr;
  std::unique_ptr<Session> session_;
  std::vector<Report> reports_;
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
  auto t0 = Clock::now();
  session_->start(150ms);
  ASSERT_TRUE(waitReports(1));
  EXPECT_GE(ms(probe_->starts[0] - t0), 150);
}

TEST_F(SessionTest, FixedGridDoesNotDriftWithSlowProbes) {
  // Each probe takes 60 ms of a 100 ms interval: now+interval scheduling would start one
  // every 160 ms; the grid starts one every 100 ms (a tick that comes late on a loaded
  // machine may find a probe still running and skip, which keeps it on the grid too).
  make({{"interval", "100ms"}, {"timeout", "80ms"}}, {{Outcome::Ok, "", 60ms}});
  auto t0 = Clock::now();  // the grid starts here (offset 0)
  session_->start(0ms);
  ASSERT_TRUE(waitReports(7));
  const auto& s = probe_->starts;
  for (size_t i = 1; i < s.size(); ++i) EXPECT_GE(ms(s[i] - t0), long(100 * i) - 10) << i;  // never early
  // On the grid every start lies just after a multiple of 100 ms from t0 (measured from
  // t0, not from the first start, which may itself be late on a busy machine); drifting
  // by 60 ms a period would put them at 160, 320, 480, ... (offsets 60, 20, 80, 40, 0, 60).
  int onGrid = 0;
  for (size_t i = 1; i <= 6; ++i) onGrid += ms(s[i] - t0) % 100 < 50;
  EXPECT_GE(onGrid, 4);
}

TEST_F(SessionTest, SessionEnforcesTheTimeoutAndCancelsTheProbe) {
  Step hang{Outcome::Ok, "", 0ms, true};
  make({{"interval", "200ms"}, {"timeout", "60ms"}, {"fall", "1"}}, {hang, {Outcome::Ok}});
  auto t0 = Clock::now();
  session_->start(0ms);
  ASSERT_TRUE(waitReports(1));
  EXPECT_GE(ms(Clock::now() - t0), 60);
  EXPECT_EQ(reports_[0].result.outcome, Outcome::Timeout);
  EXPECT_EQ(reports_[0].note, "timeout");
  EXPECT_EQ(reports_[0].state, State::Fail);
  EXPECT_GE(reports_[0].result.latency, std::chrono::microseconds(60000));
  EXPECT_EQ(probe_->cancels, 1);
  EXPECT_EQ(session_->counters().timeout, 1u);
  ASSERT_TRUE(waitReports(2));  // and the schedule goes on
  EXPECT_EQ(reports_[1].result.outcome, Outcome::Ok);
}

TEST_F(SessionTest, ATickThatFindsAProbeInFlightIsSkippedAndCounted) {
  Step slow{Outcome::Ok, "", 150ms};
  make({{"interval", "200ms"}, {"timeout", "190ms"}}, {slow, {Outcome::Ok}});
  session_->start(40ms);
  session_->runOnce();  // in flight until ~150 ms: the slot at 40 ms finds it running
  ASSERT_TRUE(waitReports(2));
  EXPECT_EQ(session_->counters().skipped, 1u);
  EXPECT_EQ(probe_->starts.size(), 2u);
  EXPECT_GE(ms(probe_->starts[1] - probe_->starts[0]), 200);  // next slot: 40 + 200 ms
}

TEST_F(SessionTest, QuickRetryAfterAFailureWhileUp) {
  Step ok{Outcome::Ok}, bad{Outcome::Unreachable, "connection refused"};
  make({{"interval", "400ms"}, {"retry", "30ms"}, {"fall", "3"}}, {ok, bad, bad, bad, ok});
  session_->start(0ms);
  ASSERT_TRUE(waitReports(5));
  const auto& s = probe_->starts;
  EXPECT_GE(ms(s[1] - s[0]), 390);
  EXPECT_LT(ms(s[2] - s[1]), 200);  // retried quickly
  EXPECT_GE(ms(s[2] - s[1]), 30);
  EXPECT_LT(ms(s[3] - s[2]), 200);
  EXPECT_EQ(reports_[3].state, State::Fail);
  EXPECT_TRUE(reports_[3].changed);
  EXPECT_GE(ms(s[4] - s[0]), 790);  // once FAIL, back on the grid (no more retries)
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
  EXPECT_GE(reports_[0].result.latency, std::chrono::microseconds(35000));  // libevent rounds
}

TEST_F(SessionTest, StopCancelsTheProbeInFlightAndTheSchedule) {
  make({{"interval", "50ms"}}, {{Outcome::Ok, "", 0ms, true}});
  session_->start(0ms);
  ASSERT_TRUE(runUntil(base_.get(), [&] { return !probe_->starts.empty(); }));
  session_->stop();
  EXPECT_EQ(probe_->cancels, 1);
  test::runFor(base_.get(), 150ms);
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
  test::runFor(base_.get(), 120ms);
  EXPECT_EQ(reports_.size(), 1u);
}

}  // namespace
}  // namespace fail::check

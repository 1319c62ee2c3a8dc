#include "check/probe_base.hh"

#include <algorithm>

namespace fail::check {

using std::chrono::duration_cast;
using std::chrono::microseconds;

ProbeBase::ProbeBase(event_base* base)
    : io_(base,
          [this](ev::IoWatch::Ready r) {
            if (state_ != State::Running) return;
            if (r == ev::IoWatch::Ready::TimedOut) return onTimeout();
            onReady(r);
          }),
      base_(base) {}

void ProbeBase::start(microseconds timeout, Done done) {
  cancel();
  done_ = std::move(done);
  started_ = Clock::now();
  deadline_ = started_ + timeout;
  state_ = State::Running;
  starting_ = true;
  struct Started {
    bool& flag;
    ~Started() { flag = false; }
  } started{starting_};  // also when begin() throws (the Session then cancels)
  begin(timeout);
}

void ProbeBase::cancel() noexcept {
  io_.stop();
  if (later_) later_->cancel();
  release();
  state_ = State::Idle;
  done_ = nullptr;
  pending_ = ProbeResult();
}

void ProbeBase::onTimeout() { finish(Outcome::Timeout, "timeout"); }

void ProbeBase::finish(Outcome o, std::string note) {
  if (state_ != State::Running) return;
  io_.stop();
  release();
  ProbeResult r;
  r.outcome = o;
  r.note = std::move(note);
  r.latency = duration_cast<microseconds>(Clock::now() - started_);
  complete(r);
  if (starting_) {  // never call done from start()
    pending_ = std::move(r);
    state_ = State::Delivering;
    if (!later_) later_ = std::make_unique<ev::Timer>(base_, [this] { deliver(); });
    later_->arm(microseconds(0));
    return;
  }
  state_ = State::Idle;
  Done done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(r));
}

void ProbeBase::deliver() {
  if (state_ != State::Delivering) return;
  state_ = State::Idle;
  Done done = std::move(done_);
  done_ = nullptr;
  ProbeResult r = std::move(pending_);
  pending_ = ProbeResult();
  if (done) done(std::move(r));
}

void ProbeBase::finishErrno(int err, const char* what) {
  auto c = net::classifyErrno(err, what);
  finish(c.outcome, std::move(c.note));
}

void ProbeBase::watch(int fd, short what) {
  auto left = duration_cast<microseconds>(deadline_ - Clock::now());
  if (left.count() <= 0 && !starting_) return onTimeout();
  io_.watch(fd, what, std::max(left, microseconds(0)));
}

void ProbeBase::connectTo(const net::Address& to, UniqueFd& fd) {
  if (int err = net::startConnect(to, fd)) return finishErrno(err, "connect");
  watch(fd.get(), EV_WRITE);
}

bool ProbeBase::connected(int fd) {
  if (int err = net::connectResult(fd)) {
    finishErrno(err, "connect");
    return false;
  }
  return true;
}

}  // namespace fail::check

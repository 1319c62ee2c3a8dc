// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "check/probe_base.hh"

#include <algorithm>

namespace fail::check {

using std::chrono::duration_cast;
using std::chrono::microseconds;

ProbeBase::ProbeBase(ev::Loop& loop)
    : io_(loop.base(),
          [this](ev::IoWatch::Ready r) {
            if (state_ != State::Running) return;
            if (r == ev::IoWatch::Ready::TimedOut) return onTimeout();
            onReady(r);
          }),
      sock_(loop.base(), &ProbeBase::onPooledReady, this),
      deadlineTimer_(loop.wheel(), &ProbeBase::onDeadline, this),
      loop_(loop) {}

void ProbeBase::onPooledReady(void* self, short what) {
  auto* p = static_cast<ProbeBase*>(self);
  if (p->state_ != State::Running) return;
  p->onReady((what & EV_READ) ? ev::IoWatch::Ready::Readable : ev::IoWatch::Ready::Writable);
}

void ProbeBase::onDeadline(void* self) {
  auto* p = static_cast<ProbeBase*>(self);
  if (p->state_ == State::Running) p->onTimeout();
}

void ProbeBase::stopAll() noexcept {
  io_.stop();
  deadlineTimer_.cancel();
  release();
  endPooled();
}

void ProbeBase::endPooled() noexcept {
  if (close_ == Close::Fin) sock_.close();
  else sock_.reset();
}

ProbeBase::Close closeOption(const CheckSpec& spec) {
  std::string v = spec.str("close");
  if (v == "reset") return ProbeBase::Close::Reset;
  if (v == "fin") return ProbeBase::Close::Fin;
  throw ConfigError(spec.where("close") + "expected fin or reset, got \"" + v + "\"");
}

const OptionDesc& closeOptionDesc() {
  static const OptionDesc desc{
      "close", OptType::String, "reset",
      "how a probe ends its connection: reset (an RST: no TIME_WAIT on hc's side, the "
      "socket is reused) or fin (a graceful close the server sees as an end of stream; "
      "hc keeps each closed connection in TIME_WAIT for 60 s)"};
  return desc;
}

void ProbeBase::start(microseconds timeout, Done done) {
  cancel();
  done_ = std::move(done);
  started_ = loop_.now();
  deadline_ = started_ + timeout;
  state_ = State::Running;
  deadlineTimer_.armAt(deadline_);
  starting_ = true;
  struct Started {
    bool& flag;
    ~Started() { flag = false; }
  } started{starting_};  // also when begin() throws (the Session then cancels)
  begin(timeout);
}

void ProbeBase::cancel() noexcept {
  if (later_) later_->cancel();
  stopAll();
  state_ = State::Idle;
  done_ = nullptr;
  pending_ = ProbeResult();
}

void ProbeBase::onTimeout() { finish(Outcome::Timeout, "timeout"); }

void ProbeBase::finish(Outcome o, std::string note) {
  if (state_ != State::Running) return;
  stopAll();
  ProbeResult r;
  r.outcome = o;
  r.note = std::move(note);
  r.latency = duration_cast<microseconds>(loop_.now() - started_);
  complete(r);
  if (starting_) {  // never call done from start()
    pending_ = std::move(r);
    state_ = State::Delivering;
    if (!later_) later_ = std::make_unique<ev::Timer>(loop_.base(), [this] { deliver(); });
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
  auto c = classifyErrno(err, what);
  finish(c.outcome, std::move(c.note));
}

void ProbeBase::watch(int fd, short what) {
  if (deadline_ <= loop_.now() && !starting_) return onTimeout();
  if (sock_ && fd == sock_.fd()) return sock_.wait(what);
  io_.watch(fd, what);  // the deadline is deadlineTimer_'s
}

void ProbeBase::resume(int fd, short what) {
  if (sock_ && fd == sock_.fd()) return sock_.resume(what);
  watch(fd, what);  // level-triggered: ready fds wake the loop at once
}

void ProbeBase::connectTo(const net::Address& to, UniqueFd& fd) {
  if (int err = net::startConnect(to, fd)) return finishErrno(err, "connect");
  watch(fd.get(), EV_WRITE);
}

int ProbeBase::connectPooled(const net::Address& to, bool sendsFirst) {
  if (int err = sock_.connect(to, sendsFirst)) {
    finishErrno(err, "connect");
    return -1;
  }
  return sock_.fd();
}

bool ProbeBase::connected(int fd) {
  if (int err = net::connectResult(fd)) {
    finishErrno(err, "connect");
    return false;
  }
  return true;
}

}  // namespace fail::check

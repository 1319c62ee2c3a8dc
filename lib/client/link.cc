// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/link.hh"

#include "base/log.hh"
#include "base/text.hh"
#include "base/time.hh"
#include "proto/list.hh"

namespace fail::client {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("link");
  return f;
}

ev::Micros now() {
  return std::chrono::duration_cast<ev::Micros>(std::chrono::steady_clock::now().time_since_epoch());
}

Reply down(const std::string& why) {
  Reply r;
  r.ok = false;
  r.code = "DOWN";
  r.message = why;
  return r;
}

}  // namespace

Link::Link(event_base* base, LinkSpec spec, LinkOptions opts)
    : idle_(base, [this] { onIdle(); }),
      deadline_(base, [this] { transport_.fail("no answer in time"); }),
      transport_(base, std::move(spec), std::move(opts),
                 {[this] { ready(); }, [this](const std::string& line) { onLine(line); },
                  [this](const Transport::Break& b) { broken(b); }, {}}) {}

Link::~Link() = default;  // no callback from here: their owners are being destroyed too

void Link::start() { transport_.start(); }

void Link::stop() { transport_.stop(); }

void Link::watch(std::string pattern, std::function<void(const WatchEvent&)> fn, std::function<void()> relist) {
  watching_ = true;
  pattern_ = std::move(pattern);
  watchFn_ = std::move(fn);
  relistFn_ = std::move(relist);
}

void Link::watchIdle(std::chrono::milliseconds idle, std::chrono::milliseconds answer) {
  idleAfter_ = idle;
  pingAnswer_ = answer;
}

// Armed while a watching link is ready. A line moves lastLine_ only (no timer call per
// line); when the timer fires early it waits for the rest of the silence.
void Link::onIdle() {
  if (!transport_.ready() || idleAfter_.count() <= 0) return;
  ev::Micros silent = now() - lastLine_;
  if (pinged_) {
    if (silent >= pingAnswer_)
      return transport_.fail("no answer to PING within " + formatDurationMs(pingAnswer_.count()));
    return idle_.arm(pingAnswer_ - silent);
  }
  if (silent < idleAfter_) return idle_.arm(idleAfter_ - silent);
  transport_.write("PING\n");
  pinged_ = true;
  lastLine_ = now();
  idle_.arm(pingAnswer_);
}

void Link::onLine(const std::string& line) {
  if (watching_ && idleAfter_.count() > 0) {
    lastLine_ = now();
    pinged_ = false;
  }
  if (streaming_) return onStream(line);
  if (inflight_.empty()) return transport_.fail("unexpected line: " + printable(line, 120));
  Pending p = std::move(inflight_.front());
  inflight_.pop_front();
  Reply r;
  std::string err;
  if (!parseReply(line, r, err)) return transport_.fail(err);
  switch (p.kind) {
    case Pending::Kind::Watch:
      if (!r.ok && r.code == "GONE") {
        lastSerial_ = 0;
        if (relistFn_) relistFn_();
        return sendWatch(true);
      }
      if (!r.ok) return transport_.fail("WATCH refused: " + r.code + " " + r.message);
      streaming_ = true;
      return;
    case Pending::Kind::Request:
      forget(p);
      armDeadline();
      if (p.fn) p.fn(r);
      return;
  }
}

void Link::onStream(const std::string& line) {
  WatchEvent e;
  std::string err;
  if (!parseWatchLine(line, e, err)) return transport_.fail(err);
  if (e.kind == WatchEvent::Kind::Ping || e.kind == WatchEvent::Kind::Pong) return;
  if (e.kind == WatchEvent::Kind::Error) return transport_.fail("watch ended: " + e.error.code + " " + e.error.message);
  if (e.serial > lastSerial_) lastSerial_ = e.serial;
  if (watchFn_) watchFn_(e);
}

void Link::ready() {
  std::deque<std::pair<std::string, Pending>> held;
  held.swap(held_);
  for (auto& h : held) send(h.first, std::move(h.second));
  armDeadline();
  ++connects_;
  if (!lastError_.empty())
    FAIL_LOG(fac(), Notice) << "+link " << spec().name << " " << spec().target.display();
  lastError_.clear();
  if (watching_) sendWatch(lastSerial_ == 0);
  if (watching_ && idleAfter_.count() > 0) {
    lastLine_ = now();
    pinged_ = false;
    idle_.arm(idleAfter_);
  }
  if (onState_) onState_(true, {});
}

void Link::sendWatch(bool full) {
  std::string line = "WATCH";
  proto::appendElement(line, pattern_.empty() ? std::string("*") : pattern_);
  if (!full) line += " since=" + std::to_string(lastSerial_);
  send(line, {Pending::Kind::Watch, {}, {}});
}

void Link::request(const std::string& line, ReplyFn fn, std::chrono::milliseconds timeout) {
  if (watching_ || transport_.phase() == Transport::Phase::Idle) {
    if (fn) fn(down(watching_ ? "a watching link takes no requests" : lastError_.empty() ? "not connected" : lastError_));
    return;
  }
  Pending p{Pending::Kind::Request, std::move(fn), now() + timeout};
  deadlines_.insert(p.deadline);
  if (!transport_.ready()) {
    held_.push_back({line, std::move(p)});  // sent once the connection is up
  } else {
    send(line, std::move(p));
  }
  armDeadline();
}

void Link::send(const std::string& line, Pending p) {
  std::string out = line;
  out += '\n';
  transport_.write(out);
  inflight_.push_back(std::move(p));
}

void Link::forget(const Pending& p) {
  auto it = deadlines_.find(p.deadline);  // any of equal deadlines will do
  if (it != deadlines_.end()) deadlines_.erase(it);
}

void Link::armDeadline() {
  if (deadlines_.empty()) return deadline_.cancel();
  ev::Micros left = *deadlines_.begin() - now();
  deadline_.arm(left.count() > 0 ? left : ev::Micros{0});
}

void Link::broken(const Transport::Break& b) {
  std::deque<Pending> failed;
  failed.swap(inflight_);
  for (auto& h : held_) failed.push_back(std::move(h.second));
  held_.clear();
  deadlines_.clear();
  deadline_.cancel();
  idle_.cancel();
  streaming_ = false;
  if (b.why != lastError_ && b.end != Transport::End::Stopped) {
    if (b.wasReady || lastError_.empty())
      FAIL_LOG(fac(), Warning) << "-link " << spec().name << " " << spec().target.display() << ": " << b.why;
    else
      FAIL_LOG(fac(), Info) << "-link " << spec().name << " " << spec().target.display() << ": " << b.why;
  }
  lastError_ = b.why;
  for (Pending& p : failed)
    if (p.fn) p.fn(down(b.why));
  if (b.end != Transport::End::Stopped && onFailure_) onFailure_(b.why, b.wasReady);
  if (b.wasReady && onState_) onState_(false, b.why);
}

}  // namespace fail::client

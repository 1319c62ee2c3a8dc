// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "notify/dispatcher.hh"

#include <algorithm>
#include <deque>
#include <exception>
#include <utility>

#include "base/log.hh"

namespace fail::notify {
namespace {

log::Facility& logf() {
  static log::Facility& f = log::facility("notify");
  return f;
}

constexpr Micros kPruneEvery = 3600'000'000;

std::string about(const std::string& channel, const std::string& key, const std::string& record) {
  std::string s = "channel " + channel + ": message " + key;
  if (!record.empty()) s += " (" + record + ")";
  return s;
}

}  // namespace

struct Dispatcher::Held {
  std::unique_ptr<Sender> sender;
  size_t out = 0;
  bool current = true;  // some channel's sender; else kept only for its sends out
};

struct Dispatcher::Channel {
  Dispatcher* d;
  std::string name;
  Held* held = nullptr;
  DispatchOptions opts;
  std::deque<Message> ready;  // read from the queue, due, not started yet
  ev::WheelTimer timer;
  Channel(Dispatcher* d, std::string n, ev::Wheel& w)
      : d(d), name(std::move(n)), timer(w, &Dispatcher::onTimer, this) {}
};

struct Dispatcher::Ended {
  std::string channel;
  Held* held;
  std::int64_t id;
  std::string key, record;
  Micros created;
  int attempts;  // with this one
  Outcome outcome;
};

Dispatcher::Dispatcher(ev::Loop& loop, Queue& queue)
    : loop_(loop),
      queue_(queue),
      alive_(std::make_shared<bool>(true)),
      random_(std::random_device{}()),
      wall0_(fail::wallNow()),
      steady0_(loop.now()) {
  prune_ = std::make_unique<ev::WheelTimer>(loop_.wheel(), &Dispatcher::onPrune, this);
  onPrune(this);
}

Dispatcher::~Dispatcher() {
  *alive_ = false;
  // The senders go first (their callbacks never run then), with the channels' timers.
  channels_.clear();
  held_.clear();
}

Micros Dispatcher::now() const {
  if (wall_) return wall_();
  if (!loop_.clock().manual()) return fail::wallNow();
  return wall0_ + std::chrono::duration_cast<std::chrono::microseconds>(loop_.now() - steady0_)
                      .count();
}

Micros Dispatcher::backoff(int attempts, std::chrono::milliseconds maxBackoff) {
  Micros max = std::chrono::duration_cast<std::chrono::microseconds>(maxBackoff).count();
  Micros d = kFirstBackoff;
  for (int i = 1; i < attempts && d < max; ++i) d *= 2;
  return std::max<Micros>(0, std::min(d, max));
}

void Dispatcher::onPrune(void* arg) {
  auto* d = static_cast<Dispatcher*>(arg);
  try {
    std::uint64_t n = d->queue_.prune(d->now() - kKeep);
    if (n) FAIL_LOG(logf(), Info) << "queue " << d->queue_.path() << ": pruned " << n
                                  << " messages sent or failed over 7 days ago";
  } catch (const std::exception& e) {
    FAIL_LOG(logf(), Err) << "queue prune: " << e.what();
  }
  d->prune_->arm(ev::Micros(kPruneEvery));
}

void Dispatcher::onTimer(void* arg) {
  auto* ch = static_cast<Channel*>(arg);
  try {
    ch->d->pump(*ch);
  } catch (const std::exception& e) {
    FAIL_LOG(logf(), Err) << "channel " << ch->name << ": " << e.what();
  }
}

void Dispatcher::onStatus(std::function<void(const std::string&, const ChannelStatus&)> fn) {
  onStatus_ = std::move(fn);
}

const ChannelStatus* Dispatcher::status(const std::string& name) const {
  if (!channels_.count(name)) return nullptr;
  auto it = status_.find(name);
  return it == status_.end() ? nullptr : &it->second;
}

void Dispatcher::retire(Held* h) {
  h->current = false;
  if (h->out) return;  // kept until its last outcome (flush)
  for (auto it = held_.begin(); it != held_.end(); ++it)
    if (&*it == h) {
      // Maybe from inside one of its own callbacks (through flush's pump): later.
      loop_.deleteLater(std::move(it->sender));
      held_.erase(it);
      return;
    }
}

void Dispatcher::channel(const std::string& name, std::unique_ptr<Sender> sender,
                         DispatchOptions o) {
  if (!sender) return remove(name);
  auto it = channels_.find(name);
  if (it == channels_.end())
    it = channels_.emplace(name, std::make_unique<Channel>(this, name, loop_.wheel())).first;
  Channel& ch = *it->second;
  if (ch.held) retire(ch.held);
  held_.push_back(Held{std::move(sender)});
  ch.held = &held_.back();
  ch.opts = o;
  ChannelStatus& st = status_[name];
  Queue::Counts c = queue_.counts(name);
  st.waiting = c.waiting;
  st.sent = c.sent;
  st.failed = c.failed;
  pump(ch);
}

void Dispatcher::remove(const std::string& name) {
  auto it = channels_.find(name);
  if (it == channels_.end()) return;
  if (it->second->held) retire(it->second->held);
  channels_.erase(it);  // its page of ready messages is read again by a later channel
}

void Dispatcher::wake(const std::string& name) {
  auto it = channels_.find(name);
  if (it == channels_.end()) return;
  status_[name].waiting = queue_.counts(name).waiting;
  pump(*it->second);
}

void Dispatcher::pump(Channel& ch) {
  if (!ch.held) return;
  Micros now = this->now();
  size_t cap = std::max<size_t>(1, ch.held->sender->parallel());
  size_t& out = out_[ch.name];
  while (out < cap) {
    if (ch.ready.empty()) {
      // The page starts with the messages still out (they are waiting until their
      // outcome is written) and those parked (flush): ask for that many more.
      for (Message& m : queue_.due(ch.name, now, kPage + out + parked_[ch.name]))
        if (!busy_.count(m.id)) ch.ready.push_back(std::move(m));
      if (ch.ready.empty()) break;
    }
    Message m = std::move(ch.ready.front());
    ch.ready.pop_front();
    if (busy_.count(m.id)) continue;
    start(ch, std::move(m));
  }
  if (out < cap) {
    // Nothing more due: wake at the next that will be (those due by now are all out).
    if (auto next = queue_.nextDue(ch.name, now)) {
      ch.timer.arm(ev::Micros(std::max<Micros>(0, *next - now)));
      return;
    }
  }
  ch.timer.cancel();  // an outcome pumps again
}

void Dispatcher::start(Channel& ch, Message m) {
  Held* h = ch.held;
  busy_.insert(m.id);
  ++out_[ch.name];
  ++h->out;
  ChannelStatus& st = status_[ch.name];
  st.lastAttempt = now();
  Ended e{ch.name, h, m.id, m.key, m.record, m.created, m.attempts + 1, {}};
  try {
    h->sender->send(m, [this, e](Outcome o) mutable {
      e.outcome = std::move(o);
      ended(std::move(e));
    });
  } catch (const std::exception& ex) {  // a sender's bug: worth another try later
    e.outcome = Outcome{Outcome::End::Retry, std::string("send: ") + ex.what(), {}};
    ended(std::move(e));
  }
}

void Dispatcher::ended(Ended e) {
  ended_.push_back(std::move(e));
  if (flushing_) return;
  flushing_ = true;
  loop_.defer([this, alive = alive_] {
    if (!*alive) return;
    try {
      flush();
    } catch (const std::exception& ex) {
      FAIL_LOG(logf(), Err) << "writing outcomes: " << ex.what();
    }
  });
}

void Dispatcher::flush() {
  flushing_ = false;
  std::vector<Ended> batch;
  batch.swap(ended_);
  if (batch.empty()) return;
  Micros now = this->now();
  struct Verdict {
    enum { Sent, Retry, Failed } what;
    Micros next = 0;
    std::string detail;
    bool written = true;
  };
  std::vector<Verdict> verdicts;
  verdicts.reserve(batch.size());
  auto write = [&] {
    for (const Ended& e : batch) {
      auto ch = channels_.find(e.channel);
      DispatchOptions o = ch != channels_.end() ? ch->second->opts : DispatchOptions{};
      const std::string& detail = e.outcome.detail;
      switch (e.outcome.end) {
        case Outcome::End::Sent:
          verdicts.push_back({Verdict::Sent, 0, detail, queue_.sent(e.id, now, detail)});
          break;
        case Outcome::End::Failed:
          verdicts.push_back({Verdict::Failed, 0, detail, queue_.failed(e.id, now, detail)});
          break;
        case Outcome::End::Retry: {
          Micros giveUp = std::chrono::duration_cast<std::chrono::microseconds>(o.giveUpAfter).count();
          Micros deadline = e.created + giveUp;
          if (now >= deadline) {
            std::string why = "gave up after " + formatDurationMs(giveUp / 1000) + " and " +
                              std::to_string(e.attempts) + " attempts: " + detail;
            verdicts.push_back({Verdict::Failed, 0, why, queue_.failed(e.id, now, why)});
            break;
          }
          Micros wait = backoff(e.attempts, o.maxBackoff);
          wait = static_cast<Micros>(static_cast<double>(wait) *
                                     std::uniform_real_distribution<double>(0.8, 1.2)(random_));
          Micros next = std::min(now + wait, deadline);  // the last attempt at the deadline
          verdicts.push_back(
              {Verdict::Retry, next, detail, queue_.retry(e.id, e.attempts, next, detail)});
          break;
        }
      }
    }
  };
  // One outcome: its one statement; more: one transaction, one fsync.
  if (batch.size() == 1) write();
  else if (!queue_.batch(write))
    for (Verdict& v : verdicts) v.written = false;
  std::vector<std::string> touched;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Ended& e = batch[i];
    const Verdict& v = verdicts[i];
    if (size_t& out = out_[e.channel]; out > 0) --out;
    if (v.written) {
      busy_.erase(e.id);
    } else {
      // Still "waiting" in the file, due long ago: sent again at once, and again, while
      // the queue cannot be written (a full disk). Kept out of circulation instead, until
      // failsh restarts (the queue already said so, at error).
      ++parked_[e.channel];
    }
    if (--e.held->out == 0 && !e.held->current) retire(e.held);
    switch (v.what) {
      case Verdict::Sent:
        FAIL_LOG(logf(), Debug) << about(e.channel, e.key, e.record) << ": sent"
                                << (v.detail.empty() ? "" : ": ") << v.detail;
        break;
      case Verdict::Retry:
        FAIL_LOG(logf(), Info) << about(e.channel, e.key, e.record) << ": attempt "
                               << e.attempts << " failed, again in "
                               << formatAge(v.next - now) << ": " << v.detail;
        break;
      case Verdict::Failed:
        FAIL_LOG(logf(), Err) << about(e.channel, e.key, e.record)
                              << ": not sent: " << v.detail;
        break;
    }
    if (!channels_.count(e.channel)) continue;  // removed: no status
    ChannelStatus& st = status_[e.channel];
    if (v.what == Verdict::Sent) {
      st.lastError.clear();
      st.lastSent = now;
      st.failing = false;
    } else {
      st.lastError = v.detail;
      st.failing = true;
      if (v.what == Verdict::Retry) ++st.retries;
    }
    if (std::find(touched.begin(), touched.end(), e.channel) == touched.end())
      touched.push_back(e.channel);
  }
  for (const std::string& name : touched) {
    ChannelStatus& st = status_[name];
    Queue::Counts c = queue_.counts(name);
    st.waiting = c.waiting;
    st.sent = c.sent;
    st.failed = c.failed;
  }
  // Status first (the callback may reload: remove or replace a channel), then pumping
  // what still exists.
  if (onStatus_)
    for (const std::string& name : touched)
      if (channels_.count(name)) onStatus_(name, status_[name]);
  for (const std::string& name : touched) {
    auto it = channels_.find(name);
    if (it != channels_.end()) pump(*it->second);
  }
}

}  // namespace fail::notify

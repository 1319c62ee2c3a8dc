// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/notify.hh"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/log.hh"
#include "shell/engine.hh"

namespace fail::shell {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("notify");
  return f;
}

std::string hostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

notify::Seen seenOf(ChangeKind k) {
  return k == ChangeKind::Sync ? notify::Seen::Sync : k == ChangeKind::Change ? notify::Seen::Change : notify::Seen::Delete;
}

template <class T, class Key>
void replaceBy(std::vector<T>& v, T item, Key key) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return key(x) == key(item); });
  if (it != v.end())
    *it = std::move(item);
  else
    v.push_back(std::move(item));
}

}  // namespace

std::string defaultNotifyDb() {
  const char* sd = std::getenv("STATE_DIRECTORY");
  std::string dir = sd ? std::string(sd).substr(0, std::string(sd).find(':')) : "";
  return (dir.empty() ? std::string("/var/lib/failsh") : dir) + "/notify.db";
}

std::string checkNotifyDb(const std::string& path) {
  if (::access(path.c_str(), F_OK) == 0) {
    std::string err;
    if (!notify::Queue::open(path, &err)) return err;
    return "";
  }
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return path + ": cannot be made: the directory " + dir + ": " + std::strerror(errno);
  return "";
}

Notifications::Notifications(Engine& engine, event_base* base, std::string db)
    : engine_(engine), base_(base), db_(std::move(db)), host_(hostName()) {
  decls_.host = host_;
}

Notifications::~Notifications() {
  if (subId_ >= 0) engine_.unsubscribe(subId_);
  if (syncId_ >= 0) engine_.unsubscribe(syncId_);
  center_.reset();  // stores what this turn decided, before the queue and the loop go
  queue_.reset();
  loop_.reset();
}

bool Notifications::hasChannel(const std::string& name) const {
  return std::any_of(decls_.channels.begin(), decls_.channels.end(),
                     [&](const notify::ChannelConfig& c) { return c.spec.name == name; });
}

void Notifications::channel(notify::ChannelConfig c) {
  replaceBy(decls_.channels, std::move(c), [](const notify::ChannelConfig& x) { return x.spec.name; });
  if (active()) {
    std::string err;
    if (!open(&err)) FAIL_LOG(fac(), Err) << err;
    applyNow();
  }
}

bool Notifications::rule(notify::RuleSpec r, std::string* err) {
  for (const std::string& to : r.to)
    if (!hasChannel(to)) {
      *err = "-to names no channel \"" + to + "\" (declare it first with fail::notify channel)";
      return false;
    }
  replaceBy(decls_.rules, std::move(r), [](const notify::RuleSpec& x) { return x.name; });
  applyNow();
  return true;
}

void Notifications::quiet(notify::QuietSpec q) {
  replaceBy(decls_.quiet, std::move(q), [](const notify::QuietSpec& x) { return x.pattern; });
  applyNow();
}

void Notifications::link(std::string url) {
  decls_.link = std::move(url);
  applyNow();
}

bool Notifications::setDb(std::string path, std::string* err) {
  if (queue_) {
    if (path == db_) return true;
    *err = "the queue " + db_ + " is open already (give -db before the first channel)";
    return false;
  }
  db_ = std::move(path);
  return true;
}

bool Notifications::adopt(const Notifications& next, std::string* err) {
  for (const notify::ChannelConfig& c : decls_.channels)
    if (!next.hasChannel(c.spec.name)) forget(c.spec.name);
  decls_ = next.decls_;
  decls_.host = host_;
  return activate(err);
}

bool Notifications::activate(std::string* err) {
  bool ok = open(err);
  if (subId_ < 0) {
    subId_ = engine_.subscribe([this](const state::Record& rec, ChangeKind kind) {
      if (center_) center_->record(rec, seenOf(kind));
    });
    // Each listing of the local faild (at start, after a reconnection) comes as Sync:
    // the rules then neither repeat an alert the queue remembers nor forget a recovery.
    // Once listed, the local faild hears each channel's record as it is now.
    syncId_ = engine_.onSynced([this] {
      if (!center_) return;
      // A record deleted while failsh was not listening is never reported deleted.
      const auto& local = engine_.local();
      center_->listed([&local](const std::string& name) { return local.count(name) != 0; });
      for (const std::string& name : center_->channels())
        if (auto v = center_->view(name)) published(*v);
    });
  }
  applyNow();
  return ok;
}

// The queue is opened by the live set at its first channel, and stays open.
bool Notifications::open(std::string* err) {
  if (center_ || decls_.channels.empty()) return true;
  std::string e;
  queue_ = notify::Queue::open(db_, &e);
  if (!queue_) {
    error_ = "notification queue: " + e;
    FAIL_LOG(fac(), Err) << error_ << " (nothing will be sent)";
    for (const notify::ChannelConfig& c : decls_.channels) {
      state::SetInput in;
      in.name = "notify:" + c.spec.name;
      in.state = State::Fail;
      in.note = error_;
      in.origin = "failsh";
      engine_.showMonitor(std::move(in));
      if (engine_.localSynced()) engine_.setLocal("notify:" + c.spec.name, State::Fail, error_);
    }
    if (err) *err = error_;
    return false;
  }
  error_.clear();
  loop_ = std::make_unique<ev::Loop>(base_);
  center_ = std::make_unique<notify::Center>(*loop_, *queue_);
  center_->onStatus([this](const notify::ChannelView& v) { published(v); });
  FAIL_LOG(fac(), Info) << "notification queue " << db_ << " open";
  return true;
}

// After the rules change, the records as they are go to them as Sync: a new or changed
// rule picks up the records already in its states (notify/rules.hh).
void Notifications::applyNow() {
  if (!center_ || !active()) return;
  center_->apply(decls_);
  if (engine_.localSynced())
    for (const auto& [n, rec] : engine_.local()) center_->record(rec, notify::Seen::Sync);
}

void Notifications::published(const notify::ChannelView& v) {
  if (!v.declared) return;
  const notify::ChannelStatus& s = v.status;
  state::SetInput in;
  in.name = "notify:" + v.name;
  in.state = s.failing ? State::Fail : State::Up;
  in.note = s.failing ? s.lastError : "sent " + std::to_string(s.sent);
  in.origin = "failsh";
  auto put = [&](const char* k, std::uint64_t n) { proto::mergeAttr(in.attrs, k, std::to_string(n)); };
  put("waiting", s.waiting);
  put("sent", s.sent);
  put("failed", s.failed);
  put("suppressed", v.counts.suppressed);
  put("digests", v.counts.digests);
  put("retries", s.retries);
  state::Attrs attrs = in.attrs;
  std::string note = in.note;
  State st = in.state;
  engine_.showMonitor(std::move(in));
  // The local faild hears it once listed (then all at once), and only when it changed (a
  // storm's every turn would write it).
  if (!engine_.localSynced()) return;
  auto it = engine_.local().find("notify:" + v.name);
  if (it != engine_.local().end() && it->second.state == st && it->second.note == note && it->second.attrs == attrs)
    return;
  engine_.setLocal("notify:" + v.name, st, note, attrs);
}

void Notifications::forget(const std::string& channel) {
  engine_.hideMonitor("notify:" + channel);
  engine_.deleteLocal("notify:" + channel);
}

bool Notifications::send(const std::string& channel, const std::string& subject, const std::string& body,
                         std::string* err) {
  if (!center_) {
    if (!hasChannel(channel)) {
      *err = "no channel \"" + channel + "\"";
      return false;
    }
    if (!error_.empty()) {
      *err = error_;
      return false;
    }
    // A policy being read (failsh -t, a reload not yet swapped in): nothing is sent.
    return true;
  }
  return center_->send(channel, subject, body, err);
}

std::optional<notify::ChannelView> Notifications::status(const std::string& channel) const {
  if (!hasChannel(channel)) return std::nullopt;
  if (center_)
    if (auto v = center_->view(channel)) return v;
  notify::ChannelView v;
  v.name = channel;
  v.declared = true;
  v.status.lastError = error_;
  v.status.failing = !error_.empty();
  return v;
}

std::vector<std::string> Notifications::channelNames() const {
  std::vector<std::string> out;
  for (const auto& c : decls_.channels) out.push_back(c.spec.name);
  std::sort(out.begin(), out.end());
  return out;
}

std::string Notifications::dump() const {
  if (decls_.channels.empty() && decls_.rules.empty()) return "";
  std::string out = "notify queue " + db_ + (error_.empty() ? "" : " error: " + error_) + "\n";
  if (center_) return out + center_->dump();
  for (const auto& c : decls_.channels) out += "notify channel " + c.spec.name + " (not started)\n";
  return out;
}

}  // namespace fail::shell

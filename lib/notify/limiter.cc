// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "notify/limiter.hh"

#include <algorithm>
#include <limits>
#include <unordered_set>
#include <utility>

#include "base/text.hh"
#include "base/time.hh"

namespace fail::notify {

std::optional<Rate> parseRate(std::string_view text, std::string* err) {
  auto fail = [&](const std::string& why) {
    if (err) *err = "rate \"" + printable(text) + "\": " + why;
    return std::nullopt;
  };
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return fail("expected N/PERIOD, like 20/1m");
  auto n = parseUint(text.substr(0, slash));
  if (!n) return fail("the count before '/' is not a number");
  if (*n > std::numeric_limits<unsigned>::max()) return fail("the count is too large");
  auto ms = parseDurationMs(text.substr(slash + 1));
  if (!ms || *ms <= 0)
    return fail("the period after '/' is not a duration above 0 (like 30s, 1m, 1h)");
  return Rate{static_cast<unsigned>(*n), std::chrono::milliseconds(*ms)};
}

std::string formatRate(const Rate& r) {
  return std::to_string(r.max) + "/" + formatDurationMs(r.per.count());
}

std::string digestRecords(const Limiter::Digest& d) {
  std::string out;
  for (const auto& r : d.records) {
    if (!out.empty()) out += ", ";
    out += r;
  }
  if (d.count > d.records.size()) {
    std::uint64_t more = d.count - d.records.size();
    out += (out.empty() ? "" : " and ") + std::to_string(more) + " more";
  }
  return out;
}

struct Limiter::Channel {
  Channel(Limiter& l, std::string n)
      : owner(l), name(std::move(n)), timer(l.loop_.wheel(), &Limiter::onWindowEnd, this) {}
  Limiter& owner;
  std::string name;
  unsigned max = 0;
  std::chrono::milliseconds per{0};
  Counts counts;
  // The window now open (timer armed) and what it saw.
  std::uint64_t sentInWindow = 0;
  Digest held;
  std::unordered_set<std::uint64_t> offered;  // hashes of (record, kind, state)
  ev::WheelTimer timer;
};

Limiter::Limiter(ev::Loop& loop, std::function<void(const Digest&)> flush)
    : loop_(loop), flush_(std::move(flush)) {}

Limiter::~Limiter() = default;

void Limiter::configure(const std::string& channel, unsigned max, std::chrono::milliseconds per) {
  auto& c = channels_[channel];
  if (!c) c = std::make_unique<Channel>(*this, channel);
  c->max = max;
  c->per = per;
}

void Limiter::remove(const std::string& channel) { channels_.erase(channel); }

Admit Limiter::admit(const std::string& channel, const std::string& record, Kind kind,
                     proto::State state) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) return Admit::Send;
  Channel& c = *it->second;
  if (c.max == 0 || c.per.count() <= 0) {
    ++c.counts.sent;
    return Admit::Send;
  }
  if (!c.timer.armed()) {  // the first message since the last window: a new one opens
    c.held.channel = c.name;
    c.timer.arm(c.per);
  }
  if (!record.empty()) {
    std::string key = record;
    key += '\0';
    key += static_cast<char>(kind);
    key += static_cast<char>(state);
    std::uint64_t h = std::hash<std::string>{}(key);
    if (c.offered.count(h)) {
      ++c.counts.duplicates;
      return Admit::Duplicate;
    }
    if (c.offered.size() < kMaxKeys) c.offered.insert(h);
  }
  if (c.sentInWindow < c.max) {
    ++c.sentInWindow;
    ++c.counts.sent;
    return Admit::Send;
  }
  ++c.counts.held;
  ++c.held.count;
  auto& names = c.held.records;
  if (!record.empty() && names.size() < kMaxNames &&
      std::find(names.begin(), names.end(), record) == names.end())
    names.push_back(record);
  return Admit::Held;
}

void Limiter::onWindowEnd(void* arg) {
  auto* c = static_cast<Channel*>(arg);
  c->owner.windowEnd(*c);
}

void Limiter::windowEnd(Channel& c) {
  // Reset before the callback, which may offer the channel a message (a new window).
  Digest d = std::move(c.held);
  c.held = Digest{};
  c.sentInWindow = 0;
  c.offered.clear();
  if (d.count == 0) return;
  ++c.counts.digests;
  flush_(d);
}

Limiter::Counts Limiter::counts(const std::string& channel) const {
  auto it = channels_.find(channel);
  return it == channels_.end() ? Counts{} : it->second->counts;
}

}  // namespace fail::notify

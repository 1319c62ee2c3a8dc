// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "api/events.hh"

#include <nlohmann/json.hpp>

#include "base/text.hh"
#include "state/json.hh"

namespace fail::api {

namespace {

// What a catching-up stream is given at a time, and how little unread output it must
// have before it gets the next slice.
constexpr size_t kSlice = 64u << 10;
constexpr size_t kLowWater = 256u << 10;
constexpr Micros kPumpEvery = 20'000;

}  // namespace

EventStreams::EventStreams(ev::Loop& loop, state::Store& store, Micros keepaliveEvery)
    : loop_(loop),
      store_(store),
      self_(std::make_shared<EventStreams*>(this)),
      pumpTimer_(loop.base(), [this] { pump(); }),
      keepaliveTimer_(loop.base(), [this] { keepalive(); }),
      keepaliveEvery_(keepaliveEvery) {
  store_.addListener(this);
}

EventStreams::~EventStreams() {
  *self_ = nullptr;
  store_.removeListener(this);
  for (auto& s : streams_)
    if (auto ex = s->ex.lock()) ex->end();
}

std::string EventStreams::eventText(const state::Published& p) {
  nlohmann::ordered_json data;
  const state::Version& v = *p.version;
  if (v.deleted()) {
    // faild keeps no copy of a deleted record once the deletion is durable: its name,
    // the deletion's serial and time say which record went, and when.
    data["record"] = {{"name", std::string(v.name())},
                      {"serial", v.serial()},
                      {"since", v.since()},
                      {"since_iso", isoTime(v.since())}};
    data["deleted"] = true;
  } else {
    data["record"] = state::recordJson(v.record());
    data["deleted"] = false;
  }
  std::string out = "id: " + std::to_string(p.serial()) + "\nevent: change\ndata: ";
  out += state::dumpJson(data);  // one line: JSON escapes every newline
  out += "\n\n";
  return out;
}

bool EventStreams::wanted(const Stream& s, std::string_view name) const {
  return globMatch(s.pattern, name) && s.grant.levelFor(name) >= access::Level::Ro;
}

void EventStreams::open(const std::shared_ptr<http::Exchange>& ex, std::string pattern, access::Grant grant,
                        std::optional<std::uint64_t> since) {
  if (!ex->startStream("text/event-stream", {{"X-Accel-Buffering", "no"}})) return;  // 503 answered
  ++counters_.opened;
  auto stream = std::make_shared<Stream>();
  stream->ex = ex;
  stream->pattern = std::move(pattern);
  stream->grant = std::move(grant);
  Iter it = stream->at = streams_.insert(streams_.end(), stream);
  // Runs from the loop after the client left, unless the stream was dropped before.
  ex->onClose([self = std::weak_ptr<EventStreams*>(self_), weak = std::weak_ptr<Stream>(stream)] {
    auto s = self.lock();
    if (auto st = weak.lock(); st && s && *s) (*s)->drop(st->at);
  });
  // A comment first: the client sees the stream is open, and at which serial.
  ex->send(": faild serial " + std::to_string(store_.publishedSerial()) + "\n\n");
  if (since && *since != store_.publishedSerial()) {
    stream->catchingUp = true;
    stream->cursor = *since;
    ++catching_;
    if (!catchUp(*stream)) return drop(it);
    if (catching_ && !pumpTimer_.armed()) pumpTimer_.arm(ev::Micros(kPumpEvery));
  }
  if (!keepaliveTimer_.armed()) keepaliveTimer_.arm(ev::Micros(keepaliveEvery_));
}

bool EventStreams::catchUp(Stream& s) {
  auto ex = s.ex.lock();
  if (!ex || !ex->open()) return false;
  std::string out;
  bool more = false;
  std::uint64_t cursor = s.cursor;
  bool held = store_.changesSince(s.cursor, [&](const state::Published& p) {
    if (more) return;
    if (out.size() >= kSlice) {
      more = true;
      return;
    }
    cursor = p.serial();
    if (wanted(s, p.name())) {
      out += eventText(p);
      ++counters_.events;
    }
  });
  if (!held) {
    // The changes after its serial are gone (or it names one never published): the
    // client lists again, and this stream goes on with what comes next.
    ++counters_.relists;
    out = "event: relist\ndata: {\"serial\":" + std::to_string(store_.publishedSerial()) + "}\n\n";
  }
  s.cursor = cursor;
  if (!held || !more) {
    s.catchingUp = false;
    --catching_;
  }
  return out.empty() || ex->send(out);
}

void EventStreams::pump() {
  for (auto it = streams_.begin(); it != streams_.end();) {
    auto next = std::next(it);
    Stream& s = **it;
    if (s.catchingUp) {
      auto ex = s.ex.lock();
      if (!ex || !ex->open()) drop(it);
      else if (ex->pending() < kLowWater && !catchUp(s)) drop(it);
    }
    it = next;
  }
  if (catching_) pumpTimer_.arm(ev::Micros(kPumpEvery));
}

void EventStreams::keepalive() {
  for (auto it = streams_.begin(); it != streams_.end();) {
    auto next = std::next(it);
    auto ex = (*it)->ex.lock();
    if (!ex || !ex->send(":\n\n")) drop(it);
    it = next;
  }
  if (!streams_.empty()) keepaliveTimer_.arm(ev::Micros(keepaliveEvery_));
}

void EventStreams::drop(Iter it) {
  if ((*it)->catchingUp) --catching_;
  streams_.erase(it);
}

void EventStreams::onPublished(const state::Published& p) {
  if (streams_.empty()) return;
  std::string text;  // made once, for the first stream that wants it
  for (auto it = streams_.begin(); it != streams_.end();) {
    auto next = std::next(it);
    Stream& s = **it;
    if (!s.catchingUp && wanted(s, p.name())) {
      if (text.empty()) text = eventText(p);
      auto ex = s.ex.lock();
      if (!ex || !ex->send(text)) drop(it);
      else ++counters_.events;
    }
    it = next;
  }
}

}  // namespace fail::api

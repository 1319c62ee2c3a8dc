// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "mon/watcher_backfill.hh"

#include <exception>
#include <utility>

#include "base/time.hh"
#include "client/reply.hh"
#include "proto/list.hh"

namespace fail::mon {

std::uint64_t historyStart(const std::string& msg) {
  static const std::string kFrom = "history from ";
  auto at = msg.find(kFrom);
  if (at == std::string::npos) return 0;
  auto begin = at + kFrom.size();
  auto end = msg.find_first_not_of("0123456789", begin);
  auto n = parseUint(std::string_view(msg).substr(begin, end == std::string::npos ? end : end - begin));
  return n ? *n : 0;
}

Backfill::Backfill(event_base* base, client::LinkSpec spec, std::chrono::milliseconds timeout, std::string name,
                   DoneFn done)
    : name_(std::move(name)), done_(std::move(done)), timeout_(timeout),
      deadline_(base, [this] { finish(); }) {
  client::LinkOptions lo;
  lo.client = "failmon";
  lo.connectTimeout = timeout;
  lo.logFacility = "failmon";
  try {
    transport_ = std::make_unique<client::Transport>(
        base, std::move(spec), lo,
        client::Transport::Events{[this] { onReady(); }, [this](const std::string& l) { onLine(l); },
                                  [this](const client::Transport::Break&) { finish(); }, {}});
  } catch (const std::exception&) {
    transport_.reset();
  }
}

Backfill::~Backfill() = default;

void Backfill::start() {
  if (!transport_) return deadline_.arm(ev::Micros{0});  // done, from the loop
  deadline_.arm(std::chrono::duration_cast<ev::Micros>(timeout_));
  transport_->start();
}

void Backfill::sendWatch(std::uint64_t since) {
  std::string line = "WATCH";
  proto::appendElement(line, name_);
  line += " since=" + std::to_string(since) + "\n";
  transport_->write(line);
}

void Backfill::onReady() { sendWatch(0); }

void Backfill::onLine(const std::string& line) {
  if (finished_) return;
  if (!streaming_) {
    client::Reply r;
    std::string err;
    if (!client::parseReply(line, r, err)) return finish();
    if (!r.ok && r.code == "GONE" && !retried_) {
      std::uint64_t from = historyStart(r.message);
      retried_ = true;
      if (from > 0) return sendWatch(from);  // the changes after `from` are held
    }
    if (!r.ok) return finish();
    streaming_ = true;
    return;
  }
  client::WatchEvent e;
  std::string err;
  if (!client::parseWatchLine(line, e, err)) return finish();
  using K = client::WatchEvent::Kind;
  if (e.kind == K::Change && e.record.name == name_)
    changes_.push_back(Change{e.serial, e.record.since, e.record.state, false});
  else if (e.kind == K::Delete && e.name == name_)
    changes_.push_back(Change{e.serial, e.time, state::State::Unknown, true});
  else if (e.kind == K::Synced || e.kind == K::Error)
    finish();
}

void Backfill::finish() {
  if (finished_) return;
  finished_ = true;
  deadline_.cancel();
  if (transport_) transport_->stop();
  if (done_) done_(std::move(changes_));
}

}  // namespace fail::mon

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/control_faild.hh"

#include "dns/frontend_log.hh"
#include "proto/list.hh"
#include "state/record.hh"

namespace fail::dns {

FaildFeed::FaildFeed(event_base* base, const client::LinkSpec& faild, Events events) : events_(std::move(events)) {
  client::LinkOptions opts;
  opts.client = "failsh";
  opts.logFacility = "dns";
  client::LinkSpec ws = faild;
  ws.name = faild.name + " (dns watch)";
  watch_ = std::make_unique<client::Link>(base, ws, opts);
  client::LinkSpec rs = faild;
  rs.name = faild.name + " (dns)";
  requests_ = std::make_unique<client::Link>(base, rs, opts);
  watch_->onState([name = ws.name](bool up, const std::string& why) {
    if (!up) FAIL_LOG(logFacility(), Warning) << "local faild " << name << ": " << why;
  });
  requests_->onState([this](bool up, const std::string&) {
    if (up && events_.requestsUp) events_.requestsUp();
  });
  watch_->watch("*", [this](const client::WatchEvent& ev) { onWatch(ev); },
                [this] {  // the changes since our serial are gone: a full listing follows
                  relisting_ = true;
                  seen_.clear();
                });
}

void FaildFeed::start() {
  watch_->start();
  requests_->start();
}

void FaildFeed::onWatch(const client::WatchEvent& ev) {
  using Kind = client::WatchEvent::Kind;
  switch (ev.kind) {
    case Kind::Record:
    case Kind::Change:
      if (relisting_) seen_.insert(ev.record.name);
      known_.insert(ev.record.name);
      events_.health(ev.record.name, ev.record.state);
      return;
    case Kind::Delete:
      known_.erase(ev.name);
      events_.health(ev.name, State::Unknown);
      return;
    case Kind::Synced:
      if (relisting_) {
        relisting_ = false;
        for (auto it = known_.begin(); it != known_.end();) {
          if (seen_.count(*it)) {
            ++it;
            continue;
          }
          std::string gone = *it;
          it = known_.erase(it);
          events_.health(gone, State::Unknown);
        }
        seen_.clear();
      }
      events_.synced();
      return;
    default:
      return;
  }
}

std::string FaildFeed::note(const PoolView& v) {
  std::size_t in = 0;
  std::string out;
  for (const auto& m : v.members) {
    if (m.in) {
      ++in;
      continue;
    }
    out += (out.empty() ? "" : ", ") + m.address + " " + m.why;
  }
  std::string n = v.allDown ? "all " + std::to_string(v.members.size()) + " members out"
                            : std::to_string(in) + " of " + std::to_string(v.members.size()) + " members in";
  if (!out.empty()) n += " (out: " + out + ")";
  return n;
}

void FaildFeed::publish(const PoolView& v) {
  std::string answer;
  for (const auto& a : v.answer) answer += (answer.empty() ? "" : " ") + a;
  std::string line = "SET";
  proto::appendElement(line, recordName(v.name));
  line += v.allDown ? " FAIL" : " UP";
  proto::appendElement(line, "note=" + note(v));
  proto::appendElement(line, "answer=" + answer);
  proto::appendElement(line, "answer_ttl=" + std::to_string(v.ttl));  // ttl= would be the record's own expiry
  std::string members;
  for (const auto& m : v.members) members += (members.empty() ? "" : " ") + m.address + (m.in ? "=in" : "=out");
  proto::appendElement(line, "members=" + members);
  proto::appendElement(line, "changes=" + std::to_string(v.changes));
  requests_->request(
      line,
      [name = v.name](const client::Reply& r) {
        if (r.ok) return;
        if (r.code == "DOWN")  // set again when the link is back (Events::requestsUp)
          FAIL_LOG(logFacility(), Info) << "cannot set " << recordName(name) << " in the local faild: " << r.message;
        else
          FAIL_LOG(logFacility(), Warning) << "cannot set " << recordName(name) << " in the local faild: " << r.code << " "
                                   << r.message;
      },
      std::chrono::milliseconds(5000));
}

void FaildFeed::remove(const std::string& pool) {
  std::string line = "DEL";
  proto::appendElement(line, recordName(pool));
  requests_->request(
      line,
      [pool](const client::Reply& r) {
        if (!r.ok && r.code != "NOTFOUND")
          FAIL_LOG(logFacility(), Warning) << "cannot delete " << recordName(pool) << " in the local faild: " << r.code;
      },
      std::chrono::milliseconds(5000));
}

}  // namespace fail::dns

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// HISTORY and REPORT (doc/protocol.md, "HISTORY and REPORT"): asked of the history
// Reader, whose thread reads the database while the loop goes on; the session reads no
// further request until the answer is back, so replies keep the order of the requests.
#include <algorithm>
#include <limits>

#include "base/log.hh"
#include "base/time.hh"
#include "history/reader.hh"
#include "history/wire.hh"
#include "server/server.hh"
#include "server/session.hh"

namespace fail::server {
namespace {

// A report's window is kept within [0, 2^62] (the year 148,000): before 1970 there is no
// history, and the day arithmetic of the roll-ups must not overflow near 2^63.
constexpr Micros kLatestReportTime = Micros{1} << 62;

Micros reportTime(Micros t) { return std::clamp<Micros>(t, 0, kLatestReportTime); }

}  // namespace

bool Session::historyReady() {
  if (!authenticated()) {
    replyError(proto::Errc::NeedAuth, "AUTH first");
    return false;
  }
  if (!server_.historyReader()) {
    const std::string& program = server_.config().program;
    replyError(proto::Errc::Unavailable,
               program == "faild" ? "this server keeps no history (faild runs with --no-history-db or --memory)"
                                  : program + " keeps no history: ask faild");
    return false;
  }
  return true;
}

void Session::cmdHistory(const proto::Request& req) {
  if (!historyReady()) return;
  Micros now = wallNow();
  history::Query q;
  q.pattern = req.pattern;
  q.since = req.from ? req.from->at(now) : 0;
  q.until = req.until ? req.until->at(now) : std::numeric_limits<Micros>::max();
  if (q.until <= q.since) return replyError(proto::Errc::Args, "until= is not after since=");
  q.limit = req.limit ? req.limit : proto::kDefaultHistoryLimit;
  auto more = std::make_shared<bool>(false);  // set by the Reader: older changes matched
  q.more = more;
  // The client's read access, applied before the limit (on the Reader's thread: a copy).
  q.visible = [grant = grant_](std::string_view name) {
    return grant.levelFor(name) >= access::Level::Ro;
  };
  std::weak_ptr<Session*> self = self_;
  bool queued = server_.historyReader()->changes(
      std::move(q), self_, [self, more](std::vector<history::Change> changes, std::string error) {
        auto s = self.lock();
        if (!s || !*s) return;
        if (!error.empty()) return (*s)->historyFailed(error);
        std::string line = *more ? "OK MORE" : "OK ALL";
        for (const history::Change& c : changes) history::appendChange(line, c);
        (*s)->historyAnswered(line);
      });
  if (!queued)
    return replyError(proto::Errc::Busy, "too many history questions waiting; ask again later");
  waiting_ = true;
}

void Session::cmdReport(const proto::Request& req) {
  if (!historyReady()) return;
  Micros now = wallNow();
  Micros to = reportTime(req.until ? req.until->at(now) : now);
  Micros from = reportTime(req.from ? req.from->at(now) : to - proto::kDefaultReportWindow);
  if (to <= from) return replyError(proto::Errc::Args, "until= is not after since=");
  std::weak_ptr<Session*> self = self_;
  bool queued = server_.historyReader()->availability(
      req.pattern, from, to, self_,
      [self, from, to](history::Reader::Availabilities rows, std::string error) {
        auto s = self.lock();
        if (!s || !*s) return;
        Session& session = **s;
        if (!error.empty()) return session.historyFailed(error);
        std::string line = "OK " + std::to_string(from) + " " + std::to_string(to);
        for (const auto& [name, a] : rows)
          if (session.grant_.levelFor(name) >= access::Level::Ro)
            history::appendAvailability(line, name, a);
        session.historyAnswered(line);
      });
  if (!queued)
    return replyError(proto::Errc::Busy, "too many history questions waiting; ask again later");
  waiting_ = true;
}

void Session::historyFailed(const std::string& error) {
  // For the client and the log (it names the file, never a secret), at a bounded rate:
  // every question can meet it.
  server_.logLimited(Server::Noise::History, log::facility("history"), log::Level::Warning,
                     "a history question failed: " + error);
  historyAnswered(proto::formatError({proto::Errc::Unavailable, "the history cannot be read: " + error}));
}

void Session::historyAnswered(const std::string& line) {
  if (closing_) return;
  if (line.starts_with("ERR")) ++server_.counters().errors;
  reply(line);
  resume();  // reads on, and writes the reply out
}

}  // namespace fail::server

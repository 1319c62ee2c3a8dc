// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/watch.hh"

#include <poll.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "base/text.hh"
#include "client/commands.hh"
#include "client/format.hh"
#include "client/session.hh"
#include "proto/list.hh"
#include "state/json.hh"

namespace fail::client {

namespace {

constexpr const char* kProgram = "failc";
// A stream silent this long is probed with PING, which must be answered within the
// --timeout; a dead peer is noticed without waiting for TCP to give up.
constexpr std::int64_t kIdleMs = 30'000;
constexpr std::int64_t kMaxBackoffMs = 30'000;

enum class End { Streaming, Interrupted, Lost, Fatal };

std::string noteSuffix(const state::Record& r) {
  return r.note.empty() ? std::string() : " " + quoteText(r.note);
}

// Sleeps `ms`; false when interrupted by SIGINT or SIGTERM.
bool pause(std::int64_t ms) {
  std::int64_t until = steadyNow() + ms * 1000;
  while (!interruptRequested()) {
    std::int64_t left = (until - steadyNow()) / 1000;
    if (left <= 0) return true;
    ::poll(nullptr, 0, static_cast<int>(left));
  }
  return false;
}

struct WatchRun {
  const ParsedArgs& args;
  std::ostream& out;
  std::ostream& err;
  std::string pattern;
  std::optional<std::uint64_t> resume;  // serial after which nothing is missed
  WatchPrinter printer;
  bool watchedBefore = false;
  bool synced = false;

  void print(const std::string& line) {
    if (!line.empty()) out << line << "\n" << std::flush;
  }

  // Sends WATCH (again as a plain WATCH after ERR GONE) and reads its OK.
  End start(Session& s, Failure& f) {
    for (;;) {
      std::vector<std::string> words{"WATCH"};
      if (!pattern.empty()) words.push_back(pattern);
      if (resume) words.push_back("since=" + std::to_string(*resume));
      if (!resume && watchedBefore && args.opts.json) print(state::dumpJson({{"event", "relist"}}));
      Reply r;
      if (!s.exchange(words, r, f)) return f.exit == Exit::Unreachable ? End::Lost : End::Fatal;
      if (!r.ok && r.code == "GONE" && resume) {
        err << kProgram << ": watch at " << s.where() << ": GONE: " << r.message
            << "; listing afresh with a plain WATCH\n"
            << std::flush;
        resume.reset();
        watchedBefore = true;
        continue;
      }
      if (!r.ok) {
        f = replyFailure("watch", s.where(), r);
        return End::Fatal;
      }
      if (r.words.size() != 2 || r.words[0] != "WATCH" || !parseUint(r.words[1])) {
        f = {Exit::Failed, "watch at " + s.where() + ": malformed reply: " + printable(r.line, 80)};
        return End::Fatal;
      }
      if (resume)
        printer.startResuming();
      else
        printer.startListing();
      watchedBefore = true;
      return End::Streaming;
    }
  }

  End stream(Session& s, Failure& f) {
    std::int64_t timeout = args.opts.timeoutMs;
    bool pingPending = false;
    std::string line;
    for (;;) {
      std::int64_t wait = pingPending ? timeout : (timeout > 0 ? kIdleMs : 0);
      IoStatus st = s.readLine(line, wait, f);
      if (st == IoStatus::Interrupted) return End::Interrupted;
      if (st == IoStatus::Timeout && !pingPending) {
        if (!s.sendLine({"PING"}, f)) return End::Lost;
        pingPending = true;
        continue;
      }
      if (st == IoStatus::Timeout)
        f.message = "connection to " + s.where() + " lost: no answer to PING within " +
                    formatDurationMs(timeout);
      if (st != IoStatus::Ok) return End::Lost;
      pingPending = false;
      WatchEvent ev;
      std::string why;
      if (!parseWatchLine(line, ev, why)) {
        f = {Exit::Failed, "watch at " + s.where() + ": " + why};
        return End::Fatal;
      }
      using K = WatchEvent::Kind;
      if (ev.kind == K::Error) {
        f = replyFailure("watch", s.where(), ev.error);
        return ev.error.code == "SLOW" ? End::Lost : End::Fatal;
      }
      if (ev.kind == K::Synced) {
        resume = ev.serial;
        synced = true;
        if (args.has("verbose") && !args.opts.json)
          err << kProgram << ": synced at serial " << ev.serial << "\n" << std::flush;
      } else if ((ev.kind == K::Change || ev.kind == K::Delete) && resume) {
        resume = ev.serial;
      }
      print(printer.format(ev));
    }
  }
};

}  // namespace


void WatchPrinter::startListing() {
  known_.clear();
  listing_ = true;
  synced_ = false;
}

void WatchPrinter::startResuming() {}

std::string WatchPrinter::oldState(const std::string& name) const {
  auto it = known_.find(name);
  if (it != known_.end()) return state::stateName(it->second);
  return listing_ && synced_ ? "none" : "?";
}

std::string WatchPrinter::format(const WatchEvent& ev) {
  using K = WatchEvent::Kind;
  nlohmann::ordered_json j;
  std::string text;
  switch (ev.kind) {
    case K::Record:
      known_[ev.name] = ev.record.state;
      j = {{"event", "record"}, {"record", state::recordJson(ev.record)}};
      text = formatLocalTime(ev.record.since) + " " + std::to_string(ev.record.serial) + " " +
             ev.name + " " + state::stateName(ev.record.state) + noteSuffix(ev.record);
      break;
    case K::Synced:
      synced_ = true;
      j = {{"event", "synced"}, {"serial", ev.serial}};
      break;
    case K::Change:
    case K::Delete: {
      std::string old = oldState(ev.name);
      j = {{"event", ev.kind == K::Change ? "change" : "delete"}, {"serial", ev.serial}};
      if (old == "?" || old == "none")
        j["old_state"] = nullptr;
      else
        j["old_state"] = old;
      if (old == "none") j["new"] = true;
      std::string head = formatLocalTime(ev.kind == K::Change ? ev.record.since : ev.time) + " " +
                         std::to_string(ev.serial) + " " + ev.name + " " + old + "->";
      if (ev.kind == K::Change) {
        known_[ev.name] = ev.record.state;
        j["record"] = state::recordJson(ev.record);
        text = head + state::stateName(ev.record.state) + noteSuffix(ev.record);
      } else {
        known_.erase(ev.name);
        j["name"] = ev.name;
        j["time"] = ev.time;
        j["time_iso"] = isoTime(ev.time);
        text = head + "deleted";
      }
      break;
    }
    case K::Pong:
    case K::Ping:
    case K::Error:
      return {};
  }
  if (json_) return state::dumpJson(j);
  return text;
}

int runWatch(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  WatchRun run{args, out, err, {}, std::nullopt, WatchPrinter(args.opts.json)};
  if (args.operands.size() > 1) run.pattern = args.operands[1];
  if (auto since = args.last("since")) {
    run.resume = parseUint(*since);
    if (!run.resume) {
      return report(err, kProgram, {Exit::Usage, "bad serial '" + printable(*since) + "' for --since"}, args.opts.json);
    }
  }
  std::string name, msg;
  if (!helloName(args, name, msg)) return report(err, kProgram, {Exit::Usage, msg}, args.opts.json);
  bool reconnect = args.has("reconnect");
  installInterruptHandlers();
  std::int64_t backoff = 1000;
  for (;;) {
    Session s(args.opts, args.opts.target, name);
    Failure f;
    End end = End::Lost;
    run.synced = false;
    if (s.open(f)) {
      end = run.start(s, f);
      if (end == End::Streaming) end = run.stream(s, f);
    } else if (f.exit != Exit::Unreachable) {
      end = End::Fatal;
    }
    if (end == End::Interrupted || interruptRequested()) {
      out.flush();
      return static_cast<int>(Exit::Ok);
    }
    if (end == End::Fatal || !reconnect) return report(err, kProgram, f, args.opts.json);
    if (run.synced) backoff = 1000;
    err << kProgram << ": " << f.message << "; reconnecting in " << formatDurationMs(backoff)
        << "\n"
        << std::flush;
    if (!pause(backoff)) return static_cast<int>(Exit::Ok);
    backoff = std::min(backoff * 2, kMaxBackoffMs);
  }
}

}  // namespace fail::client

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The request handlers of a Session: one function per command of doc/protocol.md.
#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>

#include "base/log.hh"
#include "base/text.hh"
#include "base/version.hh"
#include "net/tls.hh"
#include "proto/list.hh"
#include "server/server.hh"
#include "server/session.hh"

namespace fail::server {
namespace {

log::Facility& accessFac() {
  static log::Facility& f = log::facility("access");
  return f;
}

// "WORDS SERIAL" built without an allocation (a change's or refresh's reply). The
// view lives as long as the object: the full expression that made it.
class SerialLine {
 public:
  SerialLine(std::string_view head, std::uint64_t serial) {
    n_ = std::min(head.size(), sizeof buf_ - 20);
    std::memcpy(buf_, head.data(), n_);
    n_ = static_cast<size_t>(std::to_chars(buf_ + n_, buf_ + sizeof buf_, serial).ptr - buf_);
  }
  operator std::string_view() const { return {buf_, n_}; }

 private:
  char buf_[48];
  size_t n_;
};

SerialLine serialLine(std::string_view head, std::uint64_t serial) { return {head, serial}; }

}  // namespace

void Session::handle(const proto::Request& req) {
  using proto::Cmd;
  if (!grant_.any() && transport_ == Transport::Tls && server_.accessFile()) {
    std::string cn = net::verifiedPeerName(bufferevent_openssl_get_ssl(bev_));
    if (!cn.empty())
      if (auto g = server_.accessFile()->byName(cn)) grant_ = std::move(*g);
  }
  if (watching_ && req.cmd != Cmd::Ping && req.cmd != Cmd::Quit) {
    replyError(proto::Errc::Busy, "this connection is watching: only PING and QUIT");
    return;
  }
  switch (req.cmd) {
    case Cmd::Hello: return cmdHello(req);
    case Cmd::Auth: return cmdAuth(req);
    case Cmd::Ping: return reply("OK PONG");
    case Cmd::Quit:
      reply("OK BYE");
      return closeAfterFlush();
    case Cmd::Get: return cmdGet(req);
    case Cmd::List: return cmdList(req);
    case Cmd::Set: return cmdSet(req);
    case Cmd::Del: return cmdDel(req);
    case Cmd::Watch: return cmdWatch(req);
    case Cmd::Stats: return cmdStats(req);
    case Cmd::Debug: return cmdDebug(req);
    case Cmd::History: return cmdHistory(req);
    case Cmd::Report: return cmdReport(req);
  }
}

bool Session::needs(access::Level level, const std::string& name) {
  if (!authenticated()) {
    replyError(proto::Errc::NeedAuth, "AUTH first");
    return false;
  }
  if (grant_.levelFor(name) < level) {
    replyError(proto::Errc::Denied, std::string(level == access::Level::Rw ? "no write" : "no read") +
                                        " access to '" + name + "'");
    return false;
  }
  return true;
}

// An access entry's NAME, proven by a secret or a certificate, wins over the name a client
// gives itself in HELLO, which is only a claim; without either, the client's address.
std::string Session::origin() const {
  const std::string& n = grant_.name();
  if (!n.empty()) return n;
  return client_.empty() ? peer_ : client_;
}

void Session::cmdHello(const proto::Request& req) {
  if (!req.client.empty()) client_ = req.client;
  const char* auth = !server_.accessFile() ? "none" : authenticated() ? "done" : "required";
  std::string line = "OK ";
  proto::appendWord(line, server_.config().program);
  line += " ";
  line += kVersion;
  line += " proto " + std::to_string(kProtocolVersion) + " auth " + auth;
  reply(line);
}

void Session::cmdAuth(const proto::Request& req) {
  const access::AccessFile* af = server_.accessFile();
  if (!af) {
    reply("OK rw {}");
    return;
  }
  if (!loopback_ && transport_ == Transport::Tcp && !server_.config().insecureAuth) {
    FAIL_LOG(accessFac(), Warning) << peer_ << ": AUTH refused on a plain non-loopback listener";
    replyError(proto::Errc::Denied,
               "AUTH over plain TCP on a non-loopback listener would send the secret in the "
               "clear: use TLS or a Unix socket, or start faild with --insecure-auth");
    return;
  }
  // Wrong secrets are throttled per client address (AuthThrottle): this AUTH is
  // checked in its turn, and refused unchecked when that is too far away.
  Micros now = steadyNow();
  std::optional<Micros> turn = server_.authThrottle().turn(peer_, now);
  waiting_ = true;  // nothing more is read from this connection until it is answered
  if (!turn) {
    ++server_.counters().authThrottled;
    server_.logLimited(Server::Noise::Denied, accessFac(), log::Level::Notice,
                       "+denied peer=" + peer_ + " reason=\"too many wrong secrets\"");
    after(static_cast<Micros>(server_.config().authDelayMs) * 1000, [](Session& s) {
      s.replyError(proto::Errc::Denied, "too many wrong secrets from " + s.peer_ +
                                            "; try again later");
      s.resume();
    });
    return;
  }
  pendingSecret_ = req.secret;
  if (*turn > now) {
    after(*turn - now, [](Session& s) { s.checkSecret(); });
    return;
  }
  checkSecret();
}

void Session::checkSecret() {
  std::string secret;
  secret.swap(pendingSecret_);
  const access::AccessFile* af = server_.accessFile();
  auto g = af ? af->authenticate(secret) : std::optional<access::Grant>(access::Grant::full());
  std::fill(secret.begin(), secret.end(), '\0');
  if (!g) {
    Micros now = steadyNow();
    Micros answerAt = server_.authThrottle().failed(peer_, now);
    ++server_.counters().wrongSecrets;
    server_.logLimited(Server::Noise::Denied, accessFac(), log::Level::Notice,
                       "+denied peer=" + peer_ + " reason=\"wrong secret\"");
    // The session reads nothing meanwhile.
    after(answerAt - now, [](Session& s) {
      s.replyError(proto::Errc::Denied, "wrong secret");
      s.resume();
    });
    return;
  }
  grant_ = std::move(*g);
  std::string line = "OK ";
  line += grant_.best() == access::Level::Rw ? "rw " : "ro ";
  proto::appendWord(line, grant_.name());
  FAIL_LOG(accessFac(), Info) << peer_ << ": authenticated as '" << grant_.name() << "'";
  reply(line);
  resume();
}

void Session::cmdGet(const proto::Request& req) {
  if (!needs(access::Level::Ro, req.name)) return;
  const state::Version* v = server_.store().get(req.name);
  if (!v) return replyError(proto::Errc::NotFound, "no record '" + req.name + "'");
  replyWith("OK ", v->word());  // the word as the version holds it: nothing is encoded
}

void Session::cmdList(const proto::Request& req) {
  if (!authenticated()) return replyError(proto::Errc::NeedAuth, "AUTH first");
  startDump(Dump::list(server_.store(), req.pattern, grant_));
}

void Session::cmdSet(const proto::Request& req) {
  if (!needs(access::Level::Rw, req.name)) return;
  if (req.at && *req.at > wallNow() + 10'000'000)
    return replyError(proto::Errc::Args, "at= lies more than 10 s in the future");
  const state::Version* old = req.attrs.empty() ? nullptr : server_.store().get(req.name);
  if (old) {  // (without new attributes the count cannot grow)
    state::Attrs merged = old->attrs();
    for (const auto& [k, v] : req.attrs) state::mergeAttr(merged, k, v);
    if (merged.size() > proto::kMaxAttrs)
      return replyError(proto::Errc::Args, "'" + req.name + "' would have more than " +
                                               std::to_string(proto::kMaxAttrs) + " attributes");
  }
  state::SetInput in;
  in.name = req.name;
  in.state = req.state;
  in.ttlMs = req.ttlMs;
  in.note = req.note;
  in.at = req.at;
  in.attrs = req.attrs;
  in.origin = origin();
  std::uint64_t serial = 0;
  // The reply waits for durability in its place; later changes are taken meanwhile.
  std::uint64_t seq = holdAnswer();
  auto self = self_;
  auto kind = server_.store().set(
      std::move(in), wallNow(), steadyNow(),
      [self, seq](bool ok, std::uint64_t serial, const std::string& error) {
        if (Session* s = *self) s->answerChange(seq, ok, serial, error, "OK CHANGE ", "change");
      },
      serial);
  if (kind == state::Store::SetKind::Refresh) answer(seq, serialLine("OK REFRESH ", serial));
}

void Session::answerChange(std::uint64_t seq, bool ok, std::uint64_t serial,
                           const std::string& error, const char* okWord, const char* what) {
  if (ok) return answer(seq, serialLine(okWord, serial));
  ++server_.counters().errors;
  answer(seq, proto::formatError({proto::Errc::Storage,
                                  std::string("the ") + what + " (serial " + std::to_string(serial) +
                                      ") could not be stored and was not made: " + error}));
}

void Session::cmdDel(const proto::Request& req) {
  if (!needs(access::Level::Rw, req.name)) return;
  std::uint64_t seq = holdAnswer();
  auto self = self_;
  bool found = server_.store().del(
      req.name, wallNow(), [self, seq](bool ok, std::uint64_t serial, const std::string& error) {
        if (Session* s = *self) s->answerChange(seq, ok, serial, error, "OK DELETED ", "deletion");
      });
  if (!found) {
    ++server_.counters().errors;
    answer(seq, proto::formatError({proto::Errc::NotFound, "no record '" + req.name + "'"}));
  }
}

void Session::cmdWatch(const proto::Request& req) {
  if (!authenticated()) return replyError(proto::Errc::NeedAuth, "AUTH first");
  state::Store& store = server_.store();
  if (!req.since) return startDump(Dump::watch(store, req.pattern, grant_));
  if (!store.changesSince(*req.since, [](const state::Published&) {}))
    return replyError(proto::Errc::Gone,
                      "changes after serial " + std::to_string(*req.since) +
                          " are no longer held (history from " +
                          std::to_string(store.historyBase()) + " to " +
                          std::to_string(store.publishedSerial()) + "): WATCH again without since=");
  startDump(Dump::watchSince(store, req.pattern, grant_, *req.since));
}

void Session::cmdStats(const proto::Request&) {
  if (!authenticated() || grant_.best() < access::Level::Ro)
    return replyError(proto::Errc::NeedAuth, "AUTH first");
  reply("OK " + server_.stats());
}

void Session::cmdDebug(const proto::Request& req) {
  if (!authenticated()) return replyError(proto::Errc::NeedAuth, "AUTH first");
  if (!grant_.canDebug()) return replyError(proto::Errc::Denied, "DEBUG needs RW on *");
  if (req.facility.empty()) {
    std::string line = "OK";
    for (const auto& [name, level] : log::facilities()) {
      proto::appendElement(line, name);
      proto::appendElement(line, log::levelName(level));
    }
    return reply(line);
  }
  log::Level level;
  if (!log::parseLevel(req.level, level))
    return replyError(proto::Errc::Args, "level '" + printable(req.level) +
                                             "': err, warning, notice, info or debug");
  if (!log::setLevel(req.facility, level))
    return replyError(proto::Errc::Args, "no facility '" + printable(req.facility) + "'");
  FAIL_LOG(log::facility("main"), Notice)
      << "facility " << req.facility << " set to " << log::levelName(level) << " by " << peer_;
  std::string line = "OK";
  proto::appendElement(line, req.facility);
  proto::appendElement(line, log::levelName(level));
  reply(line);
}

}  // namespace fail::server

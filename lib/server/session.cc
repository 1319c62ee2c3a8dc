// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "server/session.hh"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "base/log.hh"
#include "base/text.hh"
#include "server/server.hh"

namespace fail::server {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("proto");
  return f;
}

timeval toTimeval(Micros us) {
  return timeval{static_cast<time_t>(us / 1'000'000), static_cast<suseconds_t>(us % 1'000'000)};
}

std::string seconds(int ms) {
  return ms % 1000 ? std::to_string(ms) + " ms" : std::to_string(ms / 1000) + " s";
}

}  // namespace

Session::Session(Server& server, bufferevent* bev, Transport transport, bool loopback,
                 std::string peer)
    : server_(server),
      bev_(bev),
      transport_(transport),
      loopback_(loopback),
      peer_(std::move(peer)),
      tlsReady_(transport != Transport::Tls),
      self_(std::make_shared<Session*>(this)) {}

Session::~Session() {
  *self_ = nullptr;
  if (watching_) server_.removeWatcher(this);
  if (readEv_) event_free(readEv_);
  if (bev_) bufferevent_free(bev_);
}

void Session::start() {
  accepted_ = lastRequest_ = steadyNow();
  const access::AccessFile* af = server_.accessFile();
  if (!af) {
    grant_ = access::Grant::full();
  } else if (transport_ == Transport::Unix) {
    // SO_PEERCRED: root and the daemon's own user need no secret.
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(bufferevent_getfd(bev_), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
        (cred.uid == 0 || cred.uid == getuid()))
      grant_ = access::Grant::full();
  } else if (transport_ == Transport::Tls) {
    // The handshake has not finished yet; the grant by certificate is looked at on the
    // first request (see handle()).
  }
  const ServerConfig& c = server_.config();
  bufferevent_setcb(bev_, onReadCb, onWriteCb, onEventCb, this);
  // Back-pressure (TLS): libevent stops reading once a window of input waits that
  // in_ has no room for.
  bufferevent_setwatermark(bev_, EV_READ, 0, kInputWindow);
  // The write callback fires when the output has drained to kOutLow.
  bufferevent_setwatermark(bev_, EV_WRITE, kOutLow, 0);
  timeval send = toTimeval(static_cast<Micros>(c.sendTimeoutMs) * 1000);
  bufferevent_set_timeouts(bev_, nullptr, c.sendTimeoutMs > 0 ? &send : nullptr);
  // TLS writes through the bufferevent; plain sockets are written by flush(), with
  // EV_WRITE enabled only while bytes remain that the socket did not take (a new
  // bufferevent has EV_WRITE enabled).
  // Plain sockets are read by readSocket(), not by the bufferevent.
  if (directWrite()) {
    bufferevent_disable(bev_, EV_READ | EV_WRITE);
    readEv_ = event_new(server_.base(), bufferevent_getfd(bev_), EV_READ | EV_PERSIST,
                        onReadableCb, this);
    if (!readEv_) throw std::runtime_error("event_new failed");
    watchInput();
  } else {
    bufferevent_enable(bev_, EV_READ | EV_WRITE);
  }
}

size_t Session::inputLimit() const { return server_.config().maxLine + kInputWindow; }

void Session::readSocket() {
  size_t room = inputLimit() - std::min(in_.size(), inputLimit());
  if (room == 0) return stopReading();  // watched again once handled (watchInput)
  // One recv() of what is there: no FIONREAD first (as libevent's reading does), and
  // no buffer chain allocated per request.
  char buf[16384];
  ssize_t n = ::recv(bufferevent_getfd(bev_), buf, std::min(room, sizeof buf), 0);
  if (n > 0) {
    in_.append(buf, static_cast<size_t>(n));
  } else if (n == 0) {
    stopReading();
    endOfInput();
  } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    FAIL_LOG(fac(), Debug) << peer_ << ": read: " << std::strerror(errno);
    close();
  }
}

bool Session::takeTlsInput() {
  evbuffer* in = bufferevent_get_input(bev_);
  size_t room = inputLimit() - std::min(in_.size(), inputLimit());
  size_t n = std::min(room, evbuffer_get_length(in));
  if (n == 0) return false;
  size_t have = in_.size();
  in_.resize(have + n);
  evbuffer_remove(in, in_.data() + have, n);  // the bufferevent reads on below its watermark
  return true;
}

void Session::watchInput() {
  if (!readEv_ || reading_ || eof_ || closing_ || in_.size() >= inputLimit()) return;
  event_add(readEv_, nullptr);
  reading_ = true;
}

void Session::stopReading() {
  if (!reading_) return;
  event_del(readEv_);
  reading_ = false;
}

void Session::endOfInput() {
  // Half-close: answer what was received, then close (issue 10 item 8).
  eof_ = true;
  if (!tlsReady_ || closing_) return close();
  processInput();
}

bool Session::directWrite() const { return transport_ != Transport::Tls; }

void Session::flush() {
  if (!bev_ || !directWrite()) return;
  evbuffer* out = bufferevent_get_output(bev_);
  size_t have = evbuffer_get_length(out);
  bool writing = bufferevent_get_enabled(bev_) & EV_WRITE;
  if (have == 0) {
    if (writing) bufferevent_disable(bev_, EV_WRITE);
    return;
  }
  // A socket bufferevent keeps the start of its output frozen but while it writes
  // itself; this write does the same. An error is left for the bufferevent to meet
  // again and report (onEventCb).
  evbuffer_unfreeze(out, 1);
  int n = evbuffer_write(out, bufferevent_getfd(bev_));
  evbuffer_freeze(out, 1);
  if (evbuffer_get_length(out) == 0) {
    if (writing) bufferevent_disable(bev_, EV_WRITE);
    return;
  }
  // Bytes remain: libevent writes them when the socket has room. Enabling again restarts
  // the send timeout, so only when this write made progress (or it was off).
  if (!writing || n > 0) bufferevent_enable(bev_, EV_WRITE);
}

void Session::onReadCb(bufferevent*, void* arg) noexcept {
  auto* s = static_cast<Session*>(arg);
  try {
    s->tlsReady_ = true;  // data came through: the handshake is over
    s->processInput();
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << s->peer_ << ": internal error: " << e.what();
    s->close();
  }
}

void Session::onReadableCb(evutil_socket_t, short, void* arg) noexcept {
  auto* s = static_cast<Session*>(arg);
  try {
    s->readSocket();
    if (!s->closing_ && !s->eof_) s->processInput();  // (an end was handled already)
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << s->peer_ << ": internal error: " << e.what();
    s->close();
  }
}

void Session::onWriteCb(bufferevent*, void* arg) noexcept {
  auto* s = static_cast<Session*>(arg);
  try {
    if (s->closing_) {
      if (s->outputLength() == 0) s->close();
      return;
    }
    if (s->dump_) {
      s->pumpDump();
      // Writes it; with a plain socket that took it all, pumps on (EV_WRITE is off then).
      if (!s->closing_) s->processInput();
    } else if (!s->waiting_) {
      s->processInput();  // it may have stopped on a full output
    } else {
      s->flush();
    }
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << s->peer_ << ": internal error: " << e.what();
    s->close();
  }
}

void Session::onEventCb(bufferevent*, short what, void* arg) noexcept {
  auto* s = static_cast<Session*>(arg);
  try {
    if (what & BEV_EVENT_CONNECTED) {
      s->tlsReady_ = true;
      return;
    }
    if (what & BEV_EVENT_ERROR) {
      if (s->transport_ == Transport::Tls) {
        unsigned long e = bufferevent_get_openssl_error(s->bev_);
        if (e) {
          char buf[256];
          ERR_error_string_n(e, buf, sizeof buf);
          FAIL_LOG(log::facility("tls"), Info) << s->peer_ << ": TLS: " << buf;
        }
      }
      return s->close();
    }
    if (what & BEV_EVENT_TIMEOUT) {
      // Only a write timeout is set: the output made no progress for --send-timeout
      // (or for 5 s after the session began closing).
      if (s->closing_) return s->close();
      ++s->server_.counters().slowClients;
      return s->cutOff("no reply was read for " + seconds(s->server_.config().sendTimeoutMs));
    }
    if (what & BEV_EVENT_EOF) s->endOfInput();
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << s->peer_ << ": internal error: " << e.what();
    s->close();
  }
}

size_t Session::outputLength() const { return evbuffer_get_length(bufferevent_get_output(bev_)); }

void Session::processInput() {
  for (;;) {
    if (!directWrite()) takeTlsInput();
    bool full = handleLines();
    // TLS: what the bufferevent holds beyond in_'s room is taken as in_ empties (no
    // read callback may come for it).
    while (!closing_ && !full && !directWrite() && takeTlsInput()) full = handleLines();
    if (closing_) return;
    flush();
    // Go on only while the socket took every byte: with a dump, or with the requests
    // left behind a full output. Otherwise the write callback comes back.
    if (!directWrite() || waiting_ || outputLength() > 0) break;
    if (dump_) {
      inRequest_ = true;  // a finished dump's resume() must not re-enter this loop
      pumpDump();
      inRequest_ = false;
      if (closing_) return;
      continue;
    }
    if (!full) break;
  }
  watchInput();
  finishIfDone();
}

bool Session::handleLines() {
  const size_t maxLine = server_.config().maxLine;
  const size_t have = in_.size();
  // The input (at most --max-line plus the window), consumed once at the end.
  const char* data = in_.data();
  size_t used = 0;
  bool consumed = false, full = false;
  Micros now = 0;
  // Held replies (changes in flight and the replies behind them) are bounded too.
  while (!waiting_ && !closing_ && !dump_ && !drainWait_ && answers_.size() < kMaxInFlight) {
    if (outputLength() >= kOutHigh) {
      full = true;
      break;
    }
    const void* nl = used < have ? std::memchr(data + used, '\n', have - used) : nullptr;
    if (!nl) {
      if (have - used > maxLine) {
        if (!discarding_)
          replyError(proto::Errc::TooLong, "request line longer than " +
                                               std::to_string(maxLine) + " bytes; skipped");
        discarding_ = true;
        used = have;
      }
      break;
    }
    size_t len = static_cast<size_t>(static_cast<const char*>(nl) - (data + used));
    std::string_view line(data + used, len);
    if (discarding_ || len > maxLine) {
      if (!discarding_)
        replyError(proto::Errc::TooLong, "request line longer than " +
                                             std::to_string(maxLine) + " bytes; skipped");
      discarding_ = false;
      used += len + 1;
      consumed = true;
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!handleLine(line)) break;
    used += len + 1;
    consumed = true;
    if (!now) now = steadyNow();
    lastRequest_ = now;
  }
  if (used) in_.erase(0, used);
  if (closing_) return full;
  if (in_.empty() && !discarding_)
    lineStarted_ = 0;
  else if (lineStarted_ == 0 || consumed)
    lineStarted_ = steadyNow();
  return full;
}

void Session::finishIfDone() {
  if (!eof_ || closing_ || waiting_ || dump_ || !answers_.empty()) return;
  if (in_.find('\n') != std::string::npos) return;  // more requests, once the output has drained
  in_.clear();  // an unfinished last line is dropped
  closeAfterFlush();
}

bool Session::handleLine(std::string_view line) {
  proto::Request req;
  proto::Error err;
  bool ok = proto::parseRequest(line, req, err);
  // Behind changes in flight only further changes are taken (pipelining); anything else
  // waits until they are answered, so that it sees them durable.
  if (!answers_.empty() && !(ok && (req.cmd == proto::Cmd::Set || req.cmd == proto::Cmd::Del))) {
    drainWait_ = true;
    return false;
  }
  ++server_.counters().requests;
  if (!ok) {
    FAIL_LOG(fac(), Debug) << peer_ << ": bad request: " << err.message;
    replyError(err.code, err.message);
    return true;
  }
  inRequest_ = true;
  handle(req);
  inRequest_ = false;
  return true;
}

void Session::reply(std::string_view line) {
  if (!answers_.empty()) {
    Answer& a = answers_.emplace_back();
    a.ready = true;
    a.line.reserve(line.size() + 1);
    a.line.append(line).push_back('\n');
    return;
  }
  addLine(line, {});
}

void Session::addLine(std::string_view head, std::string_view body) {
  evbuffer* out = bufferevent_get_output(bev_);
  evbuffer_expand(out, head.size() + body.size() + 1);
  evbuffer_add(out, head.data(), head.size());
  if (!body.empty()) evbuffer_add(out, body.data(), body.size());
  evbuffer_add(out, "\n", 1);
}

void Session::replyWith(std::string_view head, std::string_view body) {
  if (!answers_.empty()) {
    std::string line;
    line.reserve(head.size() + body.size());
    line.append(head).append(body);
    return reply(line);
  }
  addLine(head, body);
}

std::uint64_t Session::holdAnswer() {
  answers_.emplace_back();
  return answersBase_ + answers_.size() - 1;
}

void Session::answer(std::uint64_t seq, std::string_view line) {
  // Nothing held (a cut-off session dropped its held replies): nothing to answer.
  if (answers_.empty() || seq < answersBase_ || seq - answersBase_ >= answers_.size()) return;
  Answer& a = answers_[seq - answersBase_];
  if (a.ready) return;
  a.ready = true;
  evbuffer* out = bufferevent_get_output(bev_);
  if (seq == answersBase_) {  // the first held: written at once, not kept
    addLine(line, {});
    answers_.pop_front();
    ++answersBase_;
  } else {
    a.line.reserve(line.size() + 1);
    a.line.append(line).push_back('\n');
  }
  while (!answers_.empty() && answers_.front().ready) {
    evbuffer_add(out, answers_.front().line.data(), answers_.front().line.size());
    answers_.pop_front();
    ++answersBase_;
  }
  if (answers_.empty()) drainWait_ = false;
  if (!inRequest_) server_.wake(this);
}

void Session::wake() {
  if (!closing_) processInput();
}

void Session::replyError(proto::Errc code, const std::string& message) {
  ++server_.counters().errors;
  reply(proto::formatError({code, message}));
}

void Session::deliver(const std::string& name, std::string_view line) {
  if (closing_ || !globMatchStrings(watchPattern_, name)) return;
  if (grant_.levelFor(name) < access::Level::Ro) return;
  if (outputLength() > server_.config().watchBuffer) {
    ++server_.counters().slowWatchers;
    server_.logLimited(Server::Noise::Slow, log::facility("watch"), log::Level::Warning,
                       "+slow watcher=" + peer_ + " pending=" + std::to_string(outputLength()) +
                           " limit=" + std::to_string(server_.config().watchBuffer) +
                           ": disconnected");
    replyError(proto::Errc::Slow, "watcher fell more than " +
                                      std::to_string(server_.config().watchBuffer) +
                                      " bytes behind; disconnected");
    closeAfterFlush();
    return;
  }
  evbuffer_add(bufferevent_get_output(bev_), line.data(), line.size());
  flush();
}

void Session::startDump(Dump d) {
  dump_.emplace(std::move(d));
  pumpDump();
}

void Session::pumpDump() {
  size_t have = outputLength();
  if (!dump_ || closing_ || have >= kOutHigh) return;  // the write callback comes back
  std::string chunk;
  Dump::Status st = dump_->pump(server_.store(), chunk, kOutHigh - have);
  evbuffer_add(bufferevent_get_output(bev_), chunk.data(), chunk.size());
  if (st == Dump::Status::More) return;
  Dump d = std::move(*dump_);
  dump_.reset();
  if (st == Dump::Status::Gone) {
    ++server_.counters().slowWatchers;
    return cutOff("changes went out of the history while this WATCH was catching up; WATCH "
                  "again");
  }
  if (d.kind() == Dump::Kind::Watch) {
    // Caught up within this slice: no change can have been published in between.
    watching_ = true;
    watchPattern_ = d.pattern();
    server_.addWatcher(this);
    FAIL_LOG(log::facility("watch"), Info) << peer_ << ": watching '" << watchPattern_ << "'";
  }
  resume();
}

void Session::checkDeadlines(Micros now) {
  if (closing_) return;
  const ServerConfig& c = server_.config();
  auto passed = [&](Micros since, int ms) { return ms > 0 && since && now - since > ms * 1000LL; };
  if (!tlsReady_) {
    if (passed(accepted_, c.handshakeTimeoutMs)) {
      ++server_.counters().timeouts;
      server_.logLimited(Server::Noise::Slow, log::facility("tls"), log::Level::Notice,
                         "+timeout peer=" + peer_ + " reason=\"TLS handshake not done within " +
                             seconds(c.handshakeTimeoutMs) + "\"");
      close();
    }
    return;
  }
  // Waiting on faild itself (a sync, an AUTH turn, a full output): not the client's fault.
  if (waiting_ || dump_ || !answers_.empty() || outputLength() >= kOutHigh) return;
  if (passed(lineStarted_, c.requestTimeoutMs)) {
    ++server_.counters().timeouts;
    return cutOff("request line not finished within " + seconds(c.requestTimeoutMs));
  }
  if (server_.accessFile() && !authenticated() && passed(lastRequest_, c.idleTimeoutMs)) {
    ++server_.counters().timeouts;
    return cutOff("no request for " + seconds(c.idleTimeoutMs) + " without AUTH");
  }
}

void Session::cutOff(const std::string& why) {
  if (closing_) return;
  server_.logLimited(Server::Noise::Slow, fac(), log::Level::Notice,
                     "+cut peer=" + peer_ + " reason=\"" + why + "\"");
  // A LIST line partly sent is ended so that ERR SLOW stands on a line of its own.
  if (dump_ && dump_->kind() == Dump::Kind::List) reply("");
  dump_.reset();
  // Replies held behind changes in flight are dropped: ERR SLOW is the last line.
  answersBase_ += answers_.size();
  answers_.clear();
  replyError(proto::Errc::Slow, why + "; disconnected");
  closeAfterFlush();
}

void Session::closeAfterFlush() {
  closing_ = true;
  bufferevent_disable(bev_, EV_READ);
  stopReading();
  flush();
  if (outputLength() == 0) {
    close();
    return;
  }
  // A peer that never reads must not keep us forever.
  timeval tv{5, 0};
  bufferevent_set_timeouts(bev_, nullptr, &tv);
  bufferevent_enable(bev_, EV_WRITE);  // a write timeout disabled it
}

void Session::close() {
  if (!bev_) return;
  bufferevent_disable(bev_, EV_READ | EV_WRITE);
  stopReading();
  if (watching_) {
    server_.removeWatcher(this);
    watching_ = false;
  }
  closing_ = true;
  dump_.reset();
  server_.retire(this);
}

void Session::resume() {
  waiting_ = false;
  if (!inRequest_ && !closing_) processInput();
}

void Session::after(Micros delay, void (*fn)(Session&)) {
  struct Call {
    std::shared_ptr<Session*> self;
    void (*fn)(Session&);
  };
  auto* call = new Call{self_, fn};
  timeval tv = toTimeval(delay > 0 ? delay : 0);
  int rc = event_base_once(
      server_.base(), -1, EV_TIMEOUT,
      [](evutil_socket_t, short, void* arg) {
        std::unique_ptr<Call> c(static_cast<Call*>(arg));
        Session* s = *c->self;
        if (!s) return;
        try {
          c->fn(*s);
        } catch (const std::exception& e) {
          FAIL_LOG(fac(), Err) << s->peer_ << ": internal error: " << e.what();
          s->close();
        }
      },
      call, &tv);
  if (rc != 0) delete call;
}

}  // namespace fail::server

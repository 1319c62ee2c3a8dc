// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "server/server.hh"

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "base/log.hh"
#include "history/writer.hh"
#include "proto/list.hh"
#include "proto/request.hh"
#include "server/session.hh"

namespace fail::server {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("main");
  return f;
}

// Reads an access file; its secrets never reach the log.
access::AccessFile loadAccess(const std::string& path) {
  access::AccessFile af = access::AccessFile::load(path);
  for (const auto& e : af.entries()) log::redact(e.secret);
  return af;
}

constexpr Micros kTick = 100'000;  // ttl resolution and housekeeping check

}  // namespace

Server::Server(ev::Loop& loop, ServerConfig config, state::Store& store)
    : loop_(loop), base_(loop.base()), config_(std::move(config)), store_(store) {
  AuthThrottle::Options ao;
  ao.baseDelay = static_cast<Micros>(config_.authDelayMs) * 1000;
  ao.maxDelay = std::max<Micros>(ao.baseDelay, static_cast<Micros>(config_.authMaxDelayMs) * 1000);
  authThrottle_ = AuthThrottle(ao);
  Micros interval = static_cast<Micros>(config_.logIntervalMs) * 1000;
  budgets_[static_cast<int>(Noise::Refused)] = {LogBudget(interval), &log::facility("main"),
                                                log::Level::Warning, "clients refused"};
  budgets_[static_cast<int>(Noise::Accept)] = {LogBudget(interval), &log::facility("main"),
                                               log::Level::Warning, "accept errors"};
  budgets_[static_cast<int>(Noise::Denied)] = {LogBudget(interval), &log::facility("access"),
                                               log::Level::Notice, "AUTHs denied"};
  budgets_[static_cast<int>(Noise::Slow)] = {LogBudget(interval), &log::facility("proto"),
                                             log::Level::Notice, "clients cut off"};
  budgets_[static_cast<int>(Noise::History)] = {LogBudget(interval), &log::facility("history"),
                                                log::Level::Warning, "history questions failed"};
  // Register the facilities now so DEBUG lists them before they first log.
  for (const char* f : {"main", "proto", "store", "access", "watch", "tls"}) log::facility(f);
  if (!config_.accessFile.empty()) access_ = loadAccess(config_.accessFile);
  bool anyTls = false;
  for (const auto& l : config_.listens) {
    anyTls |= l.tls;
    if (l.kind == net::ListenSpec::Kind::Tcp && !access_) {
      if (!net::isLoopback(l))
        throw std::runtime_error(
            "listen " + l.text +
            ": a listener that is not on loopback needs an access file (-c FILE); without "
            "one every client would have full access");
    }
  }
  if (anyTls) tlsCtx_ = net::makeServerContext(config_.tls);
}

Server::~Server() { sessions_.clear(); }

void Server::start() {
  started_ = steadyNow();
  for (const auto& spec : config_.listens) {
    auto b = std::make_unique<Bound>();
    b->server = this;
    b->listener = net::bindListener(spec);
    b->ev.reset(event_new(base_, b->listener.fd.get(), EV_READ | EV_PERSIST, onAcceptCb, b.get()));
    event_add(b->ev.get(), nullptr);
    FAIL_LOG(fac(), Notice) << "listening on " << b->listener.bound
                            << (b->listener.loopback ? "" : " (not loopback)");
    listeners_.push_back(std::move(b));
  }
  store_.addListener(this);
  timer_.reset(event_new(base_, -1, EV_PERSIST, onTimerCb, this));
  timeval tv{0, static_cast<suseconds_t>(kTick)};
  event_add(timer_.get(), &tv);
  if (state::Journal* j = store_.journal()) {
    journalEv_.reset(event_new(base_, j->completionFd(), EV_READ | EV_PERSIST, onJournalCb, this));
    event_add(journalEv_.get(), nullptr);
  }
  resumeAcceptEv_.reset(event_new(base_, -1, 0, onResumeAcceptCb, this));
}

void Server::stop() {
  resumeAcceptEv_.reset();
  listeners_.clear();
  timer_.reset();
  watchers_.clear();
  woken_.clear();
  sessions_.clear();
  store_.flush();
  journalEv_.reset();
  store_.removeListener(this);
}

std::string Server::reloadAccess() {
  if (config_.accessFile.empty()) return {};
  try {
    access_ = loadAccess(config_.accessFile);
    FAIL_LOG(fac(), Notice) << "reloaded " << config_.accessFile << " ("
                            << access_->entries().size() << " entries)";
    return {};
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "reload kept the old access rules: " << e.what();
    return e.what();
  }
}

std::vector<std::string> Server::boundAddresses() const {
  std::vector<std::string> out;
  for (const auto& b : listeners_) out.push_back(b->listener.bound);
  return out;
}

void Server::onAcceptCb(evutil_socket_t, short, void* arg) noexcept {
  auto* b = static_cast<Bound*>(arg);
  try {
    b->server->accept(*b);
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "accept: " << e.what();
  }
}

void Server::accept(Bound& b) {
  for (int i = 0; i < 64 && !acceptPaused_; ++i) {
    int fd = ::accept4(b.listener.fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM)
        return pauseAccepting(b, err);
      if (err != EAGAIN && err != EWOULDBLOCK && err != EINTR && err != ECONNABORTED)
        logLimited(Noise::Accept, log::facility("main"), log::Level::Warning,
                   "accept on " + b.listener.bound + ": " + std::strerror(err));
      return;
    }
    ++counters_.connections;
    if (sessions_.size() >= config_.maxClients) {
      refuse(fd, "too many clients (" + std::to_string(config_.maxClients) + ")");
      continue;
    }
    std::string peer = "unix";
    std::string limitKey;
    if (b.listener.spec.kind != net::ListenSpec::Kind::Unix) {
      peer = net::peerName(fd);
      size_t limit = net::peerIsLoopback(fd) ? config_.maxPerLoopback : config_.maxPerAddress;
      if (limit > 0 && peer != "?") {  // "?": already gone; nothing to count
        limitKey = peer;
        auto it = perAddress_.find(peer);
        if (it != perAddress_.end() && it->second >= limit) {
          refuse(fd, "too many connections from " + peer + " (" + std::to_string(limit) + ")");
          continue;
        }
      }
    }
    Session::Transport transport = Session::Transport::Tcp;
    bufferevent* bev;
    if (b.listener.spec.kind == net::ListenSpec::Kind::Unix) {
      transport = Session::Transport::Unix;
      bev = bufferevent_socket_new(base_, fd, BEV_OPT_CLOSE_ON_FREE);
    } else {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (b.listener.spec.tls) {
        transport = Session::Transport::Tls;
        SSL* ssl = SSL_new(tlsCtx_.get());
        bev = bufferevent_openssl_socket_new(base_, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                             BEV_OPT_CLOSE_ON_FREE);
      } else {
        bev = bufferevent_socket_new(base_, fd, BEV_OPT_CLOSE_ON_FREE);
      }
    }
    if (!bev) {
      ::close(fd);
      continue;
    }
    sessions_.push_back(
        std::make_unique<Session>(*this, bev, transport, b.listener.loopback, std::move(peer)));
    Session& s = *sessions_.back();
    if (!limitKey.empty()) {
      ++perAddress_[limitKey];
      s.limitKey() = std::move(limitKey);
    }
    FAIL_LOG(log::facility("proto"), Debug) << "client " << s.peer() << " on " << b.listener.bound;
    s.start();
  }
}

void Server::refuse(int fd, const std::string& why) {
  ++counters_.refused;
  std::string msg = proto::formatError({proto::Errc::Busy, why}) + "\n";
  (void)!::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::close(fd);
  logLimited(Noise::Refused, log::facility("main"), log::Level::Warning, "refused a client: " + why);
}

void Server::pauseAccepting(const Bound& b, int err) {
  // Out of descriptors (or memory): the pending connection stays in the backlog and the
  // listener would be ready again at once. Stop listening for a while instead of
  // spinning; sessions that end meanwhile free descriptors.
  ++counters_.acceptPauses;
  logLimited(Noise::Accept, log::facility("main"), log::Level::Warning,
             "accept on " + b.listener.bound + ": " + std::strerror(err) + "; accepting nothing for " +
                 std::to_string(config_.acceptPauseMs) + " ms");
  acceptPaused_ = true;
  for (auto& l : listeners_) event_del(l->ev.get());
  timeval tv{config_.acceptPauseMs / 1000, static_cast<suseconds_t>(config_.acceptPauseMs % 1000) * 1000};
  event_add(resumeAcceptEv_.get(), &tv);
}

void Server::onResumeAcceptCb(evutil_socket_t, short, void* arg) noexcept {
  auto* self = static_cast<Server*>(arg);
  self->acceptPaused_ = false;
  for (auto& l : self->listeners_) event_add(l->ev.get(), nullptr);
}

void Server::logLimited(Noise kind, log::Facility& fac, log::Level level, const std::string& line) {
  Budget& b = budgets_[static_cast<int>(kind)];
  if (b.budget.note(steadyNow()) && log::enabled(fac, level)) log::Line(fac, level) << line;
}

void Server::flushLogBudgets(Micros now) {
  for (Budget& b : budgets_) {
    if (!b.fac) continue;
    std::uint64_t n = b.budget.due(now);
    if (n && log::enabled(*b.fac, b.level))
      log::Line(*b.fac, b.level) << "+limited " << n << " more " << b.what << " in the last "
                                 << b.budget.interval() / 1'000'000 << " s (not logged one by one)";
  }
}

void Server::retire(Session* s) {
  if (s->woken()) {
    woken_.erase(std::find(woken_.begin(), woken_.end(), s));
    s->woken() = false;
  }
  if (!s->limitKey().empty()) {
    auto c = perAddress_.find(s->limitKey());
    if (c != perAddress_.end() && --c->second == 0) perAddress_.erase(c);
    s->limitKey().clear();
  }
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->get() == s) {
      loop_.deleteLater(std::move(*it));
      sessions_.erase(it);
      break;
    }
  }
}

void Server::onTimerCb(evutil_socket_t, short, void* arg) noexcept {
  try {
    static_cast<Server*>(arg)->tick();
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "timer: " << e.what();
  }
}

void Server::tick() {
  Micros now = steadyNow();
  store_.expire(wallNow(), now);
  if (now - lastHousekeeping_ >= 1'000'000) {
    lastHousekeeping_ = now;
    store_.housekeeping();
    authThrottle_.expire(now);
  }
  // Deadlines of every session; one that is cut off leaves sessions_: iterate a copy.
  std::vector<Session*> all;
  all.reserve(sessions_.size());
  for (auto& s : sessions_) all.push_back(s.get());
  for (Session* s : all) s->checkDeadlines(now);
  flushLogBudgets(now);
}

void Server::onJournalCb(evutil_socket_t, short, void* arg) noexcept {
  auto* self = static_cast<Server*>(arg);
  try {
    self->completing_ = true;
    self->store_.journal()->runCompletions();
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "journal completion: " << e.what();
  }
  self->completing_ = false;
  std::vector<Session*> woken;
  woken.swap(self->woken_);
  for (Session* s : woken) {
    s->woken() = false;
    try {
      s->wake();
    } catch (const std::exception& e) {
      FAIL_LOG(fac(), Err) << s->peer() << ": internal error: " << e.what();
    }
  }
  woken.clear();
  if (self->woken_.empty()) self->woken_.swap(woken);  // its capacity serves the next batch
}

void Server::wake(Session* s) {
  if (!completing_) return s->wake();
  if (s->woken()) return;
  s->woken() = true;
  woken_.push_back(s);
}

void Server::onPublished(const state::Published& p) {
  if (watchers_.empty()) return;
  // The line is made once; each watcher gets the same bytes.
  line_.clear();
  p.appendLine(line_);
  line_ += '\n';
  name_.assign(p.name());
  // deliver() may close a slow watcher, which removes it from the list: iterate a copy.
  targets_.assign(watchers_.begin(), watchers_.end());
  for (Session* s : targets_) s->deliver(name_, line_);
}

std::string Server::stats() const {
  const state::StoreCounters& c = store_.counters();
  std::string out;
  auto add = [&](const char* k, std::uint64_t v) {
    proto::appendElement(out, k);
    out += ' ';
    out += std::to_string(v);
  };
  add("records", store_.size());
  add("serial", store_.publishedSerial());
  add("history_base", store_.historyBase());
  add("clients", sessions_.size());
  add("watchers", watchers_.size());
  add("requests", counters_.requests);
  add("errors", counters_.errors);
  add("changes", c.changes);
  add("refreshes", c.refreshes);
  add("deletes", c.deletes);
  add("expiries", c.expiries);
  add("pending", store_.pending());
  add("fsyncs", store_.journal() ? store_.journal()->fsyncs() : 0);
  add("compactions", c.compactions);
  add("storage_errors", c.storageErrors);
  add("slow_watchers", counters_.slowWatchers);
  add("refused_clients", counters_.refused);
  add("slow_clients", counters_.slowClients);
  add("timeouts", counters_.timeouts);
  add("wrong_secrets", counters_.wrongSecrets);
  add("auth_throttled", counters_.authThrottled);
  add("accept_pauses", counters_.acceptPauses);
  add("uptime", static_cast<std::uint64_t>((steadyNow() - started_) / 1'000'000));
  if (historyWriter_) {  // the history database's progress (doc/faild-history.md)
    add("history_written", historyWriter_->written());
    add("history_lag_ms", static_cast<std::uint64_t>(historyWriter_->lag() / 1000));
    add("history_dropped", historyWriter_->dropped());
  }
  return out;
}

std::string Server::dump() const {
  std::string out = "state: " + stats() + "\n";
  store_.forEachRecord([&](const state::Version& v) {
    out += "record: ";
    out += state::encodeRecord(v.record());
    out += '\n';
  });
  return out;
}

}  // namespace fail::server

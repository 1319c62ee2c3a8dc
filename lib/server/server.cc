#include "server/server.hh"

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "base/log.hh"
#include "proto/list.hh"
#include "server/session.hh"

namespace fail::server {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("main");
  return f;
}

constexpr Micros kTick = 100'000;  // ttl resolution and housekeeping check

}  // namespace

Server::Server(event_base* base, ServerConfig config, state::Store& store)
    : base_(base), config_(std::move(config)), store_(store) {
  // Register the facilities now so DEBUG lists them before they first log.
  for (const char* f : {"main", "proto", "store", "access", "watch", "tls"}) log::facility(f);
  if (!config_.accessFile.empty()) access_ = access::AccessFile::load(config_.accessFile);
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

Server::~Server() {
  sessions_.clear();
  retired_.clear();
}

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
  store_.setListener(this);
  timer_.reset(event_new(base_, -1, EV_PERSIST, onTimerCb, this));
  timeval tv{0, static_cast<suseconds_t>(kTick)};
  event_add(timer_.get(), &tv);
  if (state::Journal* j = store_.journal()) {
    journalEv_.reset(event_new(base_, j->completionFd(), EV_READ | EV_PERSIST, onJournalCb, this));
    event_add(journalEv_.get(), nullptr);
  }
  reapEv_.reset(event_new(base_, -1, 0, onReapCb, this));
}

void Server::stop() {
  listeners_.clear();
  timer_.reset();
  watchers_.clear();
  sessions_.clear();
  retired_.clear();
  store_.flush();
  journalEv_.reset();
  store_.setListener(nullptr);
}

std::string Server::reloadAccess() {
  if (config_.accessFile.empty()) return {};
  try {
    access_ = access::AccessFile::load(config_.accessFile);
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
  for (int i = 0; i < 64; ++i) {
    int fd = ::accept4(b.listener.fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        FAIL_LOG(fac(), Warning) << "accept on " << b.listener.bound << ": " << std::strerror(errno);
      return;
    }
    ++counters_.connections;
    if (sessions_.size() >= config_.maxClients) {
      ++counters_.refused;
      std::string msg = "ERR BUSY too\\ many\\ clients\\ (" + std::to_string(config_.maxClients) +
                        ")\n";
      (void)!::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      ::close(fd);
      FAIL_LOG(fac(), Warning) << "refused a client on " << b.listener.bound
                               << ": already " << config_.maxClients << " clients";
      continue;
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
    std::string peer = transport == Session::Transport::Unix ? "unix" : net::peerName(fd);
    sessions_.push_back(
        std::make_unique<Session>(*this, bev, transport, b.listener.loopback, std::move(peer)));
    FAIL_LOG(log::facility("proto"), Debug) << "client " << sessions_.back()->peer() << " on "
                                            << b.listener.bound;
    sessions_.back()->start();
  }
}

void Server::retire(Session* s) {
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->get() == s) {
      retired_.push_back(std::move(*it));
      sessions_.erase(it);
      break;
    }
  }
  if (reapEv_) event_active(reapEv_.get(), EV_TIMEOUT, 0);
}

void Server::onReapCb(evutil_socket_t, short, void* arg) noexcept {
  static_cast<Server*>(arg)->retired_.clear();
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
  }
}

void Server::onJournalCb(evutil_socket_t, short, void* arg) noexcept {
  try {
    static_cast<Server*>(arg)->store_.journal()->runCompletions();
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "journal completion: " << e.what();
  }
}

void Server::onPublished(const state::Published& p) {
  if (watchers_.empty()) return;
  // deliver() may close a slow watcher, which removes it from the list: iterate a copy.
  std::vector<Session*> targets(watchers_.begin(), watchers_.end());
  for (Session* s : targets) s->deliver(p.name, p.line);
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
  add("uptime", static_cast<std::uint64_t>((steadyNow() - started_) / 1'000'000));
  return out;
}

std::string Server::dump() const {
  std::string out = "state: " + stats() + "\n";
  for (const auto& [name, e] : store_.entries()) out += "record: " + state::encodeRecord(e.record) + "\n";
  return out;
}

}  // namespace fail::server

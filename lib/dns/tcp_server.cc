// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/tcp_server.hh"

#include <event2/buffer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <string>

#include "dns/frontend_log.hh"

namespace fail::dns {

struct TcpServer::Conn {
  TcpServer* server = nullptr;
  std::uint64_t id = 0;
  bufferevent* bev = nullptr;
  sockaddr_storage peer{};
  // Answers in the order of their queries: a slot is empty while its forward is in flight.
  struct Slot {
    std::uint64_t seq = 0;
    bool ready = false;
    std::string bytes;  // length prefix and message
  };
  std::deque<Slot> slots;
  unsigned forwards = 0;
  std::uint64_t nextSeq = 0;
  bool eof = false;  // the client half-closed: close once everything is answered
  // When the unfinished message in the input began: a client that drips one byte at a
  // time gets `idle` for a whole message, not for each byte.
  std::chrono::steady_clock::time_point partialSince{};
  ~Conn() {
    if (bev) bufferevent_free(bev);
  }
};

namespace {

timeval toTimeval(std::chrono::milliseconds d) {
  return {static_cast<time_t>(d.count() / 1000), static_cast<suseconds_t>(d.count() % 1000 * 1000)};
}

template <class Fn>
void guarded(const char* what, Fn fn) noexcept {
  try {
    fn();
  } catch (const std::exception& e) {
    FAIL_LOG(logFacility(), Err) << "TCP " << what << ": " << e.what();
  } catch (...) {
    FAIL_LOG(logFacility(), Err) << "TCP " << what << ": unknown exception";
  }
}

}  // namespace

TcpServer::TcpServer(ev::Loop& loop, Context ctx, unsigned max, std::chrono::milliseconds idle)
    : loop_(loop), ctx_(std::move(ctx)), max_(max), idle_(idle), out_(65535 + 2), resume_(loop.base(), [this] {
        for (auto& [fd, l] : listeners_) evconnlistener_enable(l.get());
      }) {}

TcpServer::~TcpServer() {
  listeners_.clear();
  conns_.clear();
}

void TcpServer::listen(int fd) {
  evconnlistener* l = evconnlistener_new(loop_.base(), onAccept, this, LEV_OPT_CLOSE_ON_EXEC, 0, fd);
  if (!l) throw std::runtime_error("cannot watch the TCP listener");
  evconnlistener_set_error_cb(l, onAcceptError);
  listeners_[fd].reset(l);
}

void TcpServer::unlisten(int fd) { listeners_.erase(fd); }

void TcpServer::setLimits(unsigned max, std::chrono::milliseconds idle) {
  max_ = max;
  idle_ = idle;
}

void TcpServer::onAccept(evconnlistener*, evutil_socket_t fd, sockaddr* sa, int len, void* arg) noexcept {
  auto* self = static_cast<TcpServer*>(arg);
  guarded("accept", [&] { self->accept(fd, sa, len); });
}

void TcpServer::onAcceptError(evconnlistener* l, void* arg) noexcept {
  auto* self = static_cast<TcpServer*>(arg);
  int e = EVUTIL_SOCKET_ERROR();
  FAIL_LOG(logFacility(), Warning) << "TCP accept: " << evutil_socket_error_to_string(e) << " (accepting again in 1 s)";
  evconnlistener_disable(l);
  self->resume_.arm(ev::Micros{1'000'000});
}

void TcpServer::accept(int fd, const sockaddr* sa, int len) {
  if (conns_.size() >= max_) {
    ::close(fd);
    ++refused_;
    return;
  }
  // Fixed kernel buffers (autotuning would let a client that does not read park
  // megabytes in the kernel per connection): a message is at most 64 KiB anyway.
  int size = 64 * 1024;
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  auto c = std::make_unique<Conn>();
  c->server = this;
  c->id = ++nextId_;
  std::memcpy(&c->peer, sa, std::min<std::size_t>(static_cast<std::size_t>(len), sizeof c->peer));
  c->bev = bufferevent_socket_new(loop_.base(), fd, BEV_OPT_CLOSE_ON_FREE);
  if (!c->bev) {
    ::close(fd);
    return;
  }
  timeval tv = toTimeval(idle_);
  bufferevent_set_timeouts(c->bev, &tv, &tv);
  bufferevent_setcb(c->bev, onRead, onWrite, onEvent, c.get());
  bufferevent_enable(c->bev, EV_READ | EV_WRITE);
  conns_.emplace(c->id, std::move(c));
}

void TcpServer::onRead(bufferevent*, void* arg) noexcept {
  auto* c = static_cast<Conn*>(arg);
  guarded("read", [&] { c->server->readQueries(*c); });
}

void TcpServer::onWrite(bufferevent* bev, void* arg) noexcept {
  auto* c = static_cast<Conn*>(arg);
  guarded("write", [&] {
    if (c->eof && c->slots.empty() && evbuffer_get_length(bufferevent_get_output(bev)) == 0) return c->server->close(*c);
    c->server->readQueries(*c);  // reading may resume, with what is already buffered
  });
}

void TcpServer::onEvent(bufferevent*, short what, void* arg) noexcept {
  auto* c = static_cast<Conn*>(arg);
  guarded("event", [&] {
    bool unsent = !c->slots.empty() || evbuffer_get_length(bufferevent_get_output(c->bev)) > 0;
    if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) && unsent) {
      c->eof = true;  // answer what came before the half-close, then close
      bufferevent_disable(c->bev, EV_READ);
      return;
    }
    c->server->close(*c);  // EOF, an error, or idle for too long
  });
}

// Answers every complete query buffered, as long as the connection's bounds allow.
void TcpServer::readQueries(Conn& c) {
  evbuffer* in = bufferevent_get_input(c.bev);
  evbuffer* out = bufferevent_get_output(c.bev);
  for (;;) {
    if (evbuffer_get_length(out) > kMaxOutput || c.forwards >= kMaxForwards) {
      bufferevent_disable(c.bev, EV_READ);  // onWrite resumes once the client read
      c.partialSince = {};                   // our pause is not the client's slowness
      return;
    }
    std::uint8_t len[2];
    if (c.eof || evbuffer_copyout(in, len, 2) < 2) break;
    std::size_t n = static_cast<std::size_t>(len[0] << 8 | len[1]);
    if (evbuffer_get_length(in) < n + 2) break;
    evbuffer_drain(in, 2);
    const auto* q = evbuffer_pullup(in, static_cast<ev_ssize_t>(n));
    if (n > 0) answer(c, q, n);
    evbuffer_drain(in, n);
    if (conns_.find(c.id) == conns_.end()) return;  // closed meanwhile
  }
  if (evbuffer_get_length(in) == 0) {
    c.partialSince = {};
  } else if (c.partialSince == std::chrono::steady_clock::time_point{}) {
    c.partialSince = std::chrono::steady_clock::now();
  } else if (std::chrono::steady_clock::now() - c.partialSince > idle_) {
    return close(c);  // one message taking longer than the idle timeout
  }
  if (!c.eof) bufferevent_enable(c.bev, EV_READ);
}

void TcpServer::answer(Conn& c, const std::uint8_t* q, std::size_t n) {
  auto pub = ctx_.current();
  if (!pub) return;
  Request req{q, n, true};
  std::size_t size = 0;
  Counters& counters = *ctx_.counters;
  ++counters.tcp;
  Outcome o = respond(*pub->snapshot, *ctx_.cursor, req, out_.data() + 2, 65535, &size, counters);
  if (o == Outcome::Drop) return;
  if (o == Outcome::Forward) {
    Forwarder* fw = pub->forward ? ctx_.forwarder() : nullptr;
    if (fw && net::anyContains(pub->allow, reinterpret_cast<const sockaddr*>(&c.peer))) {
      std::uint64_t id = c.id, seq = ++c.nextSeq;
      c.slots.push_back({seq, false, {}});
      std::vector<std::uint8_t> query(q, q + n);
      bool sent = fw->forward(q, n, [this, id, seq, query](const std::uint8_t* reply, std::size_t size) {
        auto it = conns_.find(id);
        if (it == conns_.end()) return;
        Conn& conn = *it->second;
        --conn.forwards;
        auto slot = std::find_if(conn.slots.begin(), conn.slots.end(), [seq](const Conn::Slot& s) { return s.seq == seq; });
        if (slot == conn.slots.end()) return;
        std::string bytes(2, '\0');
        if (!reply) {  // timed out
          size = refuse({query.data(), query.size(), true}, Rcode::ServFail, out_.data() + 2, 65535);
          reply = out_.data() + 2;
        }
        bytes[0] = static_cast<char>(size >> 8);
        bytes[1] = static_cast<char>(size);
        bytes.append(reinterpret_cast<const char*>(reply), size);
        slot->bytes = std::move(bytes);
        slot->ready = true;
        flush(conn);
        readQueries(conn);
      });
      if (sent) {
        ++c.forwards;
        ++counters.forwarded;
        return;
      }
      c.slots.pop_back();
      size = refuse(req, Rcode::ServFail, out_.data() + 2, 65535);
      ++counters.rcode[static_cast<int>(Rcode::ServFail)];
    } else {
      size = refuse(req, Rcode::Refused, out_.data() + 2, 65535);
      ++counters.refused;
      ++counters.rcode[static_cast<int>(Rcode::Refused)];
    }
    if (size == 0) return;
  }
  out_[0] = static_cast<std::uint8_t>(size >> 8);
  out_[1] = static_cast<std::uint8_t>(size);
  c.slots.push_back({++c.nextSeq, true, std::string(reinterpret_cast<const char*>(out_.data()), size + 2)});
  flush(c);
}

void TcpServer::flush(Conn& c) {
  while (!c.slots.empty() && c.slots.front().ready) {
    bufferevent_write(c.bev, c.slots.front().bytes.data(), c.slots.front().bytes.size());
    c.slots.pop_front();
  }
}

void TcpServer::close(Conn& c) {
  auto it = conns_.find(c.id);
  if (it == conns_.end()) return;
  bufferevent_setcb(c.bev, nullptr, nullptr, nullptr, nullptr);
  bufferevent_disable(c.bev, EV_READ | EV_WRITE);
  loop_.deleteLater(std::move(it->second));  // its callback may be running
  conns_.erase(it);
}

}  // namespace fail::dns

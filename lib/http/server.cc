// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "http/server.hh"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "base/log.hh"
#include "http/target.hh"

namespace fail::http {

namespace {

log::Facility& httpLog() { return log::facility("http"); }

constexpr int kAllMethods = EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
                            EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                            EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH;

const char* methodName(evhttp_cmd_type t) {
  switch (t) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE: return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH: return "PATCH";
  }
  return "UNKNOWN";
}

timeval toTimeval(int ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

// The tick looks at every deadline this often: a quarter of the shortest, within bounds.
int tickMs(const ServerConfig& c) {
  int shortest = 1000;
  for (int t : {c.idleTimeoutMs, c.requestTimeoutMs, c.sendTimeoutMs})
    if (t > 0) shortest = std::min(shortest, t / 4);
  return std::clamp(shortest, 20, 1000);
}

}  // namespace

// One client connection, from the moment evhttp accepted it to its close callback.
struct Connection {
  std::uint64_t id = 0;
  evhttp_connection* evcon = nullptr;
  bufferevent* bev = nullptr;
  std::string peer;
  bool loopback = false, tls = false;
  bool counted = false;  // in perAddress_
  bool busy = false;     // a request was handed to a route and is not answered yet
  bool cutting = false;  // being closed by the server
  bool fixing = false;   // libevent's own error page waits to be rewritten (fixPages)
  Micros since = 0;      // when it began waiting for a request
  Micros started = 0;    // when the first byte of that request arrived (0: none yet)
  Micros drained = 0;    // when the client last took output, or output began waiting
  evbuffer_cb_entry* inCb = nullptr;
  evbuffer_cb_entry* outCb = nullptr;
  std::shared_ptr<Exchange> ex;
  Server* server = nullptr;
};

// --- Exchange ---

Exchange::~Exchange() = default;

void Exchange::reply(const Response& r) {
  if (capture_) {
    *capture_ = r;
    capture_ = nullptr;
    return;
  }
  if (!req_) return;
  if (streaming_) {
    end();
    return;
  }
  server_->send(*this, r);
}

bool Exchange::startStream(const std::string& contentType, const Headers& headers) {
  if (!req_ || streaming_) return false;
  Server& s = *server_;
  if (s.streams_ >= s.config_.maxStreams) {
    ++s.counters_.streamsRefused;
    reply(errorResponse(503, "BUSY", "too many event streams at once (" + std::to_string(s.config_.maxStreams) + ")"));
    return false;
  }
  evkeyvalq* out = evhttp_request_get_output_headers(req_);
  evhttp_add_header(out, "Content-Type", contentType.c_str());
  evhttp_add_header(out, "Cache-Control", "no-cache");
  for (const auto& [k, v] : headers) evhttp_add_header(out, k.c_str(), v.c_str());
  evhttp_send_reply_start(req_, 200, "OK");
  streaming_ = true;
  ++s.streams_;
  return true;
}

bool Exchange::send(std::string_view data) {
  if (!req_ || !streaming_ || !conn_ || conn_->cutting) return false;
  evbuffer* b = evbuffer_new();
  if (!b) return false;
  evbuffer_add(b, data.data(), data.size());
  evhttp_send_reply_chunk(req_, b);
  evbuffer_free(b);
  if (pending() > server_->config_.streamBuffer) {
    ++server_->counters_.slowClients;
    FAIL_LOG(httpLog(), Info) << "+slow stream client " << conn_->peer << " cut off: " << pending()
                              << " bytes unread";
    server_->cut(conn_);
    return false;
  }
  return true;
}

void Exchange::end() {
  if (!req_ || !streaming_) return;
  evhttp_send_reply_end(req_);
  streaming_ = false;
  --server_->streams_;
  req_ = nullptr;
  if (conn_) {
    conn_->busy = false;
    conn_->since = steadyNow();
    conn_->started = 0;
  }
}

size_t Exchange::pending() const {
  if (!conn_) return 0;
  return evbuffer_get_length(bufferevent_get_output(conn_->bev));
}

void Exchange::detach(bool detached) {
  if (req_ && detached) evhttp_request_free(req_);  // evhttp let go of it: ours to free
  if (streaming_) --server_->streams_;
  streaming_ = false;
  bool open = req_ != nullptr;
  req_ = nullptr;
  conn_ = nullptr;
  if (open && onClose_) server_->loop_.defer(std::move(onClose_));
}

// --- Server ---

std::unordered_map<evconnlistener*, Server::Bound*>& Server::boundOf() {
  static std::unordered_map<evconnlistener*, Bound*> m;  // loop thread only
  return m;
}

Server::Server(ev::Loop& loop, ServerConfig config) : loop_(loop), config_(std::move(config)) {
  bool tls = false;
  for (const auto& l : config_.listens) {
    if (l.kind != net::ListenSpec::Kind::Tcp)
      throw std::runtime_error("HTTP listener " + l.text + ": ADDRESS:PORT or tls:ADDRESS:PORT is needed");
    tls = tls || l.tls;
  }
  if (tls) tlsCtx_ = net::makeServerContext(config_.tls);
  if (config_.maxConnections == 0) throw std::runtime_error("HTTP: at least one connection must be allowed");
}

Server::~Server() { stop(); }

void Server::addRoute(std::string method, std::string path, bool prefix, AsyncHandler handler) {
  routes_.add(std::move(method), std::move(path), prefix, handlers_.size());
  handlers_.push_back(std::move(handler));
}

void Server::handle(std::string method, std::string path, Handler handler) {
  addRoute(std::move(method), std::move(path), false,
           [h = std::move(handler)](const Request& r, std::shared_ptr<Exchange> ex) { ex->reply(h(r)); });
}

void Server::handleAsync(std::string method, std::string path, AsyncHandler handler) {
  addRoute(std::move(method), std::move(path), false, std::move(handler));
}

void Server::handlePrefix(std::string method, std::string prefix, Handler handler) {
  addRoute(std::move(method), std::move(prefix), true,
           [h = std::move(handler)](const Request& r, std::shared_ptr<Exchange> ex) { ex->reply(h(r)); });
}

void Server::handlePrefixAsync(std::string method, std::string prefix, AsyncHandler handler) {
  addRoute(std::move(method), std::move(prefix), true, std::move(handler));
}

void Server::dispatch(Request& r, const std::shared_ptr<Exchange>& ex) {
  Target t;
  std::string why;
  if (!parseTarget(r.target, t, why)) {
    ex->reply(errorResponse(400, "BADREQUEST", "request target: " + why));
    return;
  }
  r.path = std::move(t.path);
  r.query = std::move(t.query);
  Response err;
  const Route* rt = routes_.find(r, err);
  if (!rt) {
    ex->reply(err);
    return;
  }
  try {
    handlers_[rt->id](r, ex);
  } catch (const std::exception& e) {
    FAIL_LOG(httpLog(), Err) << r.method << " " << r.path << " failed: " << e.what();
    if (ex->open() && !ex->streaming_) ex->reply(errorResponse(500, "INTERNAL", e.what()));
  } catch (...) {
    FAIL_LOG(httpLog(), Err) << r.method << " " << r.path << " failed";
    if (ex->open() && !ex->streaming_) ex->reply(errorResponse(500, "INTERNAL", "internal error"));
  }
}

Response Server::dispatchForTest(Request& r) {
  Response out;
  out.status = 0;
  auto ex = std::make_shared<Exchange>(*this, nullptr, nullptr);
  ex->capture_ = &out;
  dispatch(r, ex);
  ex->capture_ = nullptr;
  return out;
}

void Server::start() {
  event_base* base = loop_.base();
  for (const auto& spec : config_.listens) {
    auto b = std::make_unique<Bound>();
    b->server = this;
    b->tls = spec.tls;
    b->listener = net::bindListener(spec);
    b->http = evhttp_new(base);
    if (!b->http) throw std::runtime_error("evhttp_new failed");
    evhttp_set_max_headers_size(b->http, static_cast<ev_ssize_t>(config_.maxHeaders));
    evhttp_set_max_body_size(b->http, static_cast<ev_ssize_t>(config_.maxBody));
    evhttp_set_allowed_methods(b->http, kAllMethods);
    evhttp_set_gencb(b->http, onRequest, b.get());
    evhttp_set_bevcb(b->http, onNewConnection, b.get());
    // Our own evconnlistener, so that running out of descriptors pauses accepting instead
    // of spinning on a listening socket that stays readable.
    int fd = b->listener.fd.release();
    b->lev = evconnlistener_new(base, nullptr, nullptr, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
    if (!b->lev) {
      ::close(fd);
      throw std::runtime_error("HTTP listener " + spec.text + ": evconnlistener_new failed");
    }
    if (!evhttp_bind_listener(b->http, b->lev)) {
      evconnlistener_free(b->lev);
      throw std::runtime_error("HTTP listener " + spec.text + ": evhttp_bind_listener failed");
    }
    evconnlistener_set_error_cb(b->lev, onAcceptError);
    boundOf()[b->lev] = b.get();
    b->resume = evtimer_new(base, onResume, b.get());
    bound_.push_back(std::move(b));
  }
  if (!adoptEv_) adoptEv_ = event_new(base, -1, 0, onAdopt, this);
  if (!cutEv_) cutEv_ = event_new(base, -1, 0, onCut, this);
  if (!fixEv_) fixEv_ = event_new(base, -1, 0, onFix, this);
  if (!tick_) {
    tick_ = event_new(base, -1, EV_PERSIST, onTick, this);
    timeval tv = toTimeval(tickMs(config_));
    evtimer_add(tick_, &tv);
  }
}

void Server::stop() {
  for (auto& b : bound_) {
    boundOf().erase(b->lev);
    // Frees every connection (their close callbacks run) and the listener.
    if (b->http) evhttp_free(b->http);
    b->http = nullptr;
    if (b->resume) event_free(b->resume);
    b->resume = nullptr;
  }
  bound_.clear();
  for (auto& [b, bev] : fresh_) bufferevent_decref(bev);
  fresh_.clear();
  conns_.clear();
  for (event** e : {&tick_, &adoptEv_, &cutEv_, &fixEv_})
    if (*e) {
      event_free(*e);
      *e = nullptr;
    }
}

std::vector<std::string> Server::boundAddresses() const {
  std::vector<std::string> out;
  for (const auto& b : bound_) out.push_back(b->listener.bound);  // "tls:" included
  return out;
}

// evhttp asks for each accepted connection's bufferevent before it sets the socket on
// it: ours is TLS for a tls: listener, and is noted so that the connection is counted,
// limited and given its deadlines once evhttp has set it up (adoptNew).
bufferevent* Server::onNewConnection(event_base* base, void* arg) noexcept {
  auto* b = static_cast<Bound*>(arg);
  Server& s = *b->server;
  bufferevent* bev = nullptr;
  if (b->tls) {
    SSL* ssl = SSL_new(s.tlsCtx_.get());
    if (ssl) bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (!bev && ssl) SSL_free(ssl);
    // A client that ends without close_notify has still ended its stream.
    if (bev) bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
  } else {
    bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
  }
  if (!bev) {
    FAIL_LOG(httpLog(), Err) << "cannot make a bufferevent for a new connection: " << net::drainSslErrors();
    return nullptr;  // evhttp makes a plain one; adoptNew never sees it and the tick ignores it
  }
  // libevent writes at most 16 KiB per turn of the loop by default: a listing of a few
  // hundred kilobytes would take a dozen turns, each behind every other ready event.
  bufferevent_set_max_single_write(bev, 1 << 20);
  bufferevent_incref(bev);  // kept until adoptNew looked at it, whatever evhttp did meanwhile
  s.fresh_.emplace_back(b, bev);
  event_active(s.adoptEv_, 0, 0);
  return bev;
}

void Server::onAdopt(evutil_socket_t, short, void* arg) noexcept {
  try {
    static_cast<Server*>(arg)->adoptNew();
  } catch (const std::exception& e) {
    FAIL_LOG(httpLog(), Err) << "adopting connections: " << e.what();
  }
}

void Server::adoptNew() {
  auto fresh = std::move(fresh_);
  fresh_.clear();
  for (auto& [b, bev] : fresh) {
    // evhttp gives each connection's bufferevent the connection as its callback argument;
    // bufferevent_free() clears it, so null means evhttp already let the connection go.
    void* arg = nullptr;
    bufferevent_getcb(bev, nullptr, nullptr, nullptr, &arg);
    auto* evcon = static_cast<evhttp_connection*>(arg);
    if (evcon && !conns_.count(evcon)) adopt(*b, evcon, bev);
    bufferevent_decref(bev);
  }
}

void Server::adopt(Bound& b, evhttp_connection* evcon, bufferevent* bev) {
  char* addr = nullptr;
  ev_uint16_t port = 0;
  evhttp_connection_get_peer(evcon, &addr, &port);
  std::string peer = addr ? addr : "?";
  int fd = bufferevent_getfd(bev);
  bool loopback = net::peerIsLoopback(fd);
  size_t limit = loopback ? config_.maxPerLoopback : config_.maxPerAddress;
  std::string why;
  if (conns_.size() >= config_.maxConnections)
    why = "too many connections (" + std::to_string(config_.maxConnections) + ")";
  else if (limit > 0 && perAddress_[peer] >= limit)
    why = "too many connections from " + peer + " (" + std::to_string(limit) + ")";
  if (!why.empty()) {
    ++counters_.refused;
    FAIL_LOG(httpLog(), Debug) << "refused " << peer << ": " << why;
    if (!b.tls) {  // a plain client is told why; a TLS one has no session to be told in
      Response r = errorResponse(503, "BUSY", why);
      std::string text = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(r.body.size()) + "\r\nConnection: close\r\n\r\n" + r.body;
      [[maybe_unused]] ssize_t n = ::send(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    if (perAddress_[peer] == 0) perAddress_.erase(peer);
    evhttp_connection_free(evcon);
    return;
  }
  auto c = std::make_unique<Connection>();
  c->id = ++nextId_;
  c->evcon = evcon;
  c->bev = bev;
  c->peer = peer;
  c->loopback = loopback;
  c->tls = b.tls;
  c->server = this;
  c->since = c->drained = steadyNow();
  ++perAddress_[peer];
  c->counted = true;
  c->inCb = evbuffer_add_cb(bufferevent_get_input(bev), onInput, c.get());
  c->outCb = evbuffer_add_cb(bufferevent_get_output(bev), onOutput, c.get());
  evhttp_connection_set_closecb(evcon, onClosed, c.get());
  ++counters_.connections;
  conns_.emplace(evcon, std::move(c));
}

void Server::onInput(evbuffer* buf, const evbuffer_cb_info* info, void* arg) noexcept {
  auto* c = static_cast<Connection*>(arg);
  if (info->n_added == 0 || c->cutting) return;
  if (!c->busy) {
    if (c->started == 0) c->started = steadyNow();
    return;
  }
  // Bytes sent while a request is being answered (pipelined requests, or anything at all
  // during a stream) wait unread: only so many.
  Server& s = *c->server;
  if (evbuffer_get_length(buf) > s.config_.maxHeaders + s.config_.maxBody) {
    FAIL_LOG(httpLog(), Info) << "client " << c->peer << " cut off: sent too much while being answered";
    s.cut(c);
  }
}

void Server::onOutput(evbuffer*, const evbuffer_cb_info* info, void* arg) noexcept {
  auto* c = static_cast<Connection*>(arg);
  if (info->n_deleted > 0 || (info->orig_size == 0 && info->n_added > 0)) c->drained = steadyNow();
  // Output while no request is with a route is libevent answering by itself: its error
  // page for a request it refused (too large, unparseable). On a plain connection it is
  // rewritten as our JSON error before it is written (fixPages, from the loop; the socket
  // is written on a later turn). A TLS connection encrypts as it goes: it keeps the page.
  if (info->n_added > 0 && !c->busy && !c->fixing && !c->tls) {
    Server& s = *c->server;
    c->fixing = true;
    s.toFix_.emplace_back(c->evcon, c->id);
    if (s.fixEv_) event_active(s.fixEv_, 0, 0);
  }
}

void Server::onFix(evutil_socket_t, short, void* arg) noexcept {
  auto* s = static_cast<Server*>(arg);
  for (Connection* cp : s->take(s->toFix_)) {
    Connection& c = *cp;
    evbuffer* out = bufferevent_get_output(c.bev);
    size_t len = evbuffer_get_length(out);
    char head[16] = {};
    evbuffer_copyout(out, head, std::min(len, sizeof head - 1));
    int status = std::strncmp(head, "HTTP/1.", 7) == 0 ? std::atoi(head + 9) : 0;
    if (status >= 400 && !c.busy) {
      const char* code = status == 413 ? "TOOLONG" : status == 400 ? "BADREQUEST" : "HTTP";
      std::string why =
          status == 413   ? "the body is over " + std::to_string(s->config_.maxBody) + " bytes"
          : status == 400 ? "malformed HTTP request (or its line and headers over " +
                                std::to_string(s->config_.maxHeaders) + " bytes)"
                          : std::string(reasonPhrase(status));
      Response r = errorResponse(status, code, why);
      std::string text = "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) +
                         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(r.body.size()) +
                         "\r\nConnection: close\r\n\r\n" + r.body;
      evbuffer_drain(out, len);
      evbuffer_add(out, text.data(), text.size());
      continue;  // the connection closes after it: `fixing` stays set
    }
    c.fixing = false;  // "100 Continue", or a route's own answer: left as it is
  }
}

void Server::onRequest(evhttp_request* req, void* arg) noexcept {
  auto* b = static_cast<Bound*>(arg);
  try {
    b->server->request(*b, req);
  } catch (const std::exception& e) {
    FAIL_LOG(httpLog(), Err) << "request failed: " << e.what();
  }
}

void Server::request(Bound& b, evhttp_request* req) {
  if (!fresh_.empty()) adoptNew();
  evhttp_connection* evcon = evhttp_request_get_connection(req);
  auto it = conns_.find(evcon);
  if (it == conns_.end()) {  // not adopted (no bufferevent of ours): refuse it
    Response r = errorResponse(503, "BUSY", "connection not accepted");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
    evbuffer* body = evbuffer_new();
    evbuffer_add(body, r.body.data(), r.body.size());
    evhttp_send_reply(req, 503, reasonPhrase(503), body);
    evbuffer_free(body);
    return;
  }
  Connection* c = it->second.get();
  c->busy = true;
  c->started = 0;
  ++counters_.requests;
  Request r;
  r.method = methodName(evhttp_request_get_command(req));
  const char* uri = evhttp_request_get_uri(req);
  r.target = uri ? uri : "";
  evkeyvalq* in = evhttp_request_get_input_headers(req);
  for (evkeyval* kv = in->tqh_first; kv; kv = kv->next.tqe_next) r.headers.emplace_back(kv->key, kv->value);
  evbuffer* body = evhttp_request_get_input_buffer(req);
  r.body.resize(evbuffer_get_length(body));
  if (!r.body.empty()) evbuffer_remove(body, r.body.data(), r.body.size());
  r.peer = c->peer;
  r.loopback = c->loopback;
  r.tls = b.tls;
  if (b.tls) r.certName = net::verifiedPeerName(bufferevent_openssl_get_ssl(c->bev));
  auto ex = std::make_shared<Exchange>(*this, c, req);
  c->ex = ex;
  dispatch(r, ex);
}

void Server::send(Exchange& ex, const Response& r) {
  evhttp_request* req = ex.req_;
  evkeyvalq* out = evhttp_request_get_output_headers(req);
  evhttp_add_header(out, "Content-Type", r.contentType.empty() ? "text/plain; charset=utf-8" : r.contentType.c_str());
  for (const auto& [k, v] : r.headers) evhttp_add_header(out, k.c_str(), v.c_str());
  evbuffer* body = evbuffer_new();
  if (!body) throw std::runtime_error("evbuffer_new failed");
  evbuffer_add(body, r.body.data(), r.body.size());
  evhttp_send_reply(req, r.status, reasonPhrase(r.status), body);
  evbuffer_free(body);
  if (r.status >= 500) ++counters_.errors;
  ex.req_ = nullptr;
  if (Connection* c = ex.conn_) {
    c->busy = false;
    c->since = steadyNow();
    c->started = 0;
  }
}

void Server::onClosed(evhttp_connection*, void* arg) noexcept {
  auto* c = static_cast<Connection*>(arg);
  c->server->closed(c);
}

void Server::closed(Connection* c) {
  evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->inCb);
  evbuffer_remove_cb_entry(bufferevent_get_output(c->bev), c->outCb);
  if (c->ex) {
    // evhttp keeps a request it handed over when the client goes (it waits for the
    // reply); such a request no longer has a connection, and is ours to free.
    evhttp_request* req = c->ex->req_;
    c->ex->detach(req && evhttp_request_get_connection(req) == nullptr);
  }
  if (c->counted) {
    auto it = perAddress_.find(c->peer);
    if (it != perAddress_.end() && --it->second == 0) perAddress_.erase(it);
  }
  conns_.erase(c->evcon);
}

void Server::cut(Connection* c) {
  if (c->cutting) return;
  c->cutting = true;
  toCut_.emplace_back(c->evcon, c->id);
  if (cutEv_) event_active(cutEv_, 0, 0);
}

void Server::onCut(evutil_socket_t, short, void* arg) noexcept {
  auto* s = static_cast<Server*>(arg);
  for (Connection* c : s->take(s->toCut_)) evhttp_connection_free(c->evcon);
}

std::vector<Connection*> Server::take(std::vector<std::pair<evhttp_connection*, std::uint64_t>>& queue) {
  std::vector<Connection*> out;
  for (auto [evcon, id] : queue) {
    // A connection that went meanwhile is skipped, and so is a new one at its address.
    auto it = conns_.find(evcon);
    if (it != conns_.end() && it->second->id == id) out.push_back(it->second.get());
  }
  queue.clear();
  return out;
}

void Server::onAcceptError(evconnlistener* lev, void*) noexcept {
  int err = EVUTIL_SOCKET_ERROR();
  // evhttp owns the listener's callback argument: the Bound is found by its listener.
  auto it = boundOf().find(lev);
  if (it == boundOf().end()) return;
  Bound& b = *it->second;
  Server& s = *b.server;
  if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
    // The socket stays readable while connections wait: accepting again at once would spin.
    evconnlistener_disable(lev);
    ++s.counters_.acceptPauses;
    timeval tv = toTimeval(std::max(s.config_.acceptPauseMs, 1));
    evtimer_add(b.resume, &tv);
    FAIL_LOG(httpLog(), Warning) << "HTTP " << b.listener.bound << ": cannot accept (" << std::strerror(err)
                                 << "); pausing " << s.config_.acceptPauseMs << " ms";
    return;
  }
  FAIL_LOG(httpLog(), Warning) << "HTTP " << b.listener.bound << ": accept failed: " << std::strerror(err);
}

void Server::onResume(evutil_socket_t, short, void* arg) noexcept {
  auto* b = static_cast<Bound*>(arg);
  if (b->lev) evconnlistener_enable(b->lev);
}

void Server::onTick(evutil_socket_t, short, void* arg) noexcept {
  static_cast<Server*>(arg)->tick();
}

void Server::tick() {
  Micros now = steadyNow();
  auto over = [now](Micros since, int ms) { return ms > 0 && now - since > Micros(ms) * 1000; };
  for (auto& [evcon, cp] : conns_) {
    Connection* c = cp.get();
    if (c->cutting) continue;
    size_t out = evbuffer_get_length(bufferevent_get_output(c->bev));
    if (out > 0) {
      if (over(c->drained, config_.sendTimeoutMs)) {
        ++counters_.slowClients;
        FAIL_LOG(httpLog(), Info) << "+slow client " << c->peer << " cut off: " << out << " bytes unread for "
                                  << config_.sendTimeoutMs << " ms";
        cut(c);
      }
    } else if (!c->busy) {
      if (c->started ? over(c->started, config_.requestTimeoutMs) : over(c->since, config_.idleTimeoutMs)) {
        ++counters_.timeouts;
        FAIL_LOG(httpLog(), Debug) << "client " << c->peer << (c->started ? ": request too slow" : ": idle")
                                   << ", closed";
        cut(c);
      }
    }
  }
}

}  // namespace fail::http

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// An HTTP/1.1 server on libevent's evhttp, on the process's one ev::Loop: faild's API,
// the /metrics of every daemon, faild's status page (doc/http-api.md).
//
// Everything a client can make it hold is bounded: the request line and headers, the
// body, connections at once and per address, streams at once and what each may fall
// behind. A connection that sends nothing, dribbles a request, or does not read what it
// is sent is closed after its deadline. Routes are exact paths or prefixes; a handler
// answers at once (handle), later (handleAsync: after an fsync, from another thread's
// answer), or streams (Exchange::startStream: server-sent events).
//
// Loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/time.hh"
#include "ev/loop.hh"
#include "http/message.hh"
#include "http/router.hh"
#include "net/listen.hh"
#include "net/tls.hh"

struct evhttp;
struct evhttp_request;
struct evhttp_connection;
struct evconnlistener;
struct bufferevent;
struct evbuffer;
struct evbuffer_cb_entry;
struct evbuffer_cb_info;
struct event;

namespace fail::http {

struct ServerConfig {
  std::vector<net::ListenSpec> listens;  // ADDRESS:PORT and tls:ADDRESS:PORT (no unix:)
  net::TlsFiles tls;                     // for tls: listeners
  size_t maxBody = 1u << 20;             // bytes of a request body (413 past it)
  size_t maxHeaders = 16u << 10;         // bytes of the request line and headers
  size_t maxConnections = 1024;
  // Connections at once from one client address: `maxPerAddress` for addresses that are
  // not loopback, `maxPerLoopback` for loopback ones (0: no limit but maxConnections).
  size_t maxPerAddress = 64;
  size_t maxPerLoopback = 0;
  size_t maxStreams = 1000;        // streams (server-sent events) at once; 503 past it
  size_t streamBuffer = 4u << 20;  // output a stream may fall behind before it is cut off
  // Deadlines (0: none). A connection waiting for a request is closed once it has sent
  // nothing for idleTimeoutMs; a request whose first byte arrived must be whole within
  // requestTimeoutMs (headers and body, however it drips in); output left unread, a reply
  // or a stream, for sendTimeoutMs closes the connection.
  int idleTimeoutMs = 60'000;
  int requestTimeoutMs = 10'000;
  int sendTimeoutMs = 60'000;
  int acceptPauseMs = 250;  // after EMFILE/ENFILE, accept nothing for this long
};

struct ServerCounters {
  std::uint64_t connections = 0;  // accepted and served
  std::uint64_t refused = 0;      // closed at once: over a connection limit
  std::uint64_t requests = 0;     // handed to a route (or answered 400/404/405 by it)
  std::uint64_t errors = 0;       // answered with a status of 500 or more
  std::uint64_t timeouts = 0;     // idle or slow requests closed
  std::uint64_t slowClients = 0;  // closed for not reading (sendTimeout, streamBuffer)
  std::uint64_t streamsRefused = 0;
  std::uint64_t acceptPauses = 0;
};

class Server;
struct Connection;

// One request being answered: given to asynchronous handlers, which keep it (strongly or
// weakly) until they reply. The Server holds it while the client is connected, so a weak
// reference expires once the client went away or the reply was sent: an answer that
// arrives later finds nothing to answer.
class Exchange {
 public:
  Exchange(Server& server, Connection* conn, evhttp_request* req) : server_(&server), conn_(conn), req_(req) {}
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // The client is still there and nothing ended the exchange yet.
  bool open() const { return req_ != nullptr || capture_ != nullptr; }
  // Answers (once; later calls and calls after the client left do nothing).
  void reply(const Response& r);

  // Starts a stream: status 200, `contentType`, no length, the connection kept for it.
  // False when the streams cap is reached: a 503 JSON error was answered instead.
  bool startStream(const std::string& contentType, const Headers& headers = {});
  // Queues `data` on the stream. False when the stream is over: the client left, or it
  // fell more than ServerConfig::streamBuffer behind and is being cut off.
  bool send(std::string_view data);
  // Ends the stream (the connection may then serve another request).
  void end();
  // Output queued and not yet taken by the client (bytes).
  size_t pending() const;
  // Runs `fn` once when the client goes away (or is cut off) before the exchange ended;
  // called from the loop, never from inside send().
  void onClose(std::function<void()> fn) { onClose_ = std::move(fn); }

 private:
  friend class Server;
  void detach(bool detached);  // the connection is going: forget the request
  Server* server_;
  Connection* conn_;
  evhttp_request* req_;
  Response* capture_ = nullptr;  // dispatchForTest: the reply goes here
  bool streaming_ = false;
  std::function<void()> onClose_;
};

using Handler = std::function<Response(const Request&)>;
using AsyncHandler = std::function<void(const Request&, std::shared_ptr<Exchange>)>;

class Server {
 public:
  // Checks the configuration (listen addresses, TLS files). Throws std::runtime_error.
  Server(ev::Loop& loop, ServerConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // A synchronous handler for exactly `path` (no pattern) and `method` ("GET", ...). A
  // handler that throws gives 500 with a JSON error; an unknown path 404; a known path
  // with another method 405 with an Allow header. HEAD is answered by GET's handler.
  void handle(std::string method, std::string path, Handler handler);
  // The same for a handler that answers through the Exchange, now or later.
  void handleAsync(std::string method, std::string path, AsyncHandler handler);
  // Handlers for every path that starts with `prefix` ("/v1/records/"): an exact path
  // wins, then the longest prefix.
  void handlePrefix(std::string method, std::string prefix, Handler handler);
  void handlePrefixAsync(std::string method, std::string prefix, AsyncHandler handler);

  // Binds every listener. Throws std::runtime_error naming the address.
  void start();
  // Closes every listener and connection (pending exchanges are dropped unanswered).
  void stop();
  // "127.0.0.1:41234" as bound, "tls:127.0.0.1:41235" for a TLS listener.
  std::vector<std::string> boundAddresses() const;

  const ServerConfig& config() const { return config_; }
  const ServerCounters& counters() const { return counters_; }
  size_t connectionCount() const { return conns_.size(); }
  size_t streamCount() const { return streams_; }

  // For tests and the fuzz target: how a request is routed, without a socket. The reply
  // of a synchronous route; for an asynchronous one the Exchange has no connection and
  // nothing is answered (status 0).
  Response dispatchForTest(Request& r);

 private:
  friend class Exchange;
  struct Bound {
    Server* server = nullptr;
    net::Listener listener;
    evhttp* http = nullptr;
    evconnlistener* lev = nullptr;
    event* resume = nullptr;
    bool tls = false;
  };

  void addRoute(std::string method, std::string path, bool prefix, AsyncHandler handler);
  // Decodes the target, routes, runs the handler (a throw is a 500).
  void dispatch(Request& r, const std::shared_ptr<Exchange>& ex);
  static std::unordered_map<evconnlistener*, Bound*>& boundOf();
  static bufferevent* onNewConnection(struct event_base* base, void* arg) noexcept;
  static void onAdopt(int fd, short what, void* arg) noexcept;
  static void onInput(evbuffer* buf, const evbuffer_cb_info* info, void* arg) noexcept;
  static void onOutput(evbuffer* buf, const evbuffer_cb_info* info, void* arg) noexcept;
  static void onRequest(evhttp_request* req, void* arg) noexcept;
  static void onClosed(evhttp_connection* evcon, void* arg) noexcept;
  static void onAcceptError(evconnlistener* lev, void* arg) noexcept;
  static void onResume(int fd, short what, void* arg) noexcept;
  static void onTick(int fd, short what, void* arg) noexcept;
  static void onCut(int fd, short what, void* arg) noexcept;
  static void onFix(int fd, short what, void* arg) noexcept;
  void adoptNew();
  // Counts and limits a new connection and gives it its deadlines, or refuses it.
  void adopt(Bound& b, evhttp_connection* evcon, bufferevent* bev);
  void request(Bound& b, evhttp_request* req);
  void closed(Connection* c);
  void tick();
  // Closes `c` from the loop, after the running callback.
  void cut(Connection* c);
  void send(Exchange& ex, const Response& r);
  // The connections of `queue` (connection, id) still open, in order; empties it.
  std::vector<Connection*> take(std::vector<std::pair<evhttp_connection*, std::uint64_t>>& queue);

  ev::Loop& loop_;
  ServerConfig config_;
  net::SslCtxPtr tlsCtx_;
  Router routes_;
  std::vector<AsyncHandler> handlers_;  // by Route::id
  std::vector<std::unique_ptr<Bound>> bound_;
  std::vector<std::pair<Bound*, bufferevent*>> fresh_;  // made by evhttp, not yet adopted
  std::unordered_map<evhttp_connection*, std::unique_ptr<Connection>> conns_;
  std::unordered_map<std::string, size_t> perAddress_;
  std::vector<std::pair<evhttp_connection*, std::uint64_t>> toCut_;  // with the Connection's id
  event* tick_ = nullptr;
  event* adoptEv_ = nullptr;
  event* cutEv_ = nullptr;
  event* fixEv_ = nullptr;
  std::vector<std::pair<evhttp_connection*, std::uint64_t>> toFix_;  // libevent's error pages
  size_t streams_ = 0;
  std::uint64_t nextId_ = 0;
  ServerCounters counters_;
};

}  // namespace fail::http

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The connection under the loop's clients of doc/protocol.md (client::Link for failsh,
// hc's Reporter, and whatever else talks to a faild from an event loop): connect (TCP,
// names through evdns with /etc/hosts; or a Unix socket), optionally inside TLS; say
// HELLO (with the client's name) and, when a secret is given, AUTH; then hand every
// line to the owner; when the connection ends, reconnect after a backoff that doubles
// from minBackoff to maxBackoff and starts again at minBackoff once a greeting passes.
//
// What a line means (pipelining: which request a reply answers), reply deadlines and
// logging are the owner's: it gets events and breaks the connection with fail().
// Runs on the loop thread only. Events are called from libevent callbacks (never from
// the destructor); an event may call fail() or write(), and must not destroy the
// Transport.
#pragma once

#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/log.hh"
#include "client/options.hh"
#include "client/tls.hh"
#include "ev/ev.hh"

namespace fail::client {

// Whom to talk to.
struct LinkSpec {
  std::string name;  // for messages: "beta", "localhost", "127.0.0.1:1847"
  Target target;
  std::string secret;  // empty: no AUTH
  TlsOptions tls;
};

struct LinkOptions {
  // HELLO's CLIENT word: the name this client gives itself, which faild records as the
  // origin of its SETs when no access entry names it (doc/protocol.md).
  std::string client = "failsh";
  std::chrono::milliseconds connectTimeout{2000};  // connect, TLS handshake, HELLO, AUTH
  std::chrono::milliseconds minBackoff{100}, maxBackoff{2000};
  size_t maxLine = 4u << 20;  // a longer line from the server breaks the connection
  // When not 0: the `drained` event fires whenever the output falls to this many bytes.
  size_t lowWatermark = 0;
  // The log facility of the Transport's own lines (the greeting at debug, with the
  // secret masked; stray exceptions): the owner's, so `-d FACILITY` shows them.
  std::string logFacility = "link";
};

class Transport {
 public:
  enum class Phase { Idle, Connecting, Greeting, Ready };
  // Why a connection ended.
  enum class End {
    Lost,         // could not connect, closed, an error, a timeout, or the owner's fail()
    HelloRefused, // HELLO answered ERR
    NeedSecret,   // the server requires AUTH and no secret was given
    AuthRefused,  // AUTH answered ERR
    Stopped,      // stop()
  };
  struct Break {
    End end = End::Lost;
    std::string why;        // for people: "Connection refused", "AUTH refused: DENIED ..."
    bool wasReady = false;  // the greeting had passed
  };
  struct Events {
    std::function<void()> ready;                    // the greeting passed
    std::function<void(const std::string&)> line;   // a line after the greeting (LF, CR dropped)
    std::function<void(const Break&)> broken;       // the connection ended; a retry follows unless stopped
    std::function<void()> drained;                  // see LinkOptions::lowWatermark
  };

  // Throws std::runtime_error when the TLS files cannot be loaded.
  Transport(event_base* base, LinkSpec spec, LinkOptions opts, Events events);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  void start();  // connects; reconnects from then on until stop()
  void stop();   // closes (a `broken` event with End::Stopped when connected); no retry
  // Breaks the connection (the owner's reason: a missing reply, a line it cannot read);
  // `broken` follows at once, then a retry. Nothing when not connected.
  void fail(const std::string& why);
  // The next retry waits maxBackoff (call from `broken`: a refused secret will not pass
  // sooner). The backoff starts again at minBackoff once a greeting passes.
  void backOffFully() { backoff_ = opts_.maxBackoff; }

  // Appends to the output; only while connected (Greeting or Ready), else dropped.
  void write(std::string_view data);
  size_t outputLength() const;

  Phase phase() const { return phase_; }
  bool ready() const { return phase_ == Phase::Ready; }
  bool running() const { return running_; }
  const LinkSpec& spec() const { return spec_; }
  const LinkOptions& options() const { return opts_; }
  // What the server said of itself in its HELLO reply ("OK PROGRAM VERSION proto 1 …"),
  // from the last greeting that passed: "faild", "failsh", "hc"; empty before the first.
  const std::string& peerProgram() const { return peerProgram_; }
  const std::string& peerVersion() const { return peerVersion_; }

 private:
  struct BevFree {
    void operator()(bufferevent* b) const { bufferevent_free(b); }
  };
  struct DnsFree {
    void operator()(evdns_base* d) const { evdns_base_free(d, 0); }
  };

  static void readCb(bufferevent* bev, void* arg) noexcept;
  static void writeCb(bufferevent* bev, void* arg) noexcept;
  static void eventCb(bufferevent* bev, short what, void* arg) noexcept;
  void connect();
  void onConnected();
  void onGreeting(const std::string& line);
  void end(End how, const std::string& why);

  event_base* base_;
  log::Facility& fac_;
  LinkSpec spec_;
  LinkOptions opts_;
  Events events_;
  SslCtxPtr ctx_;
  std::unique_ptr<evdns_base, DnsFree> dns_;
  std::unique_ptr<bufferevent, BevFree> bev_;
  ev::Timer retry_, connectDeadline_;
  Phase phase_ = Phase::Idle;
  bool running_ = false;
  bool authSent_ = false;  // the greeting's next reply answers AUTH
  std::string peerProgram_, peerVersion_, helloProgram_, helloVersion_;
  std::chrono::milliseconds backoff_;
};

}  // namespace fail::client

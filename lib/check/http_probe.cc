// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Kinds "http" and "https": one HTTP/1.1 request with "Connection: close" and a judged
// response (status set, body substring or regular expression on a bounded read,
// redirects within the same origin when asked, the certificate for https).
//
// Written by hand rather than on libcurl, for volume (10,000 checks a second under half
// a core): everything that can be is prepared at construction (address resolved once,
// request bytes, regex compiled, TLS context shared); an attempt is a connect on a
// pooled socket (net::PooledSocket: no socket(), close() or epoll_ctl per attempt), one
// write, reads into a stack buffer, and an RST (no TIME_WAIT on the probing side). Over
// plain HTTP the first read only peeks: a response judged from it needs no copy, since
// the reset throws away what is unread.
// The parser keeps only what the judgment needs (the body only for -body / -regex), and
// lives, with the TLS session, only while an attempt runs: an idle check holds neither.
#include <errno.h>
#include <regex.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>

#include "base/version.hh"
#include "check/classify.hh"
#include "check/http_parse.hh"
#include "check/probe_base.hh"
#include "check/registry.hh"
#include "check/tls_client.hh"
#include "net/tcp.hh"

namespace fail::check {
namespace {

using std::chrono::microseconds;

constexpr std::size_t kReadChunk = 16 * 1024;     // one read() (into a stack buffer)
constexpr std::size_t kReadPerWake = 256 * 1024;  // then back to the loop

// A compiled POSIX regular expression (regcomp/regfree).
struct Regex {
  regex_t re{};
  bool compiled = false;
  Regex() = default;
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;
  ~Regex() {
    if (compiled) regfree(&re);
  }
};

// What a check asks, fixed at construction.
struct HttpConfig {
  http::Url url;
  net::Address to;
  bool head = false;
  std::string method, hostHeader, extraHeaders, userAgent;
  std::vector<std::pair<int, int>> status;  // accepted ranges, inclusive
  std::string body;
  std::unique_ptr<Regex> regex;
  std::size_t maxBody = 64 * 1024;
  int follow = 0;
  bool verify = true;
  int warnDays = 14;
  std::shared_ptr<SSL_CTX> tls;  // https only
};

class HttpProbe final : public ProbeBase {
 public:
  HttpProbe(ev::Loop& loop, HttpConfig cfg) : ProbeBase(loop), cfg_(std::move(cfg)) {
    buildRequest(cfg_.url.target);
  }
  ~HttpProbe() override { cancel(); }

 private:
  enum class Phase : std::uint8_t { Connecting, Handshaking, Writing, Reading };

  // What one attempt needs beyond the fd: made by begin(), freed by release().
  struct Attempt {
    TlsClient tls;
    http::ResponseParser parser;
    http::Url current;  // the URL the request in request_ asks for
  };

  void begin(microseconds) override {
    hops_ = 0;
    at_ = std::make_unique<Attempt>();
    at_->current = cfg_.url;
    if (redirected_) buildRequest(cfg_.url.target);
    connect();
  }

  // The base resets the connection (RST) after this; no close_notify before it.
  void release() noexcept override { at_.reset(); }

  // The request for `target` (on the URL's origin) into request_.
  void buildRequest(const std::string& target) {
    if (at_) {
      at_->current = cfg_.url;
      at_->current.target = target;
    }
    redirected_ = target != cfg_.url.target;
    request_.clear();
    request_ += cfg_.method;
    request_ += ' ';
    request_ += target;
    request_ += " HTTP/1.1\r\nHost: ";
    request_ += cfg_.hostHeader;
    request_ += "\r\nUser-Agent: ";
    request_ += cfg_.userAgent;
    request_ += "\r\nConnection: close\r\n";
    request_ += cfg_.extraHeaders;
    request_ += "\r\n";
  }

  // Opens the connection for the current request.
  void connect() {
    sent_ = 0;
    status_ = 0;
    haveCert_ = false;
    peek_ = !cfg_.tls;
    fd_ = connectPooled(cfg_.to, true);  // the request (or the ClientHello) goes at once
    if (fd_ < 0) return;
    if (!cfg_.tls) {
      // Optimistic: on loopback and near peers the handshake is often over before
      // connect() returns, and a send() now saves a whole wait for writability. Until the
      // handshake is over it fails with EAGAIN, and we wait as usual.
      ssize_t n = ::send(fd_, request_.data(), request_.size(), MSG_NOSIGNAL);
      if (n > 0) {
        sent_ = static_cast<std::size_t>(n);
        phase_ = Phase::Writing;
        if (sent_ < request_.size()) return watch(fd_, EV_WRITE);
        return startReading();
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return finishErrno(errno, "send");
    }
    phase_ = Phase::Connecting;
    watch(fd_, EV_WRITE);
  }

  void startReading() {
    at_->parser.reset(cfg_.head, cfg_.maxBody, !cfg_.body.empty() || cfg_.regex);
    phase_ = Phase::Reading;
    watch(fd_, EV_READ);
  }

  void onReady(ev::IoWatch::Ready) override {
    switch (phase_) {
      case Phase::Connecting:
        if (!cfg_.tls) {
          // No SO_ERROR query: a failed connect shows in the send() that follows.
          phase_ = Phase::Writing;
          return writeSome();
        }
        if (!connected(fd_)) return;
        if (!at_->tls.begin(cfg_.tls.get(), fd_, cfg_.url.host, cfg_.url.host))
          return finish(Outcome::LocalError, "TLS: " + at_->tls.detail());
        phase_ = Phase::Handshaking;
        return handshake();
      case Phase::Handshaking: return handshake();
      case Phase::Writing: return writeSome();
      case Phase::Reading: return readSome();
    }
  }

  // A TLS failure as a result: a socket error says what it says; else the server does
  // not speak TLS as we do.
  void tlsFailed(TlsClient::Io io) {
    if (io == TlsClient::Io::Failed && at_->tls.sysErrno()) return finishErrno(at_->tls.sysErrno(), "TLS");
    finish(Outcome::Fail, phase_ == Phase::Handshaking ? "TLS handshake failed" : "TLS error");
  }

  void handshake() {
    TlsClient::Io io = at_->tls.handshake();
    if (io == TlsClient::Io::WantRead) return watch(fd_, EV_READ);
    if (io == TlsClient::Io::WantWrite) return watch(fd_, EV_WRITE);
    if (io != TlsClient::Io::Ok) return tlsFailed(io);
    cert_ = at_->tls.certificate();
    haveCert_ = true;
    if (cfg_.verify && cert_.problems) return finish(Outcome::Fail, {});  // judged in finish
    phase_ = Phase::Writing;
    writeSome();
  }

  void writeSome() {
    while (sent_ < request_.size()) {
      const char* p = request_.data() + sent_;
      std::size_t left = request_.size() - sent_;
      if (cfg_.tls) {
        std::size_t n = 0;
        TlsClient::Io io = at_->tls.write(p, left, n);
        if (io == TlsClient::Io::WantRead) return watch(fd_, EV_READ);
        if (io == TlsClient::Io::WantWrite) return watch(fd_, EV_WRITE);
        if (io != TlsClient::Io::Ok) return tlsFailed(io);
        sent_ += n;
        continue;
      }
      ssize_t n = ::send(fd_, p, left, MSG_NOSIGNAL);
      if (n > 0) {
        sent_ += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return watch(fd_, EV_WRITE);
      return finishErrno(n < 0 ? errno : EPIPE, "send");
    }
    startReading();
  }

  void readSome() {
    char buf[kReadChunk];
    for (std::size_t total = 0; total < kReadPerWake;) {
      std::size_t got = 0;
      bool eof = false;
      if (cfg_.tls) {
        TlsClient::Io io = at_->tls.read(buf, sizeof buf, got);
        if (io == TlsClient::Io::WantRead) return watch(fd_, EV_READ);
        if (io == TlsClient::Io::WantWrite) return watch(fd_, EV_WRITE);
        if (io == TlsClient::Io::Closed) eof = true;
        else if (io != TlsClient::Io::Ok) return tlsFailed(io);
      } else {
        ssize_t n = ::recv(fd_, buf, sizeof buf, peek_ ? MSG_PEEK : 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return watch(fd_, EV_READ);
        if (n < 0) return finishErrno(errno, "recv");
        eof = n == 0;
        got = static_cast<std::size_t>(n);
      }
      total += got;
      http::ResponseParser& parser = at_->parser;
      http::ResponseParser::Result res = eof ? parser.finish() : parser.feed(std::string_view(buf, got));
      if (peek_ && !eof) {
        peek_ = false;
        // Judged from the peeked bytes: they stay unread (the reset drops them).
        // Otherwise they are consumed without a copy, and reading goes on as usual.
        if (res == http::ResponseParser::Result::NeedMore &&
            ::recv(fd_, nullptr, got, MSG_TRUNC) != static_cast<ssize_t>(got))
          return finish(Outcome::LocalError, "recv: peeked bytes vanished");
      }
      if (res == http::ResponseParser::Result::Done) return judge();
      if (res == http::ResponseParser::Result::Error) {
        if (!eof) return finish(Outcome::Fail, "malformed response");
        return finish(Outcome::Fail, parser.received() == 0 ? "connection closed" : "truncated response");
      }
    }
    resume(fd_, EV_READ);  // a fast sender: let the loop breathe, the deadline still holds
  }

  bool accepted(int code) const {
    return std::any_of(cfg_.status.begin(), cfg_.status.end(),
                       [code](auto r) { return code >= r.first && code <= r.second; });
  }

  void judge() {
    const http::ResponseParser& parser = at_->parser;
    status_ = parser.status();
    if (status_ >= 300 && status_ < 400 && hops_ < cfg_.follow) {
      http::Url next;
      if (http::resolveLocation(at_->current, parser.location(), next) && next.sameOrigin(cfg_.url)) {
        ++hops_;
        stopWatching();
        release();
        endPooled();
        at_ = std::make_unique<Attempt>();
        buildRequest(next.target);
        return connect();
      }
    }
    if (!accepted(status_)) return finish(Outcome::Fail, "HTTP " + std::to_string(status_));
    std::string_view body = parser.body();
    if (!cfg_.body.empty() && body.find(cfg_.body) == std::string_view::npos)
      return finish(Outcome::Fail, "body mismatch");
    if (cfg_.regex) {
      regmatch_t m[1];
      m[0].rm_so = 0;
      m[0].rm_eo = static_cast<regoff_t>(body.size());
      if (regexec(&cfg_.regex->re, body.data(), 1, m, REG_STARTEND) != 0)
        return finish(Outcome::Fail, "body mismatch");
    }
    finish(Outcome::Ok, {});
  }

  void complete(ProbeResult& r) override {
    if (status_) r.attrs.emplace_back("status", std::to_string(status_));
    if (haveCert_) judgeCertificate(cert_, cfg_.verify, cfg_.warnDays, r);
  }

  const HttpConfig cfg_;
  int fd_ = -1;  // pooled(): the attempt's socket
  std::unique_ptr<Attempt> at_;  // while an attempt runs
  std::string request_;
  Phase phase_ = Phase::Connecting;
  bool redirected_ = false;  // request_ asks for a redirect's target, not the URL's
  bool haveCert_ = false;
  bool peek_ = false;  // the next plain read only peeks (the attempt's first)
  std::size_t sent_ = 0;
  int hops_ = 0, status_ = 0;
  CertCheck cert_;
};

// --- configuration --------------------------------------------------------------------

bool isTchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// -status: "200", "2xx", "200-299".
std::vector<std::pair<int, int>> parseStatus(const CheckSpec& spec) {
  std::vector<std::pair<int, int>> out;
  auto bad = [&](const std::string& w) {
    return ConfigError(spec.where("status") + "\"" + w +
                       "\" is not a status code (100-599), a class such as 2xx, or a range such as 200-299");
  };
  auto code = [](std::string_view s) {
    if (s.size() != 3 || !std::all_of(s.begin(), s.end(), [](char d) { return d >= '0' && d <= '9'; }))
      return -1;
    int n = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    return n >= 100 && n <= 599 ? n : -1;
  };
  for (const std::string& w : spec.list("status")) {
    if (w.size() == 3 && w[0] >= '1' && w[0] <= '5' && (w[1] | 0x20) == 'x' && (w[2] | 0x20) == 'x') {
      int base = (w[0] - '0') * 100;
      out.emplace_back(base, base + 99);
    } else if (auto dash = w.find('-'); dash != std::string::npos) {
      int lo = code(std::string_view(w).substr(0, dash)), hi = code(std::string_view(w).substr(dash + 1));
      if (lo < 0 || hi < lo) throw bad(w);
      out.emplace_back(lo, hi);
    } else {
      int n = code(w);
      if (n < 0) throw bad(w);
      out.emplace_back(n, n);
    }
  }
  if (out.empty()) throw ConfigError(spec.where("status") + "no accepted status");
  return out;
}

std::unique_ptr<Probe> makeHttp(const ProbeContext& ctx, const CheckSpec& spec, bool httpsKind) {
  HttpConfig c;
  std::string why;
  if (!http::parseUrl(spec.str("url"), c.url, &why)) throw ConfigError(spec.where("url") + why);
  if (httpsKind && !c.url.tls)
    throw ConfigError(spec.where("url") + "kind https needs an https:// URL (kind http takes both)");

  std::string host = spec.has("address") ? spec.str("address") : c.url.host;
  auto port = spec.has("port") ? static_cast<std::uint16_t>(spec.integer("port", 1, 65535)) : c.url.port;
  auto to = net::resolve(host, port, &why);
  if (!to) throw ConfigError(spec.where(spec.has("address") ? "address" : "url") + why);
  c.to = *to;

  c.method = spec.str("method");
  for (char& ch : c.method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (c.method != "GET" && c.method != "HEAD") throw ConfigError(spec.where("method") + "GET or HEAD");
  c.head = c.method == "HEAD";

  c.hostHeader = spec.has("host") ? spec.str("host") : c.url.authority();
  c.userAgent = std::string("failover-hc/") + kVersion;
  for (const std::string& h : spec.list("header")) {
    auto colon = h.find(':');
    std::string_view name = std::string_view(h).substr(0, colon);
    if (colon == std::string::npos || name.empty() || !std::all_of(name.begin(), name.end(), isTchar) ||
        h.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      throw ConfigError(spec.where("header") + "\"" + h +
                        "\" is not \"Name: value\" (give a list: -header {{X-A: 1} {X-B: 2}})");
    if (equalsNoCase(name, "host")) throw ConfigError(spec.where("header") + "set the Host header with -host");
    for (const char* own : {"connection", "content-length", "transfer-encoding"})
      if (equalsNoCase(name, own)) throw ConfigError(spec.where("header") + "the probe sets " + std::string(name) + " itself");
    std::string_view value = std::string_view(h).substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    if (equalsNoCase(name, "user-agent")) {
      c.userAgent.assign(value);
      continue;
    }
    c.extraHeaders.append(name).append(": ").append(value).append("\r\n");
  }

  c.status = parseStatus(spec);
  if (spec.has("body")) c.body = spec.str("body");
  if (spec.has("regex")) {
    c.regex = std::make_unique<Regex>();
    if (int rc = regcomp(&c.regex->re, spec.str("regex").c_str(), REG_EXTENDED | REG_NOSUB)) {
      char msg[128];
      regerror(rc, &c.regex->re, msg, sizeof msg);
      throw ConfigError(spec.where("regex") + "bad regular expression: " + msg);
    }
    c.regex->compiled = true;
  }
  if (c.head && (!c.body.empty() || c.regex))
    throw ConfigError(spec.where("method") + "HEAD has no body for -body or -regex to look at");
  c.maxBody = static_cast<std::size_t>(spec.integer("max-body", 0, 64 << 20));
  c.follow = static_cast<int>(spec.integer("follow", 0, 20));
  c.verify = spec.flag("verify");
  c.warnDays = static_cast<int>(spec.integer("cert-warn-days", 0, 3650));
  if (c.url.tls) {
    try {
      c.tls = sharedClientContext(spec.has("ca") ? spec.str("ca") : std::string());
    } catch (const std::runtime_error& e) {
      throw ConfigError(spec.where("ca") + e.what());
    }
  }
  auto probe = std::make_unique<HttpProbe>(*ctx.loop, std::move(c));
  probe->setClose(closeOption(spec));
  return probe;
}

std::vector<OptionDesc> httpOptions() {
  return {
      {"url", OptType::String, nullptr, "the URL to ask for (http:// or https://: the scheme decides TLS)", true},
      {"address", OptType::String, nullptr,
       "connect to this address (or name, resolved once) instead of the URL's host; Host and SNI stay the URL's"},
      {"port", OptType::Int, nullptr, "connect to this port instead of the URL's (1-65535)"},
      {"method", OptType::String, "GET", "GET or HEAD"},
      {"header", OptType::List, "", "extra request headers, a list of \"Name: value\" strings"},
      {"host", OptType::String, nullptr, "Host header (default: the URL's host and port)"},
      {"status", OptType::List, "200", "accepted status codes: codes, classes (2xx) or ranges (200-299)"},
      {"body", OptType::String, nullptr, "a substring expected in the body; else FAIL \"body mismatch\""},
      {"regex", OptType::String, nullptr, "a POSIX extended regular expression expected to match the body"},
      {"max-body", OptType::Int, "65536", "body bytes read at most (0-67108864); the check judges what it read"},
      {"follow", OptType::Int, "0", "redirects followed within the same scheme, host and port (0-20)"},
      {"verify", OptType::Bool, "1", "verify the server's certificate chain and name (https)"},
      {"ca", OptType::String, nullptr, "PEM file of trusted CA certificates (default: the system's)"},
      {"cert-warn-days", OptType::Int, "14",
       "a certificate expiring within this many days gives a warning; the state stays UP (0-3650)"},
      closeOptionDesc(),
  };
}

}  // namespace

const KindDesc& httpKind() {
  static const KindDesc kind{
      "http", "ask an HTTP or HTTPS URL and judge the status and body", httpOptions(),
      [](const ProbeContext& ctx, const CheckSpec& spec) { return makeHttp(ctx, spec, false); }};
  return kind;
}

const KindDesc& httpsKind() {
  static const KindDesc kind{
      "https", "ask an HTTPS URL: the http kind with TLS, certificate verified", httpOptions(),
      [](const ProbeContext& ctx, const CheckSpec& spec) { return makeHttp(ctx, spec, true); }};
  return kind;
}

}  // namespace fail::check

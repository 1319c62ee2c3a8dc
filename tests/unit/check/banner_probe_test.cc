// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The smtp, ftp, imap and pop3 probes against scripted fake servers on 127.0.0.1, each in
// its own thread: good dialogs, refusals, garbage, and servers that trickle, flood or
// never answer (each must end as a Fail or Timeout within the timeout).
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "peer_util.hh"

namespace fail::check {
namespace {

using namespace std::chrono_literals;
using test::attr;
using test::probeOnce;

// One step of a fake dialog: wait for a line starting with `expect` (none when empty),
// then send `send`; with `tls`, then accept a TLS handshake and go on inside it.
struct Say {
  std::string expect, send;
  bool tls = false;
};
enum class Mode { Script, Trickle, Flood, Silent, CloseAtOnce };

class FakeServer {
 public:
  explicit FakeServer(std::vector<Say> script, Mode mode = Mode::Script, SSL_CTX* tls = nullptr)
      : script_(std::move(script)), mode_(mode), tls_(tls) {
    listen_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(listen_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(listen_.get(), 16), 0);
    ::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~FakeServer() {
    stop_ = true;
    thread_.join();
  }
  std::string port() const { return std::to_string(port_); }
  std::string received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  std::size_t sent() const { return sent_; }

 private:
  struct Conn {
    UniqueFd fd;
    SSL* ssl = nullptr;
    std::string in;
    ~Conn() { SSL_free(ssl); }
  };

  bool waitFd(int fd, short what) {
    while (!stop_) {
      pollfd p{fd, what, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }
  bool sendAll(Conn& c, std::string_view data) {
    while (!data.empty()) {
      ssize_t n;
      if (c.ssl) {
        n = SSL_write(c.ssl, data.data(), static_cast<int>(data.size()));
      } else {
        if (!waitFd(c.fd.get(), POLLOUT)) return false;
        n = ::send(c.fd.get(), data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EAGAIN) continue;
      }
      if (n <= 0) return false;
      sent_ += static_cast<std::size_t>(n);
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  bool readLine(Conn& c, std::string& line) {
    for (;;) {
      auto nl = c.in.find('\n');
      if (nl != std::string::npos) {
        line = c.in.substr(0, nl + 1);
        c.in.erase(0, nl + 1);
        return true;
      }
      char buf[1024];
      ssize_t n;
      if (c.ssl) {
        n = SSL_read(c.ssl, buf, sizeof buf);
      } else {
        if (!waitFd(c.fd.get(), POLLIN)) return false;
        n = ::recv(c.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
      }
      if (n <= 0) return false;
      c.in.append(buf, static_cast<std::size_t>(n));
      std::lock_guard<std::mutex> lock(mu_);
      received_.append(buf, static_cast<std::size_t>(n));
    }
  }
  void serve(Conn& c) {
    std::string line;
    switch (mode_) {
      case Mode::CloseAtOnce: return;
      case Mode::Silent:
        while (readLine(c, line)) {}
        return;
      case Mode::Trickle:
        for (char ch : std::string("220 slowly, slowly, very slowly\r\n")) {
          if (!sendAll(c, std::string_view(&ch, 1))) return;
          for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(20ms);  // the pace
        }
        return;
      case Mode::Flood: {
        std::string chunk;
        while (chunk.size() < 64 * 1024) chunk += "220-flood flood flood flood flood flood\r\n";
        for (std::size_t total = 0; total < 10 * 1024 * 1024; total += chunk.size())
          if (!sendAll(c, chunk)) return;
        return;
      }
      case Mode::Script: break;
    }
    for (const Say& s : script_) {
      if (!s.expect.empty()) {
        do {
          if (!readLine(c, line)) return;
        } while (line.compare(0, s.expect.size(), s.expect) != 0);
      }
      if (!sendAll(c, s.send)) return;
      if (s.tls) {
        int flags = ::fcntl(c.fd.get(), F_GETFL);
        ::fcntl(c.fd.get(), F_SETFL, flags & ~O_NONBLOCK);
        timeval tv{5, 0};
        ::setsockopt(c.fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(c.fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        c.ssl = SSL_new(tls_);
        SSL_set_fd(c.ssl, c.fd.get());
        c.in.clear();
        if (SSL_accept(c.ssl) != 1) return;
      }
    }
    while (readLine(c, line)) {}  // hold until the client goes
  }
  void run() {
    // OpenSSL writes with write(2): a client that hung up must give EPIPE here, not kill
    // the test with SIGPIPE (blocked in this thread only, so the probes get no cover).
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    while (!stop_) {
      if (!waitFd(listen_.get(), POLLIN)) return;
      int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) continue;
      Conn c;
      c.fd.reset(fd);
      serve(c);
    }
  }

  std::vector<Say> script_;
  Mode mode_;
  SSL_CTX* tls_;
  UniqueFd listen_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> sent_{0};
  std::mutex mu_;
  std::string received_;
  std::thread thread_;
};

std::map<std::string, std::string> at(const FakeServer& s, std::map<std::string, std::string> more = {}) {
  more["host"] = "127.0.0.1";
  more["port"] = s.port();
  return more;
}

const std::vector<Say> kSmtpGood = {
    {"", "220 fake.test ESMTP ready\r\n"},
    {"EHLO ", "250-fake.test hello\r\n250-PIPELINING\r\n250 8BITMIME\r\n"},
    {"QUIT", "221 bye\r\n"},
};

TEST(SmtpProbe, GoodDialog) {
  FakeServer s(kSmtpGood);
  ProbeResult r = probeOnce("smtp", at(s, {{"helo", "probe.example.test"}}));
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_EQ(r.note, "");
  EXPECT_EQ(attr(r, "banner"), "fake.test ESMTP ready");
  EXPECT_NE(s.received().find("EHLO probe.example.test\r\n"), std::string::npos);
}

TEST(SmtpProbe, BannerArrivingInPieces) {
  FakeServer s({{"", "2"}, {"", "20-fake"}, {"", ".test\r\n220 ok\r\n"}, kSmtpGood[1], kSmtpGood[2]});
  EXPECT_EQ(probeOnce("smtp", at(s)).outcome, Outcome::Ok);
}

TEST(SmtpProbe, Refusals) {
  struct {
    std::vector<Say> script;
    std::string note, step;
  } cases[] = {
      {{{"", "554 no SMTP service here\r\n"}}, "banner 554", "banner"},
      {{{"", "HTTP/1.1 400 Bad Request\r\n"}}, "unexpected banner", "banner"},
      {{{"", "220 hi\r\n"}, {"EHLO", "502 unknown command\r\n"}}, "EHLO refused", "ehlo"},
      {{{"", "220 hi\r\n"}, {"EHLO", "250-a\r\n251 b\r\n"}}, "unexpected reply", "ehlo"},
      {{{"", "220 hi\r\n"}, {"EHLO", "250 hi\r\n"}, {"STARTTLS", "454 TLS not available\r\n"}},
       "STARTTLS refused", "starttls"},
  };
  for (const auto& c : cases) {
    FakeServer s(c.script);
    ProbeResult r = probeOnce("smtp", at(s, {{"starttls", "1"}}));
    EXPECT_EQ(r.outcome, Outcome::Fail) << c.note;
    EXPECT_EQ(r.note, c.note);
    EXPECT_EQ(attr(r, "step"), c.step) << c.note;
  }
}

TEST(SmtpProbe, TrickleFloodSilentAndClose) {
  struct {
    Mode mode;
    Outcome outcome;
    std::string note;
  } cases[] = {
      {Mode::Trickle, Outcome::Timeout, "timeout"},
      {Mode::Flood, Outcome::Fail, "reply too long"},
      {Mode::Silent, Outcome::Timeout, "timeout"},
      {Mode::CloseAtOnce, Outcome::Fail, "connection closed"},
  };
  for (const auto& c : cases) {
    FakeServer s({}, c.mode);
    auto began = std::chrono::steady_clock::now();
    ProbeResult r = probeOnce("smtp", at(s), 700ms);
    EXPECT_EQ(r.outcome, c.outcome) << c.note;
    EXPECT_EQ(r.note, c.note);
    EXPECT_LT(std::chrono::steady_clock::now() - began, 700ms + test::kLate) << c.note;  // trickle: 6.8 s
    if (c.mode == Mode::Flood) {
      EXPECT_LT(s.sent(), 10u * 1024 * 1024);  // we stopped reading
    }
  }
}

TEST(SmtpProbe, ConnectionRefused) {
  int port;
  {
    FakeServer s({});  // bound, then closed: nothing listens there now
    port = std::stoi(s.port());
  }
  ProbeResult r = probeOnce("smtp", {{"host", "127.0.0.1"}, {"port", std::to_string(port)}});
  EXPECT_EQ(r.outcome, Outcome::Unreachable);
  EXPECT_EQ(r.note, "connection refused");
}

TEST(SmtpProbe, QuitUnansweredStillOk) {
  FakeServer s({kSmtpGood[0], kSmtpGood[1]});
  ProbeResult r = probeOnce("smtp", at(s), 500ms);
  EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  EXPECT_LT(r.latency, 500ms);  // measured up to the verdict, not the goodbye
}

struct Tls {
  test::TempDir dir;
  SSL_CTX* ctx = nullptr;
  Tls() {
    EXPECT_TRUE(test::writeSelfSigned(dir));
    ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate_file(ctx, dir.file("cert.pem").c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(ctx, dir.file("key.pem").c_str(), SSL_FILETYPE_PEM);
  }
  ~Tls() { SSL_CTX_free(ctx); }
};

std::vector<Say> startTlsScript() {
  return {{"", "220 fake.test ESMTP\r\n"},
          {"EHLO", "250-fake.test\r\n250 STARTTLS\r\n"},
          {"STARTTLS", "220 go ahead\r\n", true},
          {"EHLO", "250-fake.test\r\n250 AUTH PLAIN\r\n"},
          {"QUIT", "221 bye\r\n"}};
}

TEST(SmtpProbe, StartTls) {
  Tls tls;
  {
    FakeServer s(startTlsScript(), Mode::Script, tls.ctx);
    ProbeResult r = probeOnce("smtp", at(s, {{"starttls", "1"}}));
    EXPECT_EQ(r.outcome, Outcome::Ok) << r.note << " " << attr(r, "tls_error");
    EXPECT_NE(attr(r, "cert_days"), "<none>");
    std::string got = s.received();
    auto second = got.find("EHLO ", got.find("EHLO ") + 1);
    EXPECT_NE(second, std::string::npos) << "EHLO again inside TLS";
  }
  {
    FakeServer s(startTlsScript(), Mode::Script, tls.ctx);
    ProbeResult r = probeOnce("smtp", at(s, {{"starttls", "1"}, {"ca", tls.dir.file("cert.pem")}}));
    EXPECT_EQ(r.outcome, Outcome::Ok) << r.note << " " << attr(r, "tls_error");
  }
  {
    // Verified against the system's CAs, which do not know this certificate.
    FakeServer s(startTlsScript(), Mode::Script, tls.ctx);
    ProbeResult r = probeOnce("smtp", at(s, {{"starttls", "1"}, {"verify", "1"}}));
    EXPECT_EQ(r.outcome, Outcome::Fail);
    EXPECT_EQ(r.note, "certificate not trusted");
  }
  {
    // "220" to STARTTLS, then plain text instead of a handshake.
    FakeServer s({{"", "220 hi\r\n"}, {"EHLO", "250 hi\r\n"}, {"STARTTLS", "220 go\r\n"},
                  {"", "this is no TLS at all\r\n"}});
    ProbeResult r = probeOnce("smtp", at(s, {{"starttls", "1"}}));
    EXPECT_EQ(r.outcome, Outcome::Fail);
    EXPECT_EQ(r.note, "TLS handshake failed");
  }
}

TEST(FtpProbe, Banners) {
  {
    FakeServer s({{"", "220-Welcome\r\n  to the test server\r\n220 ready\r\n"}, {"QUIT", "221 bye\r\n"}});
    ProbeResult r = probeOnce("ftp", at(s));
    EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
    EXPECT_EQ(attr(r, "banner"), "Welcome");
  }
  {
    FakeServer s({{"", "120 ready in 1 minute\r\n"}, {"", "220 ready now\r\n"}});
    EXPECT_EQ(probeOnce("ftp", at(s), 500ms).outcome, Outcome::Ok);
  }
  {
    FakeServer s({Say{"", "421 too many users\r\n"}});
    ProbeResult r = probeOnce("ftp", at(s));
    EXPECT_EQ(r.outcome, Outcome::Fail);
    EXPECT_EQ(r.note, "banner 421");
    EXPECT_EQ(attr(r, "reply"), "421");
  }
}

TEST(FtpProbe, Login) {
  {
    FakeServer s({{"", "220 ready\r\n"}, {"USER bob", "331 password?\r\n"},
                  {"PASS s3cret", "230 welcome\r\n"}, {"QUIT", "221 bye\r\n"}});
    ProbeResult r = probeOnce("ftp", at(s, {{"user", "bob"}, {"password", "s3cret"}}));
    EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
  }
  {
    FakeServer s({{"", "220 ready\r\n"}, {"USER", "230 no password needed\r\n"}, {"QUIT", "221 bye\r\n"}});
    EXPECT_EQ(probeOnce("ftp", at(s, {{"user", "anonymous"}})).outcome, Outcome::Ok);
    EXPECT_EQ(s.received().find("PASS"), std::string::npos);
  }
  {
    FakeServer s({{"", "220 ready\r\n"}, {"USER", "331 password?\r\n"}, {"PASS", "530 Login incorrect.\r\n"}});
    ProbeResult r = probeOnce("ftp", at(s, {{"user", "bob"}, {"password", "wrong"}}));
    EXPECT_EQ(r.outcome, Outcome::Fail);
    EXPECT_EQ(r.note, "login refused");
    EXPECT_EQ(attr(r, "step"), "pass");
  }
}

TEST(ImapProbe, Greetings) {
  {
    FakeServer s({{"", "* OK [CAPABILITY IMAP4rev1] ready\r\n"}, {"a1 LOGOUT", "* BYE\r\na1 OK\r\n"}});
    ProbeResult r = probeOnce("imap", at(s));
    EXPECT_EQ(r.outcome, Outcome::Ok) << r.note;
    EXPECT_NE(s.received().find("a1 LOGOUT\r\n"), std::string::npos);
  }
  {
    FakeServer s({Say{"", "* BYE too many connections\r\n"}});
    EXPECT_EQ(probeOnce("imap", at(s)).note, "banner BYE");
  }
  {
    FakeServer s({Say{"", "+OK wrong protocol\r\n"}});
    EXPECT_EQ(probeOnce("imap", at(s)).note, "unexpected banner");
  }
}

TEST(Pop3Probe, Greetings) {
  {
    FakeServer s({{"", "+OK POP3 ready\r\n"}, {"QUIT", "+OK bye\r\n"}});
    EXPECT_EQ(probeOnce("pop3", at(s)).outcome, Outcome::Ok);
  }
  {
    FakeServer s({Say{"", "-ERR busy\r\n"}});
    ProbeResult r = probeOnce("pop3", at(s));
    EXPECT_EQ(r.outcome, Outcome::Fail);
    EXPECT_EQ(r.note, "banner -ERR");
  }
  {
    FakeServer s({}, Mode::Silent);
    EXPECT_EQ(probeOnce("pop3", at(s), 300ms).note, "timeout");
  }
}

TEST(BannerKinds, ConfigErrors) {
  auto make = [](const std::string& kind, std::map<std::string, std::string> opts) {
    CheckSpec spec;
    spec.name = "c";
    spec.file = "Hcfile";
    spec.line = 3;
    spec.options = std::move(opts);
    const KindDesc* k = findKind(kind);
    validate(spec, *k);
    auto loop = test::newLoop();
    k->make(ProbeContext{loop.get()}, spec);
  };
  EXPECT_THROW(make("smtp", {{"host", "127.0.0.1"}, {"helo", "a\r\nRSET"}}), ConfigError);
  EXPECT_THROW(make("smtp", {{"host", "127.0.0.1"}, {"verify", "1"}}), ConfigError);
  EXPECT_THROW(make("ftp", {{"host", "127.0.0.1"}, {"password", "x"}}), ConfigError);
  EXPECT_THROW(make("ftp", {{"host", "127.0.0.1"}, {"port", "0"}}), ConfigError);
  EXPECT_THROW(make("imap", {{"port", "143"}}), ConfigError);  // -host is required
  EXPECT_NO_THROW(make("pop3", {{"host", "127.0.0.1"}}));
}

}  // namespace
}  // namespace fail::check

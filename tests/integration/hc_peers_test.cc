// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// hc end to end against real servers: nginx-light serving HTTPS with a good, an expired
// and a wrong-name certificate (from the test PKI), aiosmtpd, pyftpdlib with a login, and
// BIND named with a small zone. The real hc reports to the real faild; each test takes its
// peer down (SIGKILL) and up again and waits, on a WATCH of faild, for the states and
// notes the probes give, with hc's rise and fall counts. A missing peer program skips
// its test.
#include <arpa/inet.h>
#include <errno.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "../common/peers.hh"
#include "../common/pki.hh"
#include "harness.hh"
#include "hc_fixture.hh"

namespace fail::test {
namespace {

// Every check: probe each second, UP after 2 good results, FAIL after 2 bad ones. The
// timeout leaves room for a TLS handshake on a loaded machine (and a sanitizer build).
constexpr const char* kDefaults = "defaults -interval 1s -timeout 900ms -rise 2 -fall 2\n";
constexpr const char* kRise = "2";
constexpr const char* kFall = "2";

class HcPeersTest : public HcFixture {
 protected:
  // Starts faild, a WATCH of all its records, and hc with the report to faild, the
  // defaults, then `checks`.
  void startStack(const std::string& checks) {
    faild_ = startFaild();
    watch_ = watch(faild_->address(), "*");
    hc_ = startHc("report " + faild_->address() + "\n" + kDefaults + checks);
  }
  // faild's record of `name` now ("" if none).
  std::string record(const std::string& name) const { return get(faild_->address(), name); }
  // The next CHANGE of `name` to `state`, as faild announced it ("" if none came in time).
  std::string change(const std::string& name, const std::string& state) {
    return nextChange(*watch_, name, state);
  }
  // Waits until faild's record of `name` has `state` and `note`.
  bool hasStateAndNote(const std::string& name, const std::string& state, const std::string& note) const {
    return eventually([&] {
      std::string r = record(name);
      return field(r, "state") == state && field(r, "note") == note;
    });
  }
  // Waits for the CHANGE of `name` to FAIL once its peer went away: `note`, after exactly
  // `fall` failures. Returns the record ("" when none came).
  std::string expectFall(const std::string& name, const std::string& note) {
    std::string down = change(name, "FAIL");
    EXPECT_FALSE(down.empty()) << name << " did not go FAIL";
    EXPECT_EQ(field(down, "note"), note) << down;
    EXPECT_EQ(attr(down, "fail_streak"), kFall) << down;
    return down;
  }
  // Waits for the CHANGE of `name` back to UP, after exactly `rise` good results.
  void expectRise(const std::string& name) {
    std::string back = change(name, "UP");
    EXPECT_FALSE(back.empty()) << name << " did not come back UP";
    EXPECT_EQ(attr(back, "ok_streak"), kRise) << back;
  }
  // Peer logs to print with the daemons' when the test fails.
  void showOnFailure(std::string path) { peerLogs_.push_back(std::move(path)); }
  void TearDown() override {
    if (HasFailure())
      for (const std::string& p : peerLogs_) std::cerr << "--- " << p << ":\n" << readFile(p);
    HcFixture::TearDown();
  }

  std::unique_ptr<Daemon> faild_, hc_;
  std::unique_ptr<LineClient> watch_;

 private:
  std::vector<std::string> peerLogs_;
};

// nginx-light in the foreground as one process (master_process off: a SIGKILL takes all
// of it down), HTTPS sites on loopback ports, everything it writes in `dir`.
class Nginx {
 public:
  struct Site {
    int port;
    Pki::Files files;
  };
  Nginx(std::string dir, std::vector<Site> sites) : dir_(std::move(dir)), sites_(std::move(sites)) {
    ::mkdir(dir_.c_str(), 0755);
    std::ofstream conf(dir_ + "/nginx.conf");
    conf << "master_process off;\nworker_processes 1;\npid " << dir_ << "/nginx.pid;\n"
         << "error_log " << dir_ << "/error.log info;\nevents { worker_connections 64; }\nhttp {\n"
         << "  access_log " << dir_ << "/access.log;\n";
    for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
      conf << "  " << temp << "_temp_path " << dir_ << "/" << temp << ";\n";
    for (const Site& s : sites_)
      conf << "  server {\n    listen 127.0.0.1:" << s.port << " ssl;\n    ssl_certificate " << s.files.cert
           << ";\n    ssl_certificate_key " << s.files.key << ";\n"
           << "    location / { return 200 \"ok\\n\"; }\n  }\n";
    conf << "}\n";
  }
  static bool installed() { return ::access("/usr/sbin/nginx", X_OK) == 0; }
  // Starts it; true once every site accepts connections.
  bool start() {
    child_ = std::make_unique<Child>(std::vector<std::string>{"/usr/sbin/nginx", "-p", dir_ + "/", "-e",
                                                              log(), "-c", dir_ + "/nginx.conf", "-g",
                                                              "daemon off;"},
                                     log());
    return child_->waitFor([&] {
      for (const Site& s : sites_)
        if (!tcpConnects(s.port)) return false;
      return true;
    });
  }
  void kill9() { child_->kill9(); }
  std::string log() const { return dir_ + "/error.log"; }

 private:
  std::string dir_;
  std::vector<Site> sites_;
  std::unique_ptr<Child> child_;
};

TEST_F(HcPeersTest, HttpsThroughNginxWithGoodExpiredAndWrongNameCertificates) {
  if (!Nginx::installed()) GTEST_SKIP() << "nginx is not installed";
  Pki pki;
  const char* san = "DNS:localhost,IP:127.0.0.1";
  Pki::Files good = pki.leaf("good", san, -3600, 30 * 86400);
  Pki::Files expired = pki.leaf("expired", san, -30 * 86400, -86400);
  Pki::Files wrong = pki.leaf("wrong", "DNS:www.elsewhere.test", -3600, 30 * 86400);
  int goodPort = freeLoopbackPort(), expiredPort = freeLoopbackPort(), wrongPort = freeLoopbackPort();
  Nginx nginx(dir.file("nginx"), {{goodPort, good}, {expiredPort, expired}, {wrongPort, wrong}});
  showOnFailure(nginx.log());
  ASSERT_TRUE(nginx.start()) << readFile(nginx.log());

  auto url = [](int port) { return "https://127.0.0.1:" + std::to_string(port) + "/"; };
  std::string ca = " -ca " + pki.caFile + "\n";
  startStack("check good https -url " + url(goodPort) + " -body ok" + ca +
             "check expired https -url " + url(expiredPort) + ca +
             "check wrongname https -url " + url(wrongPort) + ca +
             "check lenient https -url " + url(expiredPort) + " -verify 0" + ca);

  std::string up = change("good", "UP");
  ASSERT_FALSE(up.empty());
  EXPECT_EQ(attr(up, "status"), "200");
  EXPECT_EQ(attr(up, "warning"), "");
  ASSERT_TRUE(hasStateAndNote("expired", "FAIL", "certificate expired")) << record("expired");
  EXPECT_EQ(attr(record("expired"), "cert_days").rfind('-', 0), 0u);  // negative
  ASSERT_TRUE(hasStateAndNote("wrongname", "FAIL", "certificate name mismatch")) << record("wrongname");
  // Not verifying: the expired certificate is only a warning; the state is UP.
  ASSERT_TRUE(eventually([&] { return field(record("lenient"), "state") == "UP"; })) << record("lenient");
  std::string lenient = record("lenient");
  EXPECT_EQ(attr(lenient, "warning"), "certificate expired") << lenient;
  EXPECT_EQ(attr(lenient, "status"), "200") << lenient;

  // nginx dies: refused, after exactly `fall` failures.
  nginx.kill9();
  expectFall("good", "connection refused");
  // And back: UP after exactly `rise` good answers.
  ASSERT_TRUE(nginx.start()) << readFile(nginx.log());
  expectRise("good");
  EXPECT_TRUE(hasStateAndNote("expired", "FAIL", "certificate expired")) << record("expired");
  EXPECT_NE(hc_->log().find("+fail check=good note=\"connection refused\" fails=2"), std::string::npos)
      << hc_->log();
}

TEST_F(HcPeersTest, SmtpThroughAiosmtpdGoesDownAndUp) {
  if (!pythonHas("aiosmtpd")) GTEST_SKIP() << "python3-aiosmtpd is not installed";
  int port = freeLoopbackPort();
  std::string log = dir.file("smtpd.log");
  showOnFailure(log);
  auto smtpd = [&] {
    return std::make_unique<Child>(
        std::vector<std::string>{kPython, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(port)}, log);
  };
  auto server = smtpd();
  ASSERT_TRUE(server->waitFor([&] { return tcpConnects(port); }));

  startStack("check mail smtp -host 127.0.0.1 -port " + std::to_string(port) +
                                    " -helo hc.example.test\n");
  std::string up = change("mail", "UP");
  ASSERT_FALSE(up.empty());
  EXPECT_NE(attr(up, "banner").find("Python SMTP"), std::string::npos) << up;

  server->kill9();
  EXPECT_EQ(attr(expectFall("mail", "connection refused"), "step"), "connect");

  server = smtpd();
  ASSERT_TRUE(server->waitFor([&] { return tcpConnects(port); }));
  expectRise("mail");
}

TEST_F(HcPeersTest, FtpThroughPyftpdlibWithLoginAndWrongPassword) {
  if (!pythonHas("pyftpdlib")) GTEST_SKIP() << "python3-pyftpdlib is not installed";
  int port = freeLoopbackPort();
  std::string log = dir.file("ftpd.log");
  showOnFailure(log);
  ::mkdir(dir.file("ftp").c_str(), 0755);
  Child ftpd({kPython, "-m", "pyftpdlib", "-i", "127.0.0.1", "-p", std::to_string(port), "-d", dir.file("ftp"),
              "-u", "probe", "-P", "s3cret"},
             log);
  ASSERT_TRUE(ftpd.waitFor([&] { return tcpConnects(port); }));

  // pyftpdlib answers a wrong password only after a pause of about 3 s: a longer timeout.
  std::string at = "ftp -host 127.0.0.1 -port " + std::to_string(port) + " -user probe";
  startStack("check files " + at + " -password s3cret\n" + "check badpass " + at +
             " -password wrong -interval 8s -timeout 6s\n");
  std::string up = change("files", "UP");
  ASSERT_FALSE(up.empty());
  EXPECT_NE(attr(up, "banner"), "");
  std::string refused = change("badpass", "FAIL");
  ASSERT_FALSE(refused.empty());
  EXPECT_EQ(field(refused, "note"), "login refused");
  EXPECT_EQ(attr(refused, "reply"), "530");
  EXPECT_EQ(attr(refused, "step"), "pass");
  EXPECT_EQ(field(record("files"), "state"), "UP");

  ftpd.kill9();
  expectFall("files", "connection refused");
}

TEST_F(HcPeersTest, DnsThroughBindWithRightAndWrongExpectation) {
  int port = freeLoopbackPort();
  // named runs as bind: it must be able to pass through the test's folder to its own.
  ::chmod(dir.path().c_str(), 0711);
  ::mkdir(dir.file("named").c_str(), 0755);
  std::string zone =
      "$TTL 60\n"
      "@ SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 60\n"
      "@ NS ns.example.test.\n"
      "ns A 127.0.0.1\n"
      "www A 203.0.113.10\n";
  std::string why;
  showOnFailure(dir.file("named/named.log"));
  auto named = startNamed(dir.file("named"), port, "example.test", zone, &why);
  if (!named && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
  ASSERT_TRUE(named) << why;

  std::string at = "dns -server 127.0.0.1 -port " + std::to_string(port) + " -name www.example.test";
  startStack("check www " + at + " -expect 203.0.113.10\n" + "check moved " + at + " -expect 203.0.113.99\n");
  std::string up = change("www", "UP");
  ASSERT_FALSE(up.empty());
  EXPECT_EQ(attr(up, "answer"), "203.0.113.10");
  EXPECT_EQ(attr(up, "rcode"), "NOERROR");
  ASSERT_TRUE(hasStateAndNote("moved", "FAIL", "answer mismatch")) << record("moved");

  // named dies: its UDP port is closed, and the kernel says so (ICMP port unreachable).
  named->kill9();
  expectFall("www", "connection refused");

  named = startNamed(dir.file("named"), port, "example.test", zone, &why);
  ASSERT_TRUE(named) << why;
  expectRise("www");
}

// -close: a server on loopback (a listener of the test's own) sees how `hc --once` ends
// the probe's connection: a FIN (read returns 0) with -close fin, a reset (ECONNRESET)
// by default. The http probe gets a whole response first, the tcp probe nothing.
class HcCloseTest : public ::testing::Test {
 protected:
  // Runs one check of `kind` with `options` against the listener and returns how the
  // connection ended, as the server saw it: "fin", "reset", or what went wrong.
  std::string howItEnds(const std::string& kind, const std::string& options) {
    int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(lfd, 8) != 0 ||
        ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      return "listener: " + std::string(strerror(errno));
    std::string port = std::to_string(ntohs(a.sin_port));
    std::string target = kind == "http" ? "-url http://127.0.0.1:" + port + "/" : "-host 127.0.0.1 -port " + port;
    std::string hcfile = dir_.path() + "/Hcfile";
    writeFile(hcfile, "check c " + kind + " " + target + " -timeout 10s -interval 20s " + options + "\n");
    auto hc = std::async(std::launch::async, [&] {
      return runProgram("hc/hc", {"--once", "-m", "none", "-f", hcfile});
    });
    std::string how = serveOne(lfd, kind == "http");
    RunResult r = hc.get();
    ::close(lfd);
    if (r.status != 0) return how + " (hc: status " + std::to_string(r.status) + ": " + r.out + r.err + ")";
    return how;
  }

  // Accepts one connection; for http reads the request and answers 200 without closing;
  // then waits for the end of the stream.
  static std::string serveOne(int lfd, bool http) {
    pollfd p{lfd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kDeadline).count())) != 1) return "no connection";
    int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return "accept: " + std::string(strerror(errno));
    std::string got;
    std::string how;
    char buf[4096];
    for (;;) {
      p = {fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kDeadline).count())) != 1) {
        how = "no end";
        break;
      }
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n == 0) {
        how = "fin";
        break;
      }
      if (n < 0) {
        how = errno == ECONNRESET ? "reset" : "read: " + std::string(strerror(errno));
        break;
      }
      got.append(buf, static_cast<size_t>(n));
      if (http && got.find("\r\n\r\n") != std::string::npos) {
        const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        if (::write(fd, reply, sizeof reply - 1) != static_cast<ssize_t>(sizeof reply - 1)) how = "write failed";
        http = false;  // answered once; now only the end matters
        if (!how.empty()) break;
      }
    }
    ::close(fd);
    return how;
  }

  TempDir dir_;
};

TEST_F(HcCloseTest, HttpEndsWithAFinWithCloseFinAndAResetByDefault) {
  EXPECT_EQ(howItEnds("http", "-close fin"), "fin");
  EXPECT_EQ(howItEnds("http", ""), "reset");
  EXPECT_EQ(howItEnds("http", "-close reset"), "reset");
}

TEST_F(HcCloseTest, TcpEndsWithAFinWithCloseFinAndAResetByDefault) {
  EXPECT_EQ(howItEnds("tcp", "-close fin"), "fin");
  EXPECT_EQ(howItEnds("tcp", ""), "reset");
}

}  // namespace
}  // namespace fail::test

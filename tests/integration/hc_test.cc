// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// hc end to end: the real hc and faild on loopback, with real peers (Python's
// http.server, a TCP listener) taken down and up; faild killed and restarted; hc -t on
// the sample and on broken files; hc --once; reload, dump and the monitor port.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fcntl.h>
#include <sstream>
#include <thread>

#include "harness.hh"
#include "hc_fixture.hh"

namespace fail::test {
namespace {

// A port on 127.0.0.1 nobody listens on right now.
int freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
  socklen_t len = sizeof sin;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
  ::close(fd);
  return ntohs(sin.sin_port);
}

// Python's http.server on 127.0.0.1:port serving `root`, its request log in `log`.
class HttpPeer {
 public:
  HttpPeer(std::string root, std::string log) : root_(std::move(root)), log_(std::move(log)), port_(freePort()) {}
  ~HttpPeer() { stop(); }
  bool start() {
    ExecPlan plan("/usr/bin/python3", {"-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                                       root_, std::to_string(port_)});
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      plan.exec();
    }
    return eventually([&] { return LineClient(address()).connected(); });
  }
  void stop() {  // SIGKILL: the target dies, it does not say goodbye
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // Requests for `path` in the log so far.
  size_t requests(const std::string& path) const {
    std::string text = readFile(log_), needle = "\"GET " + path + " ";
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  }

 private:
  std::string root_, log_;
  int port_;
  pid_t pid_ = -1;
};

// A TCP service that accepts and closes, in a thread; stop() and start() keep the port.
class TcpPeer {
 public:
  TcpPeer() : port_(freePort()) {}
  ~TcpPeer() { stop(); }
  bool start() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(static_cast<uint16_t>(port_));
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0 || ::listen(fd_, 64) != 0) return false;
    running_ = true;
    thread_ = std::thread([this] {
      while (running_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) > 0) {
          int c = ::accept(fd_, nullptr, nullptr);
          if (c >= 0) ::close(c);
        }
      }
    });
    return true;
  }
  void stop() {
    if (!running_) return;
    running_ = false;
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int port_, fd_ = -1;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

class HcTest : public HcFixture {};

TEST_F(HcTest, HttpTargetGoesUpFailUpWithRiseAndFall) {
  ::mkdir(dir.file("www").c_str(), 0755);
  writeFile(dir.file("www/health"), "ok\n", 0644);
  HttpPeer web(dir.file("www"), dir.file("http.log"));
  ASSERT_TRUE(web.start());
  auto faild = startFaild();
  auto w = watch(faild->address(), "web1@*");
  auto hc = startHc("location fra\nreport " + faild->address() + "\n" +
                    "check web1 http -url http://127.0.0.1:" + std::to_string(web.port()) +
                    "/health -body ok -interval 200ms -rise 2 -fall 3\n");
  std::string up = nextChange(*w, "web1@fra", "UP");
  ASSERT_FALSE(up.empty());
  EXPECT_EQ(attr(up, "status"), "200");
  EXPECT_EQ(attr(up, "outcome"), "ok");
  EXPECT_EQ(field(up, "ttl"), "2s");
  EXPECT_EQ(attr(up, "location"), "fra");
  EXPECT_EQ(field(up, "origin"), "hc");  // the name hc gives itself in HELLO
  // hc's own monitor port serves the same record, with the same protocol.
  LineClient mon(hc->address());
  EXPECT_EQ(mon.request("HELLO test").rfind("OK hc ", 0), 0u);
  EXPECT_EQ(field(words(mon.request("GET web1@fra")).at(1), "state"), "UP");

  web.stop();
  std::string down = nextChange(*w, "web1@fra", "FAIL");
  ASSERT_FALSE(down.empty());
  EXPECT_EQ(field(down, "note"), "connection refused");
  EXPECT_EQ(attr(down, "fail_streak"), "3");  // exactly the fall count
  EXPECT_EQ(field(words(mon.request("GET web1@fra")).at(1), "state"), "FAIL");

  size_t before = web.requests("/health");
  ASSERT_TRUE(web.start());
  std::string back = nextChange(*w, "web1@fra", "UP");
  ASSERT_FALSE(back.empty());
  EXPECT_EQ(attr(back, "ok_streak"), "2");  // exactly the rise count
  EXPECT_GE(web.requests("/health") - before, 2u);
  EXPECT_NE(hc->log().find("+fail check=web1 note=\"connection refused\" fails=3"), std::string::npos) << hc->log();
  EXPECT_NE(hc->log().find("-fail check=web1 state=UP"), std::string::npos);
}

TEST_F(HcTest, DependencyFailsItsDependants) {
  TcpPeer gw, app;
  ASSERT_TRUE(gw.start());
  ASSERT_TRUE(app.start());
  // This time hc reports over a Unix socket.
  std::string sock = dir.file("faild.sock");
  auto faild = startFaild(0, {"--listen", "unix:" + sock});
  auto w = watch(faild->address(), "*");
  auto hc = startHc("report unix:" + sock + "\ndefaults -interval 200ms -rise 1 -fall 1\n" +
                    "check gw tcp -host 127.0.0.1 -port " + std::to_string(gw.port()) + "\n" +
                    "check app tcp -host 127.0.0.1 -port " + std::to_string(app.port()) + " -depends gw\n");
  ASSERT_FALSE(nextChange(*w, "app", "UP").empty());
  gw.stop();
  std::string app2 = nextChange(*w, "app", "FAIL");
  ASSERT_FALSE(app2.empty());
  EXPECT_EQ(field(app2, "note"), "dependency gw failed");
  ASSERT_TRUE(gw.start());
  ASSERT_FALSE(nextChange(*w, "app", "UP").empty());
}

TEST_F(HcTest, FaildRestartLosesNoTransition) {
  TcpPeer svc;
  ASSERT_TRUE(svc.start());
  auto faild = startFaild();
  int port = faild->port();
  auto hc = startHc("report " + faild->address() + "\ncheck svc tcp -host 127.0.0.1 -port " +
                    std::to_string(svc.port()) + " -interval 200ms -rise 1 -fall 2\n");
  ASSERT_TRUE(eventually([&] { return field(get(faild->address(), "svc"), "state") == "UP"; }));
  faild->kill9();
  // The target fails while faild is away; hc sees it (its monitor port says so).
  svc.stop();
  ASSERT_TRUE(eventually([&] { return field(get(hc->address(), "svc"), "state") == "FAIL"; }));
  std::string local = get(hc->address(), "svc");
  std::int64_t failedAt = std::stoll(field(local, "since"));
  faild = startFaild(port);  // a new, empty faild on the same port
  ASSERT_TRUE(eventually([&] { return field(get(faild->address(), "svc"), "state") == "FAIL"; }));
  std::string rec = get(faild->address(), "svc");
  // The change arrived with at=: its time is when hc saw it, before this faild started.
  std::int64_t since = std::stoll(field(rec, "since"));
  EXPECT_LE(std::llabs(since - failedAt), 1'000'000) << rec << " vs " << local;
  EXPECT_EQ(field(rec, "note"), "connection refused");
  EXPECT_NE(hc->log().find("-report faild=" + faild->address()), std::string::npos) << hc->log();
  // And it keeps going: the service comes back, faild hears of it.
  ASSERT_TRUE(svc.start());
  ASSERT_TRUE(eventually([&] { return field(get(faild->address(), "svc"), "state") == "UP"; }));
}

TEST_F(HcTest, CheckConfigOnTheSampleAndOnBrokenFiles) {
  auto r = runProgram("hc/hc", {"-t", "-f", sourceDir() + "/samples/hc/Hcfile"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("configuration OK"), std::string::npos) << r.out;
  struct Case {
    std::string text, expect;
  } cases[] = {
      {"\ncheck web1 htttp -url http://127.0.0.1/\n", ":2: check web1: unknown kind \"htttp\""},
      {"check web1 tcp -host 127.0.0.1 -port 80 -intervall 5s\n", ":1: check web1: unknown option -intervall"},
      {"check web1 tcp -host 127.0.0.1 -port 80\n\ncheck web2 tcp -host 127.0.0.1 -port 99999\n",
       ":3: check web2: -port: "},
      {"check web1 tcp -host 127.0.0.1 -port 80 -interval 1s -timeout 1s\n", ":1: check web1: -timeout: "},
      {"set x 1\nexec rm -rf /\n", ":2: invalid command name \"exec\""},
      {"check web1 tcp -host 127.0.0.1 -port 80 {\n", "missing close-brace"},
      {"report 127.0.0.1:1847 -tls -ca /nonexistent/ca.pem\n", ":1: report 127.0.0.1:1847: "},
  };
  for (const auto& c : cases) {
    writeFile(dir.file("bad"), c.text);
    auto b = runProgram("hc/hc", {"-t", "-f", dir.file("bad")});
    EXPECT_EQ(b.status, 1) << c.text;
    EXPECT_NE(b.err.find(dir.file("bad")), std::string::npos) << b.err;
    EXPECT_NE(b.err.find(c.expect), std::string::npos) << "want: " << c.expect << "\ngot: " << b.err;
  }
  auto none = runProgram("hc/hc", {"-t", "-f", dir.file("nothere")});
  EXPECT_EQ(none.status, 1);
  EXPECT_NE(none.err.find("nothere: cannot read"), std::string::npos) << none.err;
}

TEST_F(HcTest, OnceRunsChecksAndPrintsResults) {
  ::mkdir(dir.file("www").c_str(), 0755);
  writeFile(dir.file("www/health"), "ok\n", 0644);
  HttpPeer web(dir.file("www"), dir.file("http.log"));
  ASSERT_TRUE(web.start());
  writeFile(dir.file("Hcfile"), "check web1 http -url http://127.0.0.1:" + std::to_string(web.port()) +
                                    "/health\ncheck shut tcp -host 127.0.0.1 -port " + std::to_string(freePort()) +
                                    "\n");
  auto ok = runProgram("hc/hc", {"-f", dir.file("Hcfile"), "--once", "web1"});
  EXPECT_EQ(ok.status, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("web1 (http): ok in "), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("status=200"), std::string::npos) << ok.out;
  auto all = runProgram("hc/hc", {"-f", dir.file("Hcfile"), "--once"});
  EXPECT_EQ(all.status, 1) << all.out << all.err;
  EXPECT_NE(all.out.find("shut (tcp): unreachable in "), std::string::npos) << all.out;
  auto bad = runProgram("hc/hc", {"-f", dir.file("Hcfile"), "--once", "nosuch"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("no check named \"nosuch\""), std::string::npos) << bad.err;
}

TEST_F(HcTest, ReloadDumpAndDebugOnTheMonitorPort) {
  TcpPeer a;
  ASSERT_TRUE(a.start());
  auto faild = startFaild();
  std::string head = "report " + faild->address() + "\ndefaults -interval 200ms -rise 1\n" +
                     "check a tcp -host 127.0.0.1 -port " + std::to_string(a.port()) + "\n";
  auto hc = startHc(head);
  ASSERT_TRUE(eventually([&] { return field(get(faild->address(), "a"), "state") == "UP"; }));
  // A broken file: hc logs it and keeps running the old configuration.
  writeFile(dir.file("Hcfile"), head + "check b nosuch\n");
  hc->signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return hc->log().find("reload failed") != std::string::npos; })) << hc->log();
  EXPECT_NE(hc->log().find("check b: unknown kind \"nosuch\""), std::string::npos);
  // A good one: the new check appears, the old one keeps its counters.
  writeFile(dir.file("Hcfile"), head + "check b tcp -host 127.0.0.1 -port " + std::to_string(a.port()) + "\n");
  hc->signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return field(get(faild->address(), "b"), "state") == "UP"; })) << hc->log();
  EXPECT_NE(hc->log().find("1 unchanged"), std::string::npos) << hc->log();
  hc->signal(SIGUSR1);
  ASSERT_TRUE(eventually([&] { return hc->log().find("check b kind=tcp state=UP") != std::string::npos; }))
      << hc->log();
  EXPECT_NE(hc->log().find("report faild=" + faild->address() + " state=ready"), std::string::npos);
  // faildebug speaks DEBUG on hc's monitor port.
  auto d = runProgram("failc/faildebug", {"-h", "127.0.0.1", "-p", std::to_string(hc->port()), "report", "debug"});
  EXPECT_EQ(d.status, 0) << d.out << d.err;
  auto show = runProgram("failc/faildebug", {"-h", "127.0.0.1", "-p", std::to_string(hc->port())});
  EXPECT_NE(show.out.find("report"), std::string::npos) << show.out << show.err;
  EXPECT_NE(show.out.find("debug"), std::string::npos) << show.out;
  hc->signal(SIGTERM);
  EXPECT_EQ(hc->wait(), 0);
  EXPECT_NE(hc->log().find("stopped"), std::string::npos);
}

// Hcfile(5) is written from the schema tables (hc/hcfile-kinds.py): every kind and
// option hc knows is documented there, in its kind's section.
TEST_F(HcTest, HcfileManPageListsEveryKindAndOption) {
  auto r = runProgram("hc/hc", {"--list-kinds"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string page = readFile(sourceDir() + "/man/Hcfile.5");
  ASSERT_FALSE(page.empty());
  std::string section;  // the page's section for the current kind
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    if (line[0] != ' ') {
      std::string kind = line.substr(0, line.find(':'));
      std::string head = kind == "options of every check" ? ".SS \"Options of every check\"\n" : ".SS " + kind + "\n";
      size_t at = page.find(head);
      EXPECT_NE(at, std::string::npos) << "Hcfile(5) lacks kind " << kind
                                       << "; run hc/hcfile-kinds.py BUILDDIR/hc/hc man/Hcfile.5";
      section = at == std::string::npos ? "" : page.substr(at, page.find(".SS ", at + 4) - at);
      continue;
    }
    std::string opt = line.substr(3, line.find(' ', 3) - 3), escaped;
    for (char c : opt) escaped += c == '-' ? std::string("\\-") : std::string(1, c);
    EXPECT_NE(section.find(".BI \\-" + escaped + " "), std::string::npos)
        << "Hcfile(5) lacks -" << opt << " in its section; run hc/hcfile-kinds.py BUILDDIR/hc/hc man/Hcfile.5";
  }
}

}  // namespace
}  // namespace fail::test

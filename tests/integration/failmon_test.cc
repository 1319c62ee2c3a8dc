// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failmon's modes without a terminal (-1, --json, -h, -l) against a real faild, a real
// failsh's monitor port and a real hc's monitor port, and against fake targets that
// send garbage or say nothing.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "../unit/client/fake_server.hh"
#include "failsh_fixture.hh"
#include "harness.hh"
#include "tls_client.hh"

namespace fail::test {
namespace {

using client::test::FakeServer;

// failmon started with pipes on stdin and stdout, for -l.
class Piped {
 public:
  explicit Piped(const std::vector<std::string>& args) {
    int in[2], out[2];
    EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    std::string program = buildDir() + "/failmon/failmon";
    ExecPlan plan(program, args);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      plan.exec();
    }
    ::close(in[0]);
    ::close(out[1]);
    in_ = in[1];
    out_ = out[0];
  }
  ~Piped() {
    if (in_ >= 0) ::close(in_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
  }
  void send(const std::string& text) { EXPECT_EQ(::write(in_, text.data(), text.size()), ssize_t(text.size())); }
  void closeInput() { ::close(in_), in_ = -1; }
  // Reads until the output so far holds `what` (true) or the deadline passes.
  bool readUntil(const std::string& what, std::chrono::milliseconds deadline = kDeadline) {
    auto end = Clock::now() + deadline;
    while (out.find(what) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(out_, buf, sizeof buf);
      if (n <= 0) return out.find(what) != std::string::npos;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }
  // Waits for the exit; its status, or -1 when it did not end within the deadline.
  int wait(std::chrono::milliseconds deadline = kDeadline) {
    int status = -1;
    bool done = eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, deadline);
    if (!done) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string out;

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
};

class FailmonTest : public FailshFixture {
 protected:
  RunResult failc(std::vector<std::string> args, const Daemon& d) {
    args.insert(args.begin(), {"-p", portOf(d)});
    return runProgram("failc/failc", args);
  }
  std::unique_ptr<Daemon> hc(const std::string& tag, const std::string& hcfile) {
    writeFile(dir.file(tag + ".Hcfile"), hcfile);
    auto d = std::make_unique<Daemon>("hc/hc", std::vector<std::string>{"-f", dir.file(tag + ".Hcfile"), "--monitor", "127.0.0.1:0"},
                                      dir, tag);
    EXPECT_TRUE(d->start()) << d->log();
    tags_.push_back(tag);
    return d;
  }
  std::unique_ptr<Daemon> failshWithService(const Daemon& fa) {
    return failsh("failsh", "failhost localhost port " + portOf(fa) + "\n" +
                                "failhost beta address 127.0.0.1 port 1\n"
                                "failsvc www interval 1s slaves {beta}\n");
  }
  static RunResult failmon(const std::vector<std::string>& args) { return runProgram("failmon/failmon", args); }
};

TEST_F(FailmonTest, OnceShowsAFaildAndItsRecords) {
  auto fa = faild("faild");
  ASSERT_EQ(failc({"set", "www", "UP", "--note", "HTTP 200"}, *fa).status, 0);
  ASSERT_EQ(failc({"set", "db", "FAIL"}, *fa).status, 0);
  RunResult r = failmon({"-1", fa->address()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find(fa->address() + "  faild "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 records: 1 up, 0 recover, 1 fail, 0 unknown"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("www"), std::string::npos);
  EXPECT_NE(r.out.find("\"HTTP 200\""), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(FailmonTest, OnceRecognisesAFailshMonitorPort) {
  auto fa = faild("faild");
  auto sh = failshWithService(*fa);
  ASSERT_TRUE(eventually([&] { return field(recordOf(sh->address(), "service:www"), "state") == "UP"; }));
  // -p gives the port of a target named without one.
  RunResult r = failmon({"-1", "-p", portOf(*sh), "127.0.0.1"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("  failsh "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("service:www"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("slaves beta"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("slave.beta=unreachable"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("host:beta"), std::string::npos) << r.out;
}

TEST_F(FailmonTest, OnceRecognisesAnHcMonitorPort) {
  auto fa = faild("faild");
  auto h = hc("hc", "location fra\ncheck svc tcp -host 127.0.0.1 -port " + portOf(*fa) + " -interval 200ms -rise 1\n");
  ASSERT_TRUE(eventually([&] { return field(recordOf(h->address(), "svc@fra"), "state") == "UP"; }));
  RunResult r = failmon({"-1", h->address()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("  hc "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("svc@fra"), std::string::npos) << r.out;
}

TEST_F(FailmonTest, SeveralTargetsInOneRunAsJson) {
  auto fa = faild("faild");
  ASSERT_EQ(failc({"set", "www", "UP"}, *fa).status, 0);
  auto sh = failshWithService(*fa);
  auto h = hc("hc", "location fra\ncheck svc tcp -host 127.0.0.1 -port " + portOf(*fa) + " -interval 200ms -rise 1\n");
  ASSERT_TRUE(eventually([&] { return field(recordOf(sh->address(), "service:www"), "state") == "UP"; }));
  RunResult r = failmon({"--json", fa->address(), sh->address(), h->address()});
  EXPECT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  ASSERT_EQ(j["targets"].size(), 3u) << r.out;
  EXPECT_EQ(j["targets"][0]["kind"], "faild");
  EXPECT_EQ(j["targets"][1]["kind"], "failsh");
  EXPECT_EQ(j["targets"][2]["kind"], "hc");
  for (const auto& t : j["targets"]) EXPECT_EQ(t["reach"], "up") << t.dump();
  EXPECT_EQ(j["targets"][0]["name"], fa->address());
  bool www = false;
  for (const auto& rec : j["targets"][0]["records"]) www |= rec["name"] == "www" && rec["state"] == "UP";
  EXPECT_TRUE(www) << r.out;
}

TEST_F(FailmonTest, HtmlHoldsTheRecords) {
  auto fa = faild("faild");
  ASSERT_EQ(failc({"set", "www", "FAIL", "--note", "<script>alert(1)</script>"}, *fa).status, 0);
  RunResult r = failmon({"-h", fa->address()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("<html"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("</html>"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("www"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("<script>alert"), std::string::npos) << r.out;
}

TEST_F(FailmonTest, AnUnreachableTargetIsReportedWithExitFour) {
  auto fa = faild("faild");
  std::string gone;
  {
    FakeServer closed(FakeServer::canned({}));
    gone = "127.0.0.1:" + closed.port();
  }
  RunResult r = failmon({"-1", fa->address(), gone});
  EXPECT_EQ(r.status, 4) << r.out << r.err;
  EXPECT_NE(r.out.find(gone + "  DOWN since "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("refused"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(fa->address() + "  faild "), std::string::npos) << r.out;
  RunResult j = failmon({"--json", gone});
  EXPECT_EQ(j.status, 4);
  nlohmann::json doc = nlohmann::json::parse(j.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << j.out;
  EXPECT_EQ(doc["targets"][0]["reach"], "down");
  EXPECT_NE(doc["targets"][0]["why"].get<std::string>().find("refused"), std::string::npos);
}

TEST_F(FailmonTest, GarbageAndSilenceAreMarkedDownWithinTheDeadline) {
  auto fa = faild("faild");
  FakeServer garbage([](const std::string&) { return std::vector<std::string>{"\x01\x02 {unbalanced", "<close>"}; });
  FakeServer silent([](const std::string&) { return std::vector<std::string>{}; });
  // Greets like faild, then stays silent after WATCH.
  FakeServer mute(FakeServer::canned({{"WATCH", {}}}));
  auto start = Clock::now();
  RunResult r = failmon({"-1", "--timeout", "3s", "127.0.0.1:" + garbage.port(), "127.0.0.1:" + silent.port(),
                         "127.0.0.1:" + mute.port(), fa->address()});
  EXPECT_LT(Clock::now() - start, 15s);
  EXPECT_EQ(r.status, 4) << r.out;
  auto block = [&](const std::string& port) {
    auto at = r.out.find("127.0.0.1:" + port + "  ");
    return at == std::string::npos ? std::string() : r.out.substr(at, r.out.find('\n', at) - at);
  };
  EXPECT_NE(block(garbage.port()).find("DOWN since"), std::string::npos) << r.out;
  EXPECT_NE(block(silent.port()).find("DOWN since"), std::string::npos) << r.out;
  EXPECT_NE(block(silent.port()).find("no answer within"), std::string::npos) << r.out;
  EXPECT_NE(block(mute.port()).find("DOWN since"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(fa->address() + "  faild "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\x01'), std::string::npos);
}

TEST_F(FailmonTest, LineModeDumpsOnEachLineUntilQ) {
  auto fa = faild("faild");
  ASSERT_EQ(failc({"set", "www", "UP"}, *fa).status, 0);
  Piped mon({"-l", fa->address()});
  // Return until the listing has arrived (the first dump may come before it).
  ASSERT_TRUE(eventually([&] {
    mon.send("\n");
    return mon.readUntil("www   UP", 500ms);
  }));
  ASSERT_EQ(failc({"set", "www", "FAIL", "--note", "down"}, *fa).status, 0);
  ASSERT_TRUE(eventually([&] {
    mon.send("\n");
    return mon.readUntil("\"down\"", 500ms);
  }));
  mon.send("q\n");
  EXPECT_EQ(mon.wait(), 0);
}

TEST_F(FailmonTest, LineModeJsonAndEndOfInput) {
  auto fa = faild("faild");
  ASSERT_EQ(failc({"set", "www", "UP"}, *fa).status, 0);
  Piped mon({"-l", "--json", fa->address()});
  ASSERT_TRUE(eventually([&] {
    mon.send("\n");
    return mon.readUntil("\"www\"", 500ms);
  }));
  auto last = mon.out.rfind('\n', mon.out.size() - 2);
  std::string doc = mon.out.substr(last == std::string::npos ? 0 : last + 1);
  EXPECT_FALSE(nlohmann::json::parse(doc, nullptr, false).is_discarded()) << doc;
  mon.closeInput();
  EXPECT_EQ(mon.wait(), 0);
}

TEST_F(FailmonTest, AnEscapeSequenceInANotePrintsWithoutTheEscByte) {
  auto fa = faild("faild");
  ASSERT_EQ(failc({"set", "evil", "FAIL", "--note", "\x1b[2J\x1b]0;owned\x07"}, *fa).status, 0);
  RunResult r = failmon({"-1", fa->address()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("evil"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[2J"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\x07'), std::string::npos) << r.out;
}

TEST_F(FailmonTest, UsageErrorsExitTwoNamingTheOption) {
  RunResult r = failmon({"-l", "-1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("-1 excludes -l"), std::string::npos) << r.err;
  r = failmon({"--bogus"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--bogus"), std::string::npos) << r.err;
  r = failmon({"-1", "host:0"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("host:0"), std::string::npos) << r.err;
  EXPECT_EQ(failmon({"--help"}).status, 0);
  EXPECT_EQ(failmon({"-V"}).out.rfind("failmon (failover) ", 0), 0u);
}

TEST_F(FailmonTest, TlsAndASecretFromAFileAndTheSecretIsNeverShown) {
  ASSERT_TRUE(makeCertificates(dir, "failmon"));
  const std::string secret = "failmon-s3cret-xyz";
  writeFile(dir.file("access"), "* " + secret + " RO failmon\n");
  writeFile(dir.file("secret"), secret + "\n");
  auto fa = std::make_unique<Daemon>("faild/faild",
                                     std::vector<std::string>{"--memory", "-c", dir.file("access"), "--tls-cert",
                                                              dir.file("server.pem"), "--tls-key", dir.file("server.key"),
                                                              "--listen", "tls:127.0.0.1:0", "--listen", "127.0.0.1:0"},
                                     dir, "faild");
  ASSERT_TRUE(fa->start()) << fa->log();
  tags_.push_back("faild");
  std::string tls = "127.0.0.1:" + std::to_string(fa->port());
  RunResult r = failmon({"-1", "--ca", dir.file("ca.pem"), "--secret-file", dir.file("secret"), "-d", "all", tls});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(tls + "  faild "), std::string::npos) << r.out;
  EXPECT_EQ((r.out + r.err).find(secret), std::string::npos);
  // Without the secret: down, and why.
  RunResult no = failmon({"-1", "--ca", dir.file("ca.pem"), tls});
  EXPECT_EQ(no.status, 4);
  EXPECT_NE(no.out.find("requires AUTH"), std::string::npos) << no.out;
  // A wrong CA: the handshake fails, and says so.
  RunResult bad = failmon({"-1", "--ca", dir.file("server.pem"), "-s", secret, tls});
  EXPECT_EQ(bad.status, 4);
  EXPECT_NE(bad.out.find("DOWN since"), std::string::npos) << bad.out;
  EXPECT_EQ(bad.out.find(secret), std::string::npos);
}

// The links of the build tree: called as failmon.cgi or hcmon.cgi, failmon is a CGI
// program (its configuration from the environment, never from the command line).
TEST_F(FailmonTest, CalledAsACgiProgramItAnswersAsOne) {
  auto fa = faild("faild");
  ASSERT_EQ(failc({"set", "www", "UP"}, *fa).status, 0);
  writeFile(dir.file("failmon.conf"), "title Ops\ntarget local " + fa->address() + "\n", 0644);
  std::vector<std::string> env = {"REQUEST_METHOD=GET", "QUERY_STRING=format=json", "FAILMON_CONFIG=" + dir.file("failmon.conf"),
                                  "HCMON_CONFIG=" + dir.file("failmon.conf")};
  for (const char* program : {"failmon/failmon.cgi", "failmon/hcmon.cgi"}) {
    RunResult r = runProgram(program, {"-1", "--bogus"}, env);
    EXPECT_EQ(r.status, 0) << program << r.err;
    auto body = r.out.find("\n\n");  // RFC 3875: headers end with an empty line, NL or CRLF
    ASSERT_NE(body, std::string::npos) << program << r.out;
    EXPECT_NE(r.out.substr(0, body).find("application/json"), std::string::npos) << r.out;
    nlohmann::json j = nlohmann::json::parse(r.out.substr(body + 2), nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    EXPECT_EQ(j["targets"][0]["kind"], "faild") << r.out;
  }
}

TEST_F(FailmonTest, ARestartedFaildShowsAsRestartedInLineMode) {
  auto fa = faild("faild");
  for (int i = 0; i < 5; ++i) ASSERT_EQ(failc({"set", "www", i % 2 ? "UP" : "FAIL"}, *fa).status, 0);
  std::string address = fa->address();
  Piped mon({"-l", address});
  ASSERT_TRUE(eventually([&] {
    mon.send("\n");
    return mon.readUntil("serial 5", 500ms);
  }));
  fa->kill9();
  ASSERT_TRUE(eventually([&] {
    mon.send("\n");
    return mon.readUntil("DOWN since", 500ms);
  }));
  // A new faild --memory on the same port: its serials start again.
  auto again = std::make_unique<Daemon>("faild/faild", std::vector<std::string>{"--memory", "--listen", address}, dir, "faild2");
  ASSERT_TRUE(again->start()) << again->log();
  tags_.push_back("faild2");
  ASSERT_EQ(failc({"set", "fresh", "UP"}, *again).status, 0);
  ASSERT_TRUE(eventually([&] {
    mon.send("\n");
    return mon.readUntil("restarted ", 500ms);
  }));
  EXPECT_TRUE(mon.readUntil("fresh", 2s));
  mon.send("q\n");
  EXPECT_EQ(mon.wait(), 0);
}

}  // namespace
}  // namespace fail::test

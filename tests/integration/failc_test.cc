// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failc, failstat and faildebug against a real faild: output, exit codes, secrets.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "harness.hh"

namespace fail::test {
namespace {

class ClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    writeFile(dir.file("access"), "* reader RO\n* writer RW admin\n");
    d = std::make_unique<Daemon>("faild/faild",
                                 std::vector<std::string>{"--memory", "-c", dir.file("access"),
                                                          "--listen", "127.0.0.1:0"},
                                 dir, "faild");
    ASSERT_TRUE(d->start()) << d->log();
    port = std::to_string(d->port());
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- faild log:\n" << d->log();
  }
  RunResult failc(std::vector<std::string> args, std::vector<std::string> env = {"FAIL_SECRET=writer"}) {
    args.insert(args.begin(), {"-p", port});
    return runProgram("failc/failc", args, env);
  }
  TempDir dir;
  std::unique_ptr<Daemon> d;
  std::string port;
};

TEST_F(ClientsTest, FailcRoundTripAndExitCodes) {
  auto r = failc({"set", "www", "FAIL", "--note", "HTTP 503", "--ttl", "30s", "--attr", "latency=12ms"});
  EXPECT_EQ(r.status, 0) << r.err;
  r = failc({"get", "www"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("www FAIL since"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("HTTP 503"), std::string::npos) << r.out;
  r = failc({"--json", "get", "www"});
  EXPECT_NE(r.out.find("\"state\":\"FAIL\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"origin\":\"admin\""), std::string::npos) << r.out;
  r = failc({"list"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("NAME"), std::string::npos);
  EXPECT_EQ(failc({"get", "nosuch"}).status, 1);                         // not found
  EXPECT_EQ(failc({"frob"}).status, 2);                                  // usage
  EXPECT_EQ(failc({"set", "www", "UP"}, {"FAIL_SECRET=reader"}).status, 3);  // denied
  EXPECT_EQ(failc({"get", "www"}, {}).status, 3);                        // needs AUTH
  EXPECT_EQ(runProgram("failc/failc", {"-p", "1", "get", "www"}).status, 4);  // cannot connect
  EXPECT_EQ(failc({"set", "www", "SOMETIMES"}).status, 2);              // failc knows the states
  EXPECT_EQ(failc({"set", "www", "UP", "--at", "@9999999999"}).status, 5);  // faild: ARGS, in the future
  EXPECT_EQ(failc({"del", "www"}).status, 0);
  EXPECT_EQ(failc({"del", "www"}).status, 1);
  EXPECT_EQ(runProgram("failc/failc", {"-V"}).out.rfind("failc (failover)", 0), 0u);
  EXPECT_NE(runProgram("failc/failc", {"--help"}).out.find("watch"), std::string::npos);
}

TEST_F(ClientsTest, FailcWatchStreamsChanges) {
  failc({"set", "a", "UP"});
  std::string out = dir.file("watch.out");
  ExecPlan plan(buildDir() + "/failc/failc", {"-p", port, "--json", "watch", "a*"},
                {"FAIL_SECRET=reader"});
  pid_t pid = ::fork();
  if (pid == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    plan.exec();
  }
  ASSERT_TRUE(eventually([&] { return readFile(out).find("\"event\":\"synced\"") != std::string::npos; }));
  failc({"set", "a", "FAIL", "--note", "down"});
  failc({"set", "b", "FAIL"});  // not matched
  failc({"set", "a2", "UP"});
  EXPECT_TRUE(eventually([&] { return readFile(out).find("\"name\":\"a2\"") != std::string::npos; }))
      << readFile(out);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::string text = readFile(out);
  EXPECT_NE(text.find("\"old_state\":\"UP\""), std::string::npos) << text;
  EXPECT_EQ(text.find("\"name\":\"b\""), std::string::npos) << text;
}

TEST_F(ClientsTest, FailstatAndFaildebug) {
  failc({"set", "web1", "UP", "--note", "HTTP 200"});
  failc({"set", "web2", "FAIL", "--note", "timeout"});
  auto r = runProgram("failc/failstat", {"-p", port, "-s", "reader"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("web1"), std::string::npos);
  EXPECT_NE(r.out.find("timeout"), std::string::npos);
  EXPECT_NE(r.out.find("ago"), std::string::npos) << r.out;
  r = runProgram("failc/failstat", {"--json", "-s", "reader", "127.0.0.1:" + port});
  EXPECT_NE(r.out.find("\"web2\""), std::string::npos) << r.out;
  r = runProgram("failc/faildebug", {"-p", port, "-s", "writer", "store", "debug"});
  EXPECT_EQ(r.status, 0) << r.err;
  r = runProgram("failc/faildebug", {"-p", port, "-s", "writer"});
  EXPECT_NE(r.out.find("debug"), std::string::npos) << r.out;
  EXPECT_EQ(runProgram("failc/faildebug", {"-p", port, "-s", "reader"}).status, 3);
}

// Without an access file a client's SETs carry the name it gave in HELLO (failc --as);
// an access entry's name wins over it.
TEST_F(ClientsTest, FailcAsNamesTheOriginUnlessTheAccessFileDoes) {
  Daemon open("faild/faild", {"--memory", "--listen", "127.0.0.1:0"}, dir, "faild-open");
  ASSERT_TRUE(open.start()) << open.log();
  std::string p = std::to_string(open.port());
  auto origin = [&](const std::string& port, const std::string& name, std::vector<std::string> env) {
    auto r = runProgram("failc/failc", {"-p", port, "--json", "get", name}, env);
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() && j.contains("origin") ? j["origin"].get<std::string>() : "?" + r.out + r.err;
  };
  EXPECT_EQ(runProgram("failc/failc", {"-p", p, "--as", "alice", "set", "x", "UP"}).status, 0);
  EXPECT_EQ(origin(p, "x", {}), "alice");
  EXPECT_EQ(runProgram("failc/failc", {"-p", p, "set", "y", "UP"}).status, 0);
  EXPECT_EQ(origin(p, "y", {}), "failc");
  auto bad = runProgram("failc/failc", {"-p", p, "--as", "two words", "set", "z", "UP"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("bad name 'two words' for --as"), std::string::npos) << bad.err;
  EXPECT_EQ(runProgram("failc/failc", {"-p", p, "--as", std::string(65, 'a'), "get", "x"}).status, 2);
  // faild itself refuses a bad name, for clients other than failc.
  LineClient c(open.address());
  EXPECT_EQ(c.request("HELLO {two words}").rfind("ERR ARGS invalid client name", 0), 0u);
  // With an access file, the entry's NAME ("admin") is the origin, whatever HELLO said.
  EXPECT_EQ(failc({"--as", "alice", "set", "w", "UP"}).status, 0);
  EXPECT_EQ(origin(port, "w", {"FAIL_SECRET=reader"}), "admin");
}

// The columns, in the order the programs print them (failstat -v, failc -v list), are
// the order failstat(1) and failc(1) describe.
TEST_F(ClientsTest, TableColumnsAreInTheOrderTheManPagesSay) {
  failc({"set", "web1", "UP", "--note", "HTTP 200", "--attr", "latency=3ms"});
  auto columnsOf = [](const std::string& text) {
    static const std::vector<std::string> known = {"TARGET", "NAME", "STATE", "SINCE", "TTL", "ORIGIN", "ATTRS", "NOTE"};
    std::vector<std::pair<size_t, std::string>> found;
    for (const auto& k : known)
      for (size_t at = text.find(k); at != std::string::npos; at = text.find(k, at + 1))
        if ((at == 0 || !std::isupper(static_cast<unsigned char>(text[at - 1]))) &&
            !std::isupper(static_cast<unsigned char>(text[at + k.size()])))
          found.emplace_back(at, k);
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (auto& f : found)
      if (f.second != "TARGET") out.push_back(f.second);
    return out;
  };
  auto header = [&](const RunResult& r) { return columnsOf(r.out.substr(0, r.out.find('\n'))); };
  auto described = [&](const std::string& page, const std::string& from) {
    std::string text = readFile(sourceDir() + "/man/" + page);
    size_t at = text.find(from);
    return at == std::string::npos ? std::vector<std::string>{} : columnsOf(text.substr(at, text.find("NOTE", at) + 4 - at));
  };
  std::vector<std::string> expected = {"NAME", "STATE", "SINCE", "TTL", "ORIGIN", "ATTRS", "NOTE"};
  EXPECT_EQ(header(runProgram("failc/failstat", {"-v", "-p", port, "-s", "reader"})), expected);
  EXPECT_EQ(header(failc({"-v", "list"})), expected);
  EXPECT_EQ(described("failstat.1", "as one aligned table:"), expected);
  EXPECT_EQ(described("failc.1", "as a table:"), expected);
}

// Every request failover-access(5) names in ACCESS LEVELS is one faild knows (it listed
// HISTORY, which faild does not have yet).
TEST_F(ClientsTest, AccessManPageNamesOnlyRequestsFaildKnows) {
  std::string page = readFile(sourceDir() + "/man/failover-access.5");
  size_t from = page.find(".SH ACCESS LEVELS"), to = page.find(".SH", from + 1);
  ASSERT_NE(from, std::string::npos);
  std::istringstream section(page.substr(from, to - from));
  LineClient c(d->address());
  std::string line;
  int named = 0;
  while (std::getline(section, line)) {
    if (line.rfind(".B ", 0) != 0 && line.rfind(".BR ", 0) != 0) continue;
    std::string word = line.substr(line.find(' ') + 1);
    word = word.substr(0, word.find_first_of(" ,."));
    if (word.empty() || word == "RO" || word == "RW" || !std::all_of(word.begin(), word.end(), ::isupper)) continue;
    ++named;
    EXPECT_EQ(c.request(word).rfind("ERR UNKNOWN", 0), std::string::npos) << word << " is not a request of faild";
  }
  EXPECT_GE(named, 6);  // GET LIST WATCH STATS SET DEL DEBUG
}

// With --json, failc, faildebug and failstat report errors as one JSON object on stderr
// (stdout keeps only results), with the exit status of the text mode.
TEST_F(ClientsTest, JsonErrorsAreJsonObjectsOnStderr) {
  auto check = [](const RunResult& r, int status, const std::string& code, const std::string& program) {
    EXPECT_EQ(r.status, status) << r.err;
    EXPECT_EQ(r.out, "");
    nlohmann::json j = nlohmann::json::parse(r.err, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.err;
    EXPECT_EQ(j.value("code", ""), code) << r.err;
    EXPECT_EQ(j.value("exit", -1), status) << r.err;
    EXPECT_EQ(j.value("program", ""), program) << r.err;
    EXPECT_FALSE(j.value("error", "").empty()) << r.err;
  };
  check(failc({"--json", "get", "nosuch"}), 1, "NOTFOUND", "failc");
  check(failc({"--json", "frob"}), 2, "USAGE", "failc");
  check(failc({"--json", "get", "www"}, {}), 3, "NEEDAUTH", "failc");
  check(runProgram("failc/failc", {"--json", "-p", "1", "get", "www"}), 4, "UNREACHABLE", "failc");
  check(runProgram("failc/faildebug", {"--json", "-p", port, "-s", "reader"}), 3, "DENIED", "faildebug");
  check(runProgram("failc/faildebug", {"--json", "-p", port, "-s", "writer", "nosuch"}), 1, "NOTFOUND", "faildebug");
  check(runProgram("failc/faildebug", {"--json", "-p", "1"}), 4, "UNREACHABLE", "faildebug");
  auto stat = runProgram("failc/failstat", {"--json", "-p", "1"});
  EXPECT_EQ(stat.status, 4);
  EXPECT_EQ(nlohmann::json::parse(stat.err, nullptr, false).value("code", ""), "UNREACHABLE") << stat.err;
  // Without --json, the same errors stay text for people.
  EXPECT_EQ(failc({"get", "nosuch"}).err.rfind("failc: get nosuch at ", 0), 0u);
}

}  // namespace
}  // namespace fail::test

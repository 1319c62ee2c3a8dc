// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failmon.cgi and hcmon.cgi run by a real web server: Debian's lighttpd with mod_cgi,
// configured by samples/lighttpd-failmon (its lighttpd.conf included as is, its
// failmon.conf and hcmon.conf with their loopback addresses pointed at the real faild,
// failsh and hc this test starts), the pages loaded in headless Chromium and checked
// through the DOM; a phone-sized screenshot is kept under the build tree.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../common/chromium.hh"
#include "../common/lighttpd.hh"
#include "harness.hh"

namespace fail::test {
namespace {

constexpr const char* kHostileNote = "<script>alert(1)</script><img src=x onerror=alert(2)>";

std::string absolute(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

// Every occurrence of `from` in `text` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class FailmonCgiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = lighttpdMissing(); !why.empty()) GTEST_SKIP() << why;
    samples_ = absolute(sourceDir()) + "/samples/lighttpd-failmon";
    faild_ = start("faild/faild", {"--memory", "--listen", "127.0.0.1:0"}, "faild");
    ASSERT_TRUE(faild_);
    ASSERT_EQ(failc({"set", "www", "UP", "--note", "HTTP 200"}).status, 0);
    ASSERT_EQ(failc({"set", "db", "FAIL", "--note", kHostileNote}).status, 0);
    ASSERT_EQ(failc({"set", "esc", "RECOVER", "--note", "\x1b[2J\x1b]0;owned\x07 " + std::string(300, 'w')}).status, 0);
    writeFile(dir_.file("policy.tcl"), "failhost localhost port " + portOf(*faild_) +
                                           "\nfailhost peer address 127.0.0.1 port 1\n"
                                           "failsvc www interval 1s slaves {peer}\n");
    failsh_ = start("failsh/failsh", {"-f", dir_.file("policy.tcl"), "-m", "127.0.0.1:0", "-l", dir_.file("failsh.dump")},
                    "failsh");
    ASSERT_TRUE(failsh_);
    std::string fra = "location fra\ncheck web tcp -host 127.0.0.1 -port " + portOf(*faild_) +
                      " -interval 200ms -rise 1\n";
    std::string ams = "location ams\ncheck web tcp -host 127.0.0.1 -port " + portOf(*faild_) +
                      " -interval 200ms -rise 1\ncheck mail tcp -host 127.0.0.1 -port 1 -interval 200ms -fall 1\n";
    writeFile(dir_.file("fra.Hcfile"), fra);
    writeFile(dir_.file("ams.Hcfile"), ams);
    hcFra_ = start("hc/hc", {"-f", dir_.file("fra.Hcfile"), "--monitor", "127.0.0.1:0"}, "hc-fra");
    hcAms_ = start("hc/hc", {"-f", dir_.file("ams.Hcfile"), "--monitor", "127.0.0.1:0"}, "hc-ams");
    ASSERT_TRUE(hcFra_ && hcAms_);
    // The sample's configurations, pointed at this test's processes; beta at a port
    // where nothing listens.
    closedPort_ = "127.0.0.1:" + std::to_string(freeLoopbackPort());
    std::string etc = dir_.file("etc");
    ::mkdir(etc.c_str(), 0755);
    std::string fm = readFile(samples_ + "/failmon.conf");
    fm = replaced(fm, "127.0.0.1:1848", failsh_->address());
    fm = replaced(fm, "127.0.0.1:1849", closedPort_);
    fm = replaced(fm, "127.0.0.1:1847", faild_->address());
    writeFile(etc + "/failmon.conf", fm, 0644);
    std::string hm = readFile(samples_ + "/hcmon.conf");
    hm = replaced(hm, "127.0.0.1:1850", hcFra_->address());
    hm = replaced(hm, "127.0.0.1:1851", hcAms_->address());
    writeFile(etc + "/hcmon.conf", hm, 0644);
    // The programs as `make install` puts them: links to failmon named failmon.cgi and
    // hcmon.cgi in a cgi-bin folder.
    std::string cgiBin = dir_.file("cgi-bin");
    ::mkdir(cgiBin.c_str(), 0755);
    std::string failmon = absolute(buildDir() + "/failmon/failmon");
    ASSERT_EQ(::symlink(failmon.c_str(), (cgiBin + "/failmon.cgi").c_str()), 0);
    ASSERT_EQ(::symlink(failmon.c_str(), (cgiBin + "/hcmon.cgi").c_str()), 0);
    std::string why;
    web_ = startLighttpd(dir_.path(),
                         "var.failmon_cgi_dir = \"" + cgiBin + "\"\nvar.failmon_conf_dir = \"" + etc +
                             "\"\ninclude \"" + samples_ + "/lighttpd.conf\"\n",
                         &why);
    ASSERT_TRUE(web_.child) << why;
    // The service has been decided once, so the page has something to show.
    ASSERT_TRUE(eventually([&] { return field(record(failsh_->address(), "service:www"), "state") == "UP"; }));
    ASSERT_TRUE(eventually([&] { return field(record(hcFra_->address(), "web@fra"), "state") == "UP"; }));
    ASSERT_TRUE(eventually([&] { return field(record(hcAms_->address(), "mail@ams"), "state") == "FAIL"; }));
  }
  void TearDown() override {
    if (web_.child) web_.child->stop();
    if (!HasFailure()) return;
    for (const char* t : {"faild", "failsh", "hc-fra", "hc-ams"})
      std::cerr << "--- " << t << ".log:\n" << readFile(dir_.file(std::string(t) + ".log"));
    std::cerr << "--- lighttpd.log:\n" << readFile(web_.log);
  }

  std::unique_ptr<Daemon> start(const std::string& program, std::vector<std::string> args, const std::string& tag) {
    auto d = std::make_unique<Daemon>(program, std::move(args), dir_, tag);
    if (!d->start()) {
      ADD_FAILURE() << tag << " did not start: " << d->log();
      return nullptr;
    }
    return d;
  }
  RunResult failc(std::vector<std::string> args) {
    args.insert(args.begin(), {"-p", portOf(*faild_)});
    return runProgram("failc/failc", args);
  }
  static std::string record(const std::string& address, const std::string& name) {
    LineClient c(address);
    auto w = words(c.request("GET " + name));
    return w.size() == 2 && w[0] == "OK" ? w[1] : "";
  }
  std::string url(const std::string& pathAndQuery) const {
    return "http://127.0.0.1:" + std::to_string(web_.port) + pathAndQuery;
  }
  // The DOM of a page as Chromium built it; fails the test on a CSP violation (the
  // page's one style sheet must be allowed by the policy's hash).
  std::string dom(const std::string& pathAndQuery) {
    ChromiumRun r = runChromium(dir_.path(), {"--enable-logging=stderr", "--v=0", "--dump-dom"}, url(pathAndQuery));
    EXPECT_TRUE(r.finished && r.status == 0) << "chromium: " << r.status << "\n" << r.err;
    EXPECT_EQ(r.err.find("Content Security Policy"), std::string::npos) << r.err;
    return r.out;
  }
  // Where a test keeps what a person may want to look at afterwards.
  static std::string artifactDir() { return test::artifactDir(buildDir()); }

  TempDir dir_;
  std::string samples_, closedPort_;
  std::unique_ptr<Daemon> faild_, failsh_, hcFra_, hcAms_;
  Lighttpd web_;
};

TEST_F(FailmonCgiTest, FailmonPageInChromiumShowsRecordsStatesAndUnreachableTarget) {
  if (std::string why = chromiumMissing(); !why.empty()) GTEST_SKIP() << why;
  std::string d = dom("/failover/failmon.cgi");
  ASSERT_NE(d.find("</html>"), std::string::npos) << d;
  EXPECT_NE(d.find("<title>failover: front-end pair</title>"), std::string::npos) << d;
  EXPECT_NE(d.find("<meta http-equiv=\"refresh\" content=\"15\">"), std::string::npos) << d;
  // The faild (target "state"): its records, their state words and colour classes.
  EXPECT_NE(d.find("<h2>state <small class=\"muted\">faild"), std::string::npos) << d;
  EXPECT_NE(d.find("<td data-label=\"Name\">www</td><td data-label=\"State\"><span class=\"st s-up\">UP</span>"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("<td data-label=\"Name\">db</td><td data-label=\"State\"><span class=\"st s-fail\">FAIL</span>"),
            std::string::npos)
      << d;
  // failsh (alpha): the service with its slave and what the slave reported.
  EXPECT_NE(d.find("<h2>alpha <small class=\"muted\">failsh"), std::string::npos) << d;
  EXPECT_NE(d.find("service:www"), std::string::npos) << d;
  EXPECT_NE(d.find("slaves: peer"), std::string::npos) << d;
  EXPECT_NE(d.find("peer (slave) reported unreachable"), std::string::npos) << d;
  // beta: nothing listens there.
  auto beta = d.find("<h2>beta ");
  ASSERT_NE(beta, std::string::npos) << d;
  EXPECT_NE(d.find("unreachable since", beta), std::string::npos) << d;
  EXPECT_NE(d.find("refused", beta), std::string::npos) << d;
  // The hostile note is text: no element came of it.
  EXPECT_NE(d.find("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"), std::string::npos)
      << d;
  EXPECT_EQ(d.find("<script"), std::string::npos) << d;
  EXPECT_EQ(d.find("<img"), std::string::npos) << d;
  // Control characters show as visible escapes; the long word is there whole.
  EXPECT_NE(d.find("\\x1b[2J\\x1b]0;owned\\x07 " + std::string(300, 'w')), std::string::npos) << d;
  EXPECT_EQ(d.find('\x1b'), std::string::npos);

  // A phone-sized screenshot, kept.
  std::string png = artifactDir() + "/failmon-cgi-phone.png";
  std::remove(png.c_str());
  ChromiumRun shot = chromiumScreenshot(dir_.path(), url("/failover/failmon.cgi"), png);
  EXPECT_TRUE(shot.finished && shot.status == 0) << shot.err;
  EXPECT_EQ(readFile(png).substr(0, 8), "\x89PNG\r\n\x1a\n") << png;
  RecordProperty("screenshot", png);
}

TEST_F(FailmonCgiTest, HcmonPageGroupsChecksByLocation) {
  if (std::string why = chromiumMissing(); !why.empty()) GTEST_SKIP() << why;
  std::string d = dom("/failover/hcmon.cgi");
  ASSERT_NE(d.find("</html>"), std::string::npos) << d;
  EXPECT_NE(d.find("<title>failover: checks</title>"), std::string::npos) << d;
  auto ams = d.find("<h2>location ams</h2>");
  auto fra = d.find("<h2>location fra</h2>");
  ASSERT_NE(ams, std::string::npos) << d;
  ASSERT_NE(fra, std::string::npos) << d;
  ASSERT_LT(ams, fra);
  auto webAms = d.find(">web@ams<"), mailAms = d.find(">mail@ams<"), webFra = d.find(">web@fra<");
  EXPECT_TRUE(webAms > ams && webAms < fra) << d;
  EXPECT_TRUE(mailAms > ams && mailAms < fra) << d;
  EXPECT_GT(webFra, fra) << d;
  // Each row: the state word, a latency for a check that was answered, the hc's name.
  EXPECT_NE(d.find("<span class=\"st s-fail\">FAIL</span>", mailAms), std::string::npos) << d;
  auto latency = d.find("<td data-label=\"Latency\">", webFra);
  ASSERT_NE(latency, std::string::npos) << d;
  EXPECT_NE(d.substr(latency, 60).find("ms</td>"), std::string::npos) << d.substr(latency, 60);
  EXPECT_NE(d.find("<td data-label=\"hc\">fra</td>", webFra), std::string::npos) << d;
}

TEST_F(FailmonCgiTest, AStoppedHcShowsAsUnreachable) {
  if (std::string why = chromiumMissing(); !why.empty()) GTEST_SKIP() << why;
  hcAms_->kill9();
  std::string d = dom("/failover/hcmon.cgi");
  auto ams = d.find("<h2>ams ");
  ASSERT_NE(ams, std::string::npos) << d;
  EXPECT_NE(d.find("<p class=\"reach reach-down\">unreachable since", ams), std::string::npos) << d;
  EXPECT_EQ(d.find(">web@ams<"), std::string::npos) << d;
  EXPECT_NE(d.find(">web@fra<"), std::string::npos) << d;
}

TEST_F(FailmonCgiTest, JsonParsesAndHeadersAreSafe) {
  HttpAnswer a = httpRequest(web_.port, "GET", "/failover/failmon.cgi?format=json");
  ASSERT_EQ(a.status, 200) << a.headers << a.body;
  EXPECT_NE(a.headers.find("Content-Type: application/json; charset=utf-8"), std::string::npos) << a.headers;
  EXPECT_NE(a.headers.find("Cache-Control: no-store"), std::string::npos) << a.headers;
  EXPECT_NE(a.headers.find("X-Content-Type-Options: nosniff"), std::string::npos) << a.headers;
  EXPECT_NE(a.headers.find("Content-Security-Policy: default-src 'none'; style-src 'sha256-"), std::string::npos)
      << a.headers;
  auto j = nlohmann::json::parse(a.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << a.body;
  ASSERT_EQ(j["targets"].size(), 3u) << a.body;
  EXPECT_EQ(j["targets"][0]["name"], "alpha");
  EXPECT_EQ(j["targets"][0]["kind"], "failsh");
  EXPECT_EQ(j["targets"][1]["reach"], "down");
  EXPECT_EQ(j["targets"][2]["kind"], "faild");
  bool db = false;
  for (const auto& r : j["targets"][2]["records"]) db |= r["name"] == "db" && r["state"] == "FAIL" && r["note"] == kHostileNote;
  EXPECT_TRUE(db) << a.body;
  HttpAnswer h = httpRequest(web_.port, "GET", "/failover/hcmon.cgi?format=json");
  ASSERT_EQ(h.status, 200) << h.headers;
  EXPECT_FALSE(nlohmann::json::parse(h.body, nullptr, false).is_discarded()) << h.body;
  // HEAD: the headers alone.
  HttpAnswer head = httpRequest(web_.port, "HEAD", "/failover/failmon.cgi");
  EXPECT_EQ(head.status, 200) << head.headers;
  EXPECT_NE(head.headers.find("Content-Type: text/html; charset=utf-8"), std::string::npos) << head.headers;
  EXPECT_EQ(head.body, "");
}

TEST_F(FailmonCgiTest, AQueryNamingAHostOrAPathIsRefused) {
  for (const char* target : {"/failover/failmon.cgi?host=127.0.0.1", "/failover/failmon.cgi?target=203.0.113.1:1847",
                             "/failover/failmon.cgi?format=json&host=localhost", "/failover/hcmon.cgi?url=http://x/",
                             "/failover/failmon.cgi?config=/etc/passwd", "/failover/failmon.cgi?format=%2Fetc%2Fpasswd",
                             "/failover/failmon.cgi?format=json&format=html", "/failover/failmon.cgi?format=%zz",
                             "/failover/failmon.cgi/etc/passwd", "/failover/hcmon.cgi/127.0.0.1:1850"}) {
    HttpAnswer a = httpRequest(web_.port, "GET", target);
    EXPECT_EQ(a.status, 400) << target << "\n" << a.headers << a.body;
    EXPECT_NE(a.headers.find("Content-Type: text/plain; charset=utf-8"), std::string::npos) << target;
    EXPECT_EQ(a.body.rfind("refused: ", 0), 0u) << target << ": " << a.body;
  }
  HttpAnswer post = httpRequest(web_.port, "POST", "/failover/failmon.cgi");
  EXPECT_EQ(post.status, 405) << post.headers << post.body;
  EXPECT_NE(post.headers.find("Allow: GET, HEAD"), std::string::npos) << post.headers;
}

TEST_F(FailmonCgiTest, ABadConfigurationIs500NamingFileAndLineWithoutTheSecret) {
  std::string conf = dir_.file("etc/failmon.conf");
  writeFile(conf, "title t\ntarget a " + faild_->address() + " secret Hunter2-in-the-wrong-place\n", 0644);
  HttpAnswer a = httpRequest(web_.port, "GET", "/failover/failmon.cgi");
  EXPECT_EQ(a.status, 500) << a.headers << a.body;
  EXPECT_NE(a.body.find(conf + ":2: 'secret' is not taken here"), std::string::npos) << a.body;
  EXPECT_EQ(a.body.find("Hunter2"), std::string::npos) << a.body;
  std::remove(conf.c_str());
  a = httpRequest(web_.port, "GET", "/failover/failmon.cgi");
  EXPECT_EQ(a.status, 500) << a.headers << a.body;
  EXPECT_NE(a.body.find(conf + ": cannot read: No such file or directory"), std::string::npos) << a.body;
}

TEST_F(FailmonCgiTest, ASecretFromAFileAuthenticatesAndIsNeverShown) {
  const std::string secret = "S3cret-of-the-page";
  writeFile(dir_.file("access"), "* " + secret + " RO\n");
  auto locked = start("faild/faild", {"--memory", "--listen", "127.0.0.1:0", "-c", dir_.file("access")}, "locked");
  ASSERT_TRUE(locked);
  writeFile(dir_.file("etc/page.secret"), secret + "\n", 0600);
  writeFile(dir_.file("etc/failmon.conf"),
            "target locked " + locked->address() + " secret-file page.secret\n" +
                "target nosecret " + locked->address() + "\n",
            0644);
  HttpAnswer a = httpRequest(web_.port, "GET", "/failover/failmon.cgi?format=json");
  ASSERT_EQ(a.status, 200) << a.headers << a.body;
  auto j = nlohmann::json::parse(a.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << a.body;
  EXPECT_EQ(j["targets"][0]["reach"], "up") << a.body;
  EXPECT_EQ(j["targets"][0]["kind"], "faild") << a.body;
  EXPECT_EQ(j["targets"][1]["reach"], "down") << a.body;  // the server wants AUTH
  HttpAnswer page = httpRequest(web_.port, "GET", "/failover/failmon.cgi");
  EXPECT_EQ(page.status, 200);
  for (const std::string& text : {a.body, page.body, readFile(web_.log), locked->log()})
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
}

TEST_F(FailmonCgiTest, TheClientCannotNameTheConfiguration) {
  // A header becomes HTTP_FAILMON_CONFIG, which the program never reads.
  writeFile(dir_.file("evil.conf"), "title evil\ntarget evil 127.0.0.1:1\n", 0644);
  LineClient c("127.0.0.1:" + std::to_string(web_.port));
  c.sendRaw("GET /failover/failmon.cgi HTTP/1.0\r\nFailmon-Config: " + dir_.file("evil.conf") +
            "\r\nHcmon-Config: " + dir_.file("evil.conf") + "\r\n\r\n");
  std::string page;
  while (auto line = c.readLine()) page += *line + "\n";
  EXPECT_NE(page.find("<title>failover: front-end pair</title>"), std::string::npos) << page;
  EXPECT_EQ(page.find("evil"), std::string::npos) << page;
  EXPECT_EQ(count(page, "<section class=\"target\">"), 3u) << page;
}

}  // namespace
}  // namespace fail::test

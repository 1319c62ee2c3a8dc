// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's status page (GET / on its HTTP listener, faild(8) "HTTP API"): fetched with
// curl as a browser without scripts sees it (every record in the HTML, hostile text
// escaped, the Content-Security-Policy), and loaded in headless Chromium, where a change
// made with failc after the page loaded arrives over /v1/events and shows in the DOM. A
// phone-sized screenshot is kept under the build tree (tests/integration/artifacts).
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "../common/chromium.hh"
#include "harness.hh"

namespace fail::test {
namespace {

constexpr const char* kHostileNote = "<script>alert(1)</script><img src=x onerror=alert(2)>";

class StatusPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    faild_ = std::make_unique<Daemon>(
        "faild/faild", std::vector<std::string>{"-s", dir_.file("faild.state"), "--listen", "127.0.0.1:0"}, dir_,
        "faild");
    ASSERT_TRUE(faild_->start()) << faild_->log();
    ASSERT_FALSE(http().empty()) << faild_->readyMessage();
    LineClient c(faild_->address());
    ASSERT_EQ(c.request("HELLO tester").rfind("OK", 0), 0u);
    for (const char* line : {"SET www UP", "SET dns:www.example.org UP {note=192.0.2.1}",
                             "SET host:alpha UP {note=connected}", "SET notify:ops UNKNOWN"})
      ASSERT_EQ(c.request(line).rfind("OK CHANGE", 0), 0u) << line;
    // A note no page may take for markup, with a line separator (U+2028) in it.
    ASSERT_EQ(c.request(std::string("SET host:beta FAIL {note=") + kHostileNote + " \xe2\x80\xa8 end}")
                  .rfind("OK CHANGE", 0),
              0u);
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "--- faild.log:\n" << faild_->log();
  }

  // The HTTP listener faild bound (the harness starts it on 127.0.0.1:0).
  std::string http() const { return faild_->httpAddress(); }
  std::string url(const std::string& pathAndQuery = "/") const { return "http://" + http() + pathAndQuery; }
  RunResult curl(std::vector<std::string> args) {
    args.insert(args.begin(), {"-sS", "--max-time", "20", "--noproxy", "*"});
    return runProgram("/usr/bin/curl", args);
  }
  // Empty when faild serves what the page's script reads, else why not (for GTEST_SKIP
  // while /v1/records and /v1/events are still on their way to main).
  std::string apiMissing() {
    for (const char* path : {"/v1/records", "/v1/events?since=0"}) {
      RunResult r = curl({"-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", url(path)});
      if (r.out == "404") return std::string("faild has no ") + path + " yet";
    }
    return {};
  }
  RunResult failc(std::vector<std::string> args) {
    args.insert(args.begin(), {"-p", portOf(*faild_)});
    return runProgram("failc/failc", args);
  }

  TempDir dir_;
  std::unique_ptr<Daemon> faild_;
};

TEST_F(StatusPageTest, WithoutScriptsEveryRecordIsInTheHtmlEscaped) {
  RunResult r = curl({"-i", url()});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string& page = r.out;
  EXPECT_EQ(page.rfind("HTTP/1.1 200", 0), 0u) << page;
  EXPECT_NE(page.find("Content-Type: text/html; charset=utf-8"), std::string::npos) << page;
  // The policy: nothing but the page's own inline style and script, by hash.
  auto csp = page.find("Content-Security-Policy: default-src 'none'; script-src 'sha256-");
  EXPECT_NE(csp, std::string::npos) << page;
  EXPECT_EQ(page.find("unsafe-inline"), std::string::npos) << page;
  EXPECT_NE(page.find("X-Content-Type-Options: nosniff"), std::string::npos) << page;
  // Every record, in its group, with its state's word.
  for (const char* name : {"www", "dns:www.example.org", "host:alpha", "host:beta", "notify:ops"})
    EXPECT_NE(page.find(std::string("<td data-label=\"Name\">") + name + "</td>"), std::string::npos) << name;
  EXPECT_NE(page.find("<section class=\"group\" data-group=\"host:\"><h2>host: <small class=\"muted\">2 records, 1 FAIL"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("<tr class=\"r s-fail-row\" data-name=\"host:beta\">"), std::string::npos) << page;
  // The hostile note is text; the separator shows as an escape.
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; \\u2028 end"),
            std::string::npos)
      << page;
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find("<noscript><meta http-equiv=\"refresh\""), std::string::npos);

  // The filters work without scripts too (a GET form); a bad one is a JSON error.
  r = curl({url("/?state=FAIL")});
  EXPECT_NE(r.out.find("data-name=\"host:beta\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("data-name=\"www\""), std::string::npos) << r.out;
  r = curl({"-i", url("/?state=bogus")});
  EXPECT_EQ(r.out.rfind("HTTP/1.1 400", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\"message\":\"state: expected UP, RECOVER, FAIL, UNKNOWN or notup"), std::string::npos)
      << r.out;
  r = curl({"-i", "-X", "POST", url()});
  EXPECT_EQ(r.out.rfind("HTTP/1.1 405", 0), 0u) << r.out;
}

TEST_F(StatusPageTest, InChromiumAChangeArrivesOverTheEventStream) {
  if (std::string why = chromiumMissing(); !why.empty()) GTEST_SKIP() << why;
  if (std::string why = apiMissing(); !why.empty()) GTEST_SKIP() << why;
  ChromiumSession browser(dir_.path());
  ASSERT_TRUE(browser.error().empty()) << browser.error();
  ASSERT_TRUE(browser.open(url())) << browser.error() << "\n" << browser.log();
  // A phone: 360 CSS pixels wide.
  ASSERT_FALSE(browser
                   .call("Emulation.setDeviceMetricsOverride",
                         {{"width", 360}, {"height", 800}, {"deviceScaleFactor", 2}, {"mobile", true}})
                   .is_null())
      << browser.error();
  ASSERT_TRUE(browser.waitFor("document.body.dataset.live === 'open'"))
      << browser.error() << "\n" << browser.eval("document.getElementById('status').textContent") << "\n"
      << browser.messages();

  // After the page loaded and follows the stream: www fails, with a hostile note.
  RunResult set = failc({"set", "www", "FAIL", "--note", kHostileNote});
  ASSERT_EQ(set.status, 0) << set.err;
  const std::string row = "document.querySelector('tr[data-name=\"www\"]')";
  EXPECT_TRUE(browser.waitFor(row + " && " + row + ".querySelector('.st').textContent === 'FAIL'"))
      << browser.error() << "\n" << browser.messages();
  EXPECT_EQ(browser.eval(row + ".className"), "r s-fail-row");
  EXPECT_EQ(browser.eval(row + ".querySelector('td[data-label=Note]').textContent"), kHostileNote);
  EXPECT_EQ(browser.eval("document.scripts.length"), 1) << "the note made no element";
  EXPECT_EQ(browser.eval("document.querySelectorAll('img').length"), 0);
  EXPECT_EQ(browser.eval("document.querySelector('#counts a[data-state=FAIL] b').textContent"), "2");
  // The line separator as on the server: a visible escape.
  EXPECT_EQ(browser.eval("document.querySelector('tr[data-name=\"host:beta\"] td[data-label=Note]').textContent"),
            std::string(kHostileNote) + " \\u2028 end");

  // A deletion takes the row away; a new record comes in its group.
  ASSERT_EQ(failc({"del", "notify:ops"}).status, 0);
  ASSERT_EQ(failc({"set", "host:gamma", "RECOVER", "--note", "back"}).status, 0);
  EXPECT_TRUE(browser.waitFor("!document.querySelector('tr[data-name=\"notify:ops\"]') && "
                              "!!document.querySelector('section[data-group=\"host:\"] tr[data-name=\"host:gamma\"]')"))
      << browser.error();

  // The text filter hides what does not match, and keeps its value in the address.
  browser.eval("q = document.getElementById('q'); q.value = 'alpha'; q.dispatchEvent(new Event('input')); 1");
  EXPECT_TRUE(browser.waitFor("document.querySelectorAll('tr.r').length === 1 && "
                              "!!document.querySelector('tr[data-name=\"host:alpha\"]')"))
      << browser.error();
  EXPECT_EQ(browser.eval("location.search"), "?q=alpha");
  browser.eval("q.value = ''; q.dispatchEvent(new Event('input')); 1");
  EXPECT_TRUE(browser.waitFor("document.querySelectorAll('tr.r').length === 5")) << browser.error();

  // Readable on a phone: no horizontal scroll at 360 px.
  EXPECT_EQ(browser.eval("document.documentElement.scrollWidth <= window.innerWidth"), true)
      << browser.eval("document.documentElement.scrollWidth");
  // Nothing refused by the policy, no script error.
  std::string messages = browser.messages();
  EXPECT_EQ(messages.find("Content Security Policy"), std::string::npos) << messages;
  for (const auto& e : browser.events())
    EXPECT_NE(e.value("method", ""), "Runtime.exceptionThrown") << e.dump();

  std::string png = artifactDir(buildDir()) + "/status-page-phone.png";
  std::remove(png.c_str());
  ASSERT_TRUE(browser.screenshot(png)) << browser.error();
  EXPECT_EQ(readFile(png).substr(0, 8), "\x89PNG\r\n\x1a\n") << png;
  RecordProperty("screenshot", png);
}

TEST_F(StatusPageTest, InChromiumThePageFollowsFaildThroughARestart) {
  if (std::string why = chromiumMissing(); !why.empty()) GTEST_SKIP() << why;
  if (std::string why = apiMissing(); !why.empty()) GTEST_SKIP() << why;
  ChromiumSession browser(dir_.path());
  ASSERT_TRUE(browser.open(url())) << browser.error() << "\n" << browser.log();
  ASSERT_TRUE(browser.waitFor("document.body.dataset.live === 'open'")) << browser.error();
  browser.eval("window.sameDocument = true");

  // faild stops and comes back on the same HTTP address; the page reconnects by itself
  // (resuming after the last serial it saw, or told to list again) and shows a change
  // made on the new faild, without a reload.
  std::string address = http();
  faild_->signal(SIGTERM);
  ASSERT_EQ(faild_->wait(), 0) << faild_->log();
  faild_ = std::make_unique<Daemon>("faild/faild",
                                    std::vector<std::string>{"-s", dir_.file("faild.state"), "--listen",
                                                             "127.0.0.1:0", "--http", address},
                                    dir_, "faild-again");
  ASSERT_TRUE(faild_->start()) << faild_->log();
  ASSERT_EQ(failc({"set", "www", "FAIL", "--note", "after the restart"}).status, 0);
  const std::string row = "document.querySelector('tr[data-name=\"www\"]')";
  EXPECT_TRUE(browser.waitFor(row + " && " + row + ".querySelector('td[data-label=Note]').textContent === "
                              "'after the restart' && document.body.dataset.live === 'open'",
                              std::chrono::seconds(40)))
      << browser.error() << "\n" << browser.eval("document.getElementById('status').textContent");
  EXPECT_EQ(browser.eval("window.sameDocument"), true);
}

}  // namespace
}  // namespace fail::test

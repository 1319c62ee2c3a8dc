// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// /metrics of faild, hc and failsh (doc/metrics.md) with real peers: curl fetches each,
// `promtool check metrics` judges the text, and a real Prometheus server scrapes all three
// every second until its query API shows a change the test made.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../common/peers.hh"
#include "harness.hh"

namespace fail::test {
namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";
constexpr const char* kPrometheus = "/usr/bin/prometheus";

RunResult curl(std::vector<std::string> args) {
  args.insert(args.begin(), {"-s", "--max-time", "20"});
  return runProgram("/usr/bin/curl", args);
}

// The three daemons: faild (in memory, HTTP on a port of its own), hc checking a closed
// port and reporting to faild, failsh running one service in that faild.
class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    faild_ = std::make_unique<Daemon>("faild/faild", std::vector<std::string>{"--memory", "-l", "127.0.0.1:0"}, dir,
                                      "faild");
    ASSERT_TRUE(faild_->start()) << faild_->log();
    ASSERT_FALSE(faild_->httpAddress().empty()) << faild_->readyMessage();
    writeFile(dir.file("Hcfile"), "report " + faild_->address() +
                                      "\n"
                                      "check closed tcp -host 127.0.0.1 -port 1 -interval 1s\n");
    hc_ = std::make_unique<Daemon>(
        "hc/hc", std::vector<std::string>{"-f", dir.file("Hcfile"), "-m", "none", "--metrics", "127.0.0.1:0"}, dir,
        "hc");
    ASSERT_TRUE(hc_->start()) << hc_->log();
    writeFile(dir.file("policy.tcl"), "failhost localhost port " + portOf(*faild_) +
                                          "\n"
                                          "proc start {} { return UP }\n"
                                          "proc stop {} { return RECOVER }\n"
                                          "failsvc www interval 1s start start stop stop\n");
    failsh_ = std::make_unique<Daemon>("failsh/failsh",
                                       std::vector<std::string>{"-f", dir.file("policy.tcl"), "-m", "none", "-l",
                                                                dir.file("failsh.dump"), "--metrics", "127.0.0.1:0"},
                                       dir, "failsh");
    ASSERT_TRUE(failsh_->start()) << failsh_->log();
  }
  void TearDown() override {
    if (!HasFailure()) return;
    for (const char* t : {"faild", "hc", "failsh", "prometheus"})
      std::cerr << "--- " << t << ".log:\n" << readFile(dir.file(std::string(t) + ".log"));
  }
  // The daemon's /metrics (its first HTTP address), or "" with a test failure.
  static std::string scrape(const Daemon& d) {
    RunResult r = curl({"-f", "http://" + d.httpAddress() + "/metrics"});
    EXPECT_EQ(r.status, 0) << r.err;
    return r.out;
  }
  // promtool's verdict on `text`: "" when it is sound, else what it said.
  std::string promtool(const std::string& text, const std::string& name) {
    std::string file = dir.file(name + ".prom");
    writeFile(file, text);
    RunResult r = runProgram("/bin/sh", {"-c", std::string(kPromtool) + " check metrics < " + file + " 2>&1"});
    return r.status == 0 ? "" : "exit " + std::to_string(r.status) + ": " + r.out + r.err;
  }

  TempDir dir;
  std::unique_ptr<Daemon> faild_, hc_, failsh_;
};

TEST_F(MetricsTest, EachDaemonsOutputPassesPromtool) {
  if (::access(kPromtool, X_OK) != 0) GTEST_SKIP() << "no promtool (Debian package prometheus)";
  RunResult set = runProgram("failc/failc", {"-h", "127.0.0.1", "-p", portOf(*faild_), "set", "db", "RECOVER"});
  ASSERT_EQ(set.status, 0) << set.err;
  // hc has probed the closed port and failsh has started www once each shows it.
  std::string h, f;
  ASSERT_TRUE(eventually([&] {
    h = scrape(*hc_);
    return h.find("hc_probes_total{kind=\"tcp\",outcome=\"unreachable\"} ") != std::string::npos &&
           h.find("hc_probes_total{kind=\"tcp\",outcome=\"unreachable\"} 0\n") == std::string::npos;
  })) << h;
  ASSERT_TRUE(eventually([&] {
    f = scrape(*failsh_);
    return f.find("failsh_records{state=\"UP\"} 1\n") != std::string::npos;
  })) << f;
  std::string d = scrape(*faild_);
  EXPECT_EQ(promtool(d, "faild"), "") << d;
  EXPECT_EQ(promtool(h, "hc"), "") << h;
  EXPECT_EQ(promtool(f, "failsh"), "") << f;

  EXPECT_NE(d.find("failover_records{state=\"RECOVER\"} 1\n"), std::string::npos) << d;
  EXPECT_NE(d.find("# TYPE failover_fsync_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(d.find("failover_build_info{program=\"faild\","), std::string::npos);
  EXPECT_NE(h.find("# TYPE hc_probe_duration_seconds histogram\n"), std::string::npos) << h;
  EXPECT_NE(h.find("hc_checks{state=\"FAIL\"} 1\n"), std::string::npos);
  EXPECT_NE(f.find("# TYPE failsh_callback_duration_seconds histogram\n"), std::string::npos) << f;
  EXPECT_EQ(f.find("failsh_callbacks_total 0\n"), std::string::npos);

  // The exposition format's content type; another method is refused with the JSON error.
  RunResult r = curl({"-i", "http://" + hc_->httpAddress() + "/metrics"});
  EXPECT_NE(r.out.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), std::string::npos) << r.out;
  r = curl({"-i", "-X", "POST", "http://" + failsh_->httpAddress() + "/metrics"});
  EXPECT_EQ(r.out.rfind("HTTP/1.1 405", 0), 0u) << r.out;
}

// One value of a Prometheus instant query's answer ("" when it has none yet).
std::string queryValue(int port, const std::string& query) {
  RunResult r = curl({"-G", "--data-urlencode", "query=" + query,
                      "http://127.0.0.1:" + std::to_string(port) + "/api/v1/query"});
  if (r.status != 0) return "";
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded() || j.value("status", "") != "success") return "";
  const auto& result = j["data"]["result"];
  if (!result.is_array() || result.size() != 1) return "";
  return result[0]["value"][1].get<std::string>();
}

TEST_F(MetricsTest, PrometheusScrapesEveryDaemon) {
  if (::access(kPrometheus, X_OK) != 0) GTEST_SKIP() << "no prometheus (Debian package prometheus)";
  std::string config =
      "global:\n"
      "  scrape_interval: 1s\n"
      "  scrape_timeout: 1s\n"
      "scrape_configs:\n";
  for (const Daemon* d : {faild_.get(), hc_.get(), failsh_.get()}) {
    std::string job = d == faild_.get() ? "faild" : d == hc_.get() ? "hc" : "failsh";
    config += "  - job_name: " + job + "\n    static_configs:\n      - targets: ['" + d->httpAddress() + "']\n";
  }
  writeFile(dir.file("prometheus.yml"), config);
  // Prometheus cannot be told port 0: a port found free, again if another took it first.
  std::unique_ptr<Child> prom;
  int port = 0;
  for (int attempt = 0; attempt < 5 && !prom; ++attempt) {
    port = freeLoopbackPort();
    ASSERT_NE(port, 0);
    std::string data = dir.file("tsdb" + std::to_string(attempt));
    auto c = std::make_unique<Child>(
        std::vector<std::string>{kPrometheus, "--config.file=" + dir.file("prometheus.yml"),
                                 "--storage.tsdb.path=" + data, "--web.listen-address=127.0.0.1:" + std::to_string(port)},
        dir.file("prometheus.log"), dir.path());
    // Up once its API answers; gone at once when the port was taken.
    bool up = eventually([&] {
      return !c->alive() || curl({"-f", "http://127.0.0.1:" + std::to_string(port) + "/-/ready"}).status == 0;
    });
    if (up && c->alive()) prom = std::move(c);
  }
  ASSERT_TRUE(prom) << readFile(dir.file("prometheus.log"));

  // A change the test makes, then what faild itself says it counted so far.
  RunResult set = runProgram("failc/failc", {"-h", "127.0.0.1", "-p", portOf(*faild_), "set", "db", "RECOVER"});
  ASSERT_EQ(set.status, 0) << set.err;
  std::string text = scrape(*faild_);
  auto at = text.find("\nfailover_changes_total ");
  ASSERT_NE(at, std::string::npos) << text;
  long changes = std::stol(text.substr(at + 24));
  ASSERT_GE(changes, 1);
  ASSERT_TRUE(eventually(
      [&] {
        std::string v = queryValue(port, "failover_changes_total");
        return !v.empty() && std::stol(v) >= changes && queryValue(port, "failover_records{state=\"RECOVER\"}") == "1";
      },
      std::chrono::seconds(60)))
      << queryValue(port, "failover_changes_total");
  // Every target is up, and hc's and failsh's own figures arrived too.
  ASSERT_TRUE(eventually(
      [&] {
        return queryValue(port, "sum(up)") == "3" && !queryValue(port, "sum(hc_probes_total)").empty() &&
               !queryValue(port, "failsh_callbacks_total").empty();
      },
      std::chrono::seconds(60)))
      << curl({"http://127.0.0.1:" + std::to_string(port) + "/api/v1/targets"}).out;
  prom->stop();
}

}  // namespace
}  // namespace fail::test

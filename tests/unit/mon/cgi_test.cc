// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The CGI programs without a web server (cgi_serve.hh): the query parser and the answers.
#include "mon/cgi_serve.hh"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fail::mon {
namespace {

TEST(MonCgiQuery, TakesEmptyOrOneFormat) {
  CgiFormat f;
  std::string err;
  EXPECT_TRUE(parseCgiQuery("", f, err));
  EXPECT_EQ(f, CgiFormat::Html);
  EXPECT_TRUE(parseCgiQuery("format=json", f, err));
  EXPECT_EQ(f, CgiFormat::Json);
  EXPECT_TRUE(parseCgiQuery("format=html", f, err));
  EXPECT_EQ(f, CgiFormat::Html);
  EXPECT_TRUE(parseCgiQuery("%66ormat=%6Aso%6e", f, err));
  EXPECT_EQ(f, CgiFormat::Json);
}

TEST(MonCgiQuery, RefusesEverythingElse) {
  const std::pair<const char*, const char*> cases[] = {
      {"host=evil.example", "refused: the query may only say format=html or format=json, not 'host'"},
      {"format=json&host=127.0.0.1:1847", "refused: the query may only say format=html or format=json, not 'host'"},
      {"target=/etc/passwd", "refused: the query may only say format=html or format=json, not 'target'"},
      {"/etc/passwd", "refused: the query may only say format=html or format=json, not '/etc/passwd'"},
      {"format=json&format=html", "refused: 'format' given twice"},
      {"format=json&", "refused: an empty part in the query"},
      {"&format=json", "refused: an empty part in the query"},
      {"format", "refused: 'format' needs a value (html or json)"},
      {"format=", "refused: format '' (html or json)"},
      {"format=xml", "refused: format 'xml' (html or json)"},
      {"format=json;host=x", "refused: format 'json;host=x' (html or json)"},
      {"format=%zzjson", "refused: a malformed percent-escape in the query"},
      {"format=json%4", "refused: a malformed percent-escape in the query"},
      {"format=json%", "refused: a malformed percent-escape in the query"},
      {"%", "refused: a malformed percent-escape in the query"},
      {"form%00at=json", "refused: the query may only say format=html or format=json, not 'form\\x00at'"},
  };
  for (const auto& [query, want] : cases) {
    CgiFormat f;
    std::string err;
    EXPECT_FALSE(parseCgiQuery(query, f, err)) << query;
    EXPECT_EQ(err, want) << query;
  }
  CgiFormat f;
  std::string err;
  EXPECT_FALSE(parseCgiQuery("format=json&" + std::string(300, 'x'), f, err));
  EXPECT_EQ(err, "refused: the query is longer than 256 bytes");
}

class MonCgi : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/moncgiXXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/secret") << "Hunter2\n";
    conf("title Ops\nrefresh 10s\ntimeout 700ms\ntarget alpha 127.0.0.1:1847 secret-file secret\n"
         "target beta localhost\n");
    req_.method = "GET";
    req_.scriptName = "/cgi-bin/failmon.cgi";
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  void conf(const std::string& text) {
    req_.configPath = dir_ + "/failmon.conf";
    std::ofstream(req_.configPath) << text;
  }
  // The answer, with what collect was given.
  std::string serve(CgiFlavour flavour = CgiFlavour::Failmon) {
    std::ostringstream out;
    serveCgi(flavour, req_,
             [this](const std::vector<TargetSpec>& t, std::chrono::milliseconds d) {
               collected_ = t;
               deadline_ = d;
               Model m;
               for (const auto& s : t) m.add(s.name);
               m.connected(0, "faild", "1", 1);
               m.listing(0);
               state::Record r;
               r.name = "www";
               r.state = state::State::Fail;
               r.note = "<script>alert(1)</script>";
               m.record(0, r);
               m.synced(0, 1, 1);
               m.down(1, "Connection refused", 1);
               return m;
             },
             out);
    return out.str();
  }
  static std::string headers(const std::string& answer) { return answer.substr(0, answer.find("\n\n") + 1); }
  static std::string body(const std::string& answer) { return answer.substr(answer.find("\n\n") + 2); }

  std::string dir_;
  CgiRequest req_;
  std::vector<TargetSpec> collected_;
  std::chrono::milliseconds deadline_{0};
};

TEST_F(MonCgi, HtmlPageWithSafeHeaders) {
  std::string a = serve();
  std::string h = headers(a);
  EXPECT_EQ(h.find("Status:"), std::string::npos) << h;  // 200
  EXPECT_NE(h.find("Content-Type: text/html; charset=utf-8\n"), std::string::npos);
  EXPECT_NE(h.find("Cache-Control: no-store\n"), std::string::npos);
  EXPECT_NE(h.find("X-Content-Type-Options: nosniff\n"), std::string::npos);
  EXPECT_NE(h.find("Content-Security-Policy: default-src 'none'; style-src 'sha256-"), std::string::npos);
  std::string b = body(a);
  EXPECT_NE(h.find("Content-Length: " + std::to_string(b.size()) + "\n"), std::string::npos);
  EXPECT_NE(b.find("<title>Ops</title>"), std::string::npos);
  EXPECT_NE(b.find("<meta http-equiv=\"refresh\" content=\"10\">"), std::string::npos);
  EXPECT_NE(b.find("href=\"/cgi-bin/failmon.cgi?format=json\""), std::string::npos);
  EXPECT_NE(b.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(b.find("<script"), std::string::npos);
  ASSERT_EQ(collected_.size(), 2u);
  EXPECT_EQ(collected_[0].link.secret, "Hunter2");
  EXPECT_EQ(collected_[1].link.target.display(), "localhost:1848");
  EXPECT_EQ(deadline_.count(), 700);
}

TEST_F(MonCgi, JsonOnRequest) {
  req_.query = "format=json";
  std::string a = serve();
  EXPECT_NE(headers(a).find("Content-Type: application/json; charset=utf-8\n"), std::string::npos);
  auto j = nlohmann::json::parse(body(a));
  EXPECT_EQ(j["targets"][0]["records"][0]["note"], "<script>alert(1)</script>");
  EXPECT_EQ(j["targets"][1]["reach"], "down");
}

TEST_F(MonCgi, HcmonDefaultsToHcPortAndChecksView) {
  std::string a = serve(CgiFlavour::Hcmon);
  EXPECT_EQ(collected_[1].link.target.display(), "localhost:1850");
  EXPECT_NE(body(a).find("<h2>no location</h2>"), std::string::npos);
}

TEST_F(MonCgi, HeadHasHeadersOnly) {
  req_.method = "HEAD";
  std::string a = serve();
  EXPECT_NE(a.find("Content-Type: text/html"), std::string::npos);
  EXPECT_EQ(body(a), "");
}

TEST_F(MonCgi, OtherMethodsAre405WithAllow) {
  for (const char* m : {"POST", "PUT", "DELETE", "OPTIONS", "get"}) {
    req_.method = m;
    std::string a = serve();
    EXPECT_EQ(a.rfind("Status: 405 Method Not Allowed\nAllow: GET, HEAD\n", 0), 0u) << m << a;
    EXPECT_TRUE(collected_.empty());
  }
}

TEST_F(MonCgi, BadQueryOrPathIs400AndNothingIsCollected) {
  req_.query = "host=203.0.113.1";
  std::string a = serve();
  EXPECT_EQ(a.rfind("Status: 400 Bad Request\n", 0), 0u) << a;
  EXPECT_NE(a.find("Content-Type: text/plain; charset=utf-8\n"), std::string::npos);
  EXPECT_NE(body(a).find("refused: "), std::string::npos);
  req_.query = "";
  req_.pathInfo = "/../../etc/passwd";
  a = serve();
  EXPECT_EQ(a.rfind("Status: 400 Bad Request\n", 0), 0u) << a;
  EXPECT_TRUE(collected_.empty());
}

TEST_F(MonCgi, BadConfigurationIs500NamingFileAndLineWithoutSecret) {
  conf("title t\ntarget a 127.0.0.1 secret Hunter2\n");
  std::string a = serve();
  EXPECT_EQ(a.rfind("Status: 500 Internal Server Error\n", 0), 0u) << a;
  EXPECT_NE(body(a).find(req_.configPath + ":2: "), std::string::npos) << a;
  EXPECT_EQ(a.find("Hunter2"), std::string::npos) << a;
  EXPECT_TRUE(collected_.empty());
  req_.configPath = dir_ + "/none.conf";
  a = serve();
  EXPECT_NE(body(a).find(dir_ + "/none.conf: cannot read: No such file or directory"), std::string::npos) << a;
}

// The policy allows the page's one style sheet: its hash is that of the <style> text.
TEST_F(MonCgi, ContentSecurityPolicyHashesThePagesStyleSheet) {
  std::string b = body(serve());
  auto open = b.find("<style>") + 7, close = b.find("</style>");
  ASSERT_LT(open, close);
  ASSERT_EQ(b.find("<style", close), std::string::npos);  // one style element, no style attribute
  EXPECT_EQ(b.find(" style="), std::string::npos);
  std::string css = b.substr(open, close - open);
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(css.data(), css.size(), md, &len, EVP_sha256(), nullptr);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, md, static_cast<int>(len));
  std::string want = "style-src 'sha256-" + std::string(reinterpret_cast<char*>(b64), n) + "'";
  EXPECT_NE(cgiContentSecurityPolicy().find(want), std::string::npos) << cgiContentSecurityPolicy();
  EXPECT_EQ(cgiContentSecurityPolicy().rfind("default-src 'none'; ", 0), 0u);
}

TEST_F(MonCgi, AnErrorAnswerIsPlainWithTheSameHeaders) {
  std::ostringstream out;
  serveCgiError(req_, "500 Internal Server Error", "internal error: boom", out);
  EXPECT_EQ(out.str().rfind("Status: 500 Internal Server Error\nContent-Type: text/plain; charset=utf-8\n", 0), 0u);
  EXPECT_NE(out.str().find("X-Content-Type-Options: nosniff\n"), std::string::npos);
  EXPECT_EQ(body(out.str()), "internal error: boom\n");
}

TEST(MonCgiEnv, ConfigurationOnlyFromTheServersVariables) {
  setenv("REQUEST_METHOD", "GET", 1);
  setenv("QUERY_STRING", "format=json", 1);
  setenv("HTTP_FAILMON_CONFIG", "/tmp/evil.conf", 1);  // a client's header
  unsetenv("FAILMON_CONFIG");
  setenv("HCMON_CONFIG", "/srv/hcmon.conf", 1);
  CgiRequest r = cgiRequestFromEnv(CgiFlavour::Failmon);
  EXPECT_EQ(r.configPath, std::string(SYSCONFDIR) + "/failover/failmon.conf");
  EXPECT_EQ(r.query, "format=json");
  EXPECT_EQ(cgiRequestFromEnv(CgiFlavour::Hcmon).configPath, "/srv/hcmon.conf");
  setenv("FAILMON_CONFIG", "/srv/failmon.conf", 1);
  EXPECT_EQ(cgiRequestFromEnv(CgiFlavour::Failmon).configPath, "/srv/failmon.conf");
  for (const char* v : {"REQUEST_METHOD", "QUERY_STRING", "HTTP_FAILMON_CONFIG", "FAILMON_CONFIG", "HCMON_CONFIG"})
    unsetenv(v);
  EXPECT_FALSE(cgiRequestFromEnv(CgiFlavour::Failmon).method.has_value());
}

}  // namespace
}  // namespace fail::mon

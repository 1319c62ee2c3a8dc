// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsvc's and failhost's option tables: they drive parsing and the usage message, and
// failover(n)'s synopsis lists exactly their rows.
#include <gtest/gtest.h>
#include <tcl.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "shell/api.hh"
#include "shell/bridge.hh"
#include "shell/config_options.hh"
#include "shell/engine.hh"
#include "tcl_eval.hh"

namespace fail::shell {
namespace {

std::string manPage() {
  const char* top = std::getenv("top_srcdir");
  std::ifstream in(std::string(top ? top : FAIL_SRCDIR) + "/man/failover.n");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The synopsis line of `command` in failover(n), as "name ?word value? ...".
std::string synopsis(const std::string& command) {
  std::string page = manPage();
  size_t at = page.find("\n\\fB" + command + "\\fR \\fIname\\fR");
  if (at == std::string::npos) return "(no synopsis for " + command + ")";
  std::string line = page.substr(at + 1, page.find('\n', at + 1) - at - 1);
  std::string out = "name";
  static const std::regex opt(R"(\?\\fB(\S+?)\\fR \\fI(\S+?)\\fR\?)");
  for (std::sregex_iterator it(line.begin(), line.end(), opt), end; it != end; ++it) {
    std::string word = (*it)[1];
    for (size_t p; (p = word.find("\\-")) != std::string::npos;) word.erase(p, 1);
    out += " ?" + word + " " + (*it)[2].str() + "?";
  }
  return out;
}

TEST(ConfigOptions, FailoverNSynopsisListsTheTablesRows) {
  EXPECT_EQ(synopsis("failsvc"), serviceUsage());
  EXPECT_EQ(synopsis("failhost"), hostUsage());
  EXPECT_EQ(serviceUsage(),
            "name ?interval t? ?masters hosts? ?slaves hosts? ?witness hosts? ?start script? ?stop script? "
            "?reclaim script? ?reassert script? ?-fence-after t? ?-poll-timeout t?");
}

TEST(ConfigOptions, EveryRowHasAValueAndHelpAndEveryOldSpellingAnEquivalent) {
  for (const ServiceOption* r = kServiceOptions; r->name; ++r) {
    EXPECT_TRUE(r->value && *r->value && r->help && *r->help) << r->name;
    bool target = r->duration || r->hosts || r->script;
    EXPECT_TRUE(target) << r->name;
    if (r->listed) continue;
    bool twin = false;
    for (const ServiceOption* o = kServiceOptions; o->name; ++o)
      twin |= o->listed && o->duration == r->duration && o->hosts == r->hosts && o->script == r->script;
    EXPECT_TRUE(twin) << r->name;
  }
  for (const HostOption* r = kHostOptions; r->name; ++r) {
    EXPECT_TRUE(r->value && *r->value && r->help && *r->help) << r->name;
    EXPECT_EQ(r->kind == HostOptionKind::TlsFile, r->tlsFile != nullptr) << r->name;
  }
}

struct FailsvcTest : ::testing::Test {
  Tcl_Interp* ip = Tcl_CreateInterp();
  SameThreadBridge bridge;
  Api api{ip, std::chrono::milliseconds(200), bridge};
  Engine engine{bridge.base(), EngineOptions{}, api};
  FailsvcTest() { api.attach(engine); }
  ~FailsvcTest() override { Tcl_DeleteInterp(ip); }
  std::string eval(const std::string& script) {
    return test::evalResult(ip, script);
  }
};

TEST_F(FailsvcTest, TheUsageMessageIsTheSynopsis) {
  EXPECT_EQ(eval("failsvc"), "error: wrong # args: should be \"failsvc " + synopsis("failsvc") + "\" (TCL WRONGARGS)");
  EXPECT_EQ(eval("failhost a port"), "error: wrong # args: should be \"failhost " + synopsis("failhost") + "\" (TCL WRONGARGS)");
}

TEST_F(FailsvcTest, EachKindOfOptionIsParsedIntoItsSetting) {
  eval("failsvc web interval 2s masters {a b} witness c start up stop down -fence-after 5s poll-timeout 300ms");
  EXPECT_EQ(eval("dict get [failsvc web] interval"), "2s");
  EXPECT_EQ(eval("dict get [failsvc web] masters"), "a b");
  EXPECT_EQ(eval("dict get [failsvc web] witness"), "c");
  EXPECT_EQ(eval("dict get [failsvc web] start"), "up");
  EXPECT_EQ(eval("dict get [failsvc web] fence-after"), "5s");
  EXPECT_EQ(eval("dict get [failsvc web] poll-timeout"), "300ms");
  EXPECT_EQ(eval("failsvc web interval 50ms"), "error: failsvc web interval: at least 100ms (FAILOVER ARGS)");
  EXPECT_EQ(eval("failsvc web masters {a b!}"), "error: failsvc web: bad host name \"b!\" (FAILOVER BADNAME)");
  EXPECT_EQ(eval("failsvc nosuch"), "error: no service \"nosuch\" (FAILOVER NOSUCHSERVICE)");
  EXPECT_EQ(eval("dict get [failhost b port 1900 cert /x.pem] tls"), "on");
  EXPECT_EQ(eval("dict get [failhost b] port"), "1900");
  EXPECT_EQ(eval("failhost b port 0"), "error: failhost b port: want 1 to 65535, got \"0\" (FAILOVER ARGS)");
  EXPECT_EQ(eval("failhost b protocol udp"),
            "error: failhost b protocol: only tcp is spoken (the original's udp RPC is gone) (FAILOVER ARGS)");
  EXPECT_NE(eval("failhost b colour red").find("bad subcommand \"colour\": must be port, address"), std::string::npos);
}

}  // namespace
}  // namespace fail::shell

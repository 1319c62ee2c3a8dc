// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// fail::notify as a policy being read sees it (a staging engine: declarations only):
// every option into its declaration, the argument errors naming the option, secret files
// read at declaration and never shown, --safe's refusals, and failover(n) naming every
// option.
#include <gtest/gtest.h>
#include <tcl.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <variant>

#include "../../common/temp_dir.hh"
#include "shell/api.hh"
#include "shell/bridge.hh"
#include "shell/engine.hh"
#include "shell/notify.hh"
#include "shell/notify_args.hh"
#include "tcl_eval.hh"

namespace fail::shell {
namespace {

struct NotifyCommandTest : ::testing::Test {
  Tcl_Interp* ip = Tcl_CreateInterp();
  SameThreadBridge bridge;
  Api api{ip, std::chrono::milliseconds(200), bridge};
  fail::test::TempDir dir;
  EngineOptions opts() {
    EngineOptions o;
    o.notifyDb = dir.file("notify.db");
    return o;
  }
  Engine engine{bridge.base(), opts(), api};
  ~NotifyCommandTest() override { Tcl_DeleteInterp(ip); }
  void SetUp() override { api.attach(engine); }
  std::string eval(const std::string& script) {
    return test::evalResult(ip, script);
  }
  const notify::NotifyConfig& declared() { return engine.notifications().declared(); }
};

TEST_F(NotifyCommandTest, AMailChannelEveryOption) {
  dir.write("pw", "s3cret-pw\n");
  dir.write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  EXPECT_EQ(eval("fail::notify channel ops -mail {ops@example.com oncall@example.com} -smtp mail.example.com:587 "
                 "-starttls -user failover -password-file " + dir.file("pw") +
                 " -from failover@example.com -subject {[${state}] ${record}} -body {${note}} -timeout 5s "
                 "-rate 10/5m -give-up 2h -ca " + dir.file("ca.pem")),
            "ops");
  ASSERT_EQ(declared().channels.size(), 1u);
  const notify::ChannelConfig& c = declared().channels[0];
  const auto& m = std::get<notify::MailSpec>(c.spec.how);
  EXPECT_EQ(m.to, (std::vector<std::string>{"ops@example.com", "oncall@example.com"}));
  EXPECT_EQ(m.server, "mail.example.com:587");
  EXPECT_TRUE(m.starttls);
  EXPECT_FALSE(m.smtps);
  EXPECT_EQ(m.user, "failover");
  EXPECT_EQ(m.password, "s3cret-pw");
  EXPECT_EQ(m.from, "failover@example.com");
  EXPECT_EQ(m.tls.ca, dir.file("ca.pem"));
  EXPECT_TRUE(m.tls.verify);
  EXPECT_EQ(c.spec.timeout, std::chrono::seconds(5));
  EXPECT_EQ(c.rate.max, 10u);
  EXPECT_EQ(c.rate.per, std::chrono::minutes(5));
  EXPECT_EQ(c.dispatch.giveUpAfter, std::chrono::hours(2));
  ASSERT_TRUE(c.subject);
  EXPECT_EQ(c.subject->text(), "[${state}] ${record}");
  // The same name again replaces it.
  EXPECT_EQ(eval("fail::notify channel ops -syslog local3"), "ops");
  ASSERT_EQ(declared().channels.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<notify::SyslogSpec>(declared().channels[0].spec.how));
}

TEST_F(NotifyCommandTest, AWebhookAndAnExecChannel) {
  dir.write("secret", "hook-secret\n");
  EXPECT_EQ(eval("fail::notify channel chat -webhook https://hooks.example.com/x -method PUT -secret-file " +
                 dir.file("secret") + " -header {X-Team ops} -header {Authorization {Bearer t}} -insecure "
                 "-body {{\"text\": \"${record} is ${state}\"}}"),
            "chat");
  const auto& w = std::get<notify::WebhookSpec>(declared().channels[0].spec.how);
  EXPECT_EQ(w.url, "https://hooks.example.com/x");
  EXPECT_EQ(w.method, "PUT");
  EXPECT_EQ(w.secret, "hook-secret");
  ASSERT_EQ(w.headers.size(), 2u);
  EXPECT_EQ(w.headers[1].second, "Bearer t");
  EXPECT_FALSE(w.tls.verify);
  EXPECT_EQ(eval("fail::notify channel pager -exec {/usr/local/bin/page --urgent}"), "pager");
  EXPECT_EQ(std::get<notify::ExecSpec>(declared().channels[1].spec.how).argv,
            (std::vector<std::string>{"/usr/local/bin/page", "--urgent"}));
}

TEST_F(NotifyCommandTest, ChannelErrorsNameTheOption) {
  EXPECT_EQ(eval("fail::notify channel ops"),
            "error: fail::notify channel ops: give one of -mail, -webhook, -exec, -syslog (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify channel {a b} -syslog daemon"),
            "error: fail::notify channel \"a b\": a name is 1 to 64 letters, digits, '-', '_' or '.' (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify channel ops -syslog daemon -webhook http://x/"),
            "error: fail::notify channel ops: -webhook and -syslog: a channel is one of -mail, -webhook, -exec, "
            "-syslog (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify channel ops -syslog kern"),
            "error: fail::notify channel ops: -syslog: want daemon, user or local0 ... local7, got \"kern\" "
            "(FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify channel ops -syslog daemon -smtp x"),
            "error: fail::notify channel ops: -smtp is for -mail channels (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify channel ops -syslog daemon -method PUT"),
            "error: fail::notify channel ops: -method is for -webhook channels (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify channel ops -syslog daemon -insecure"),
            "error: fail::notify channel ops: -insecure is for -mail and -webhook channels (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify channel ops -mail {a@b} -from c@d"),
            "error: fail::notify channel ops: -mail needs -smtp and -from (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify channel ops -syslog daemon -timeout"),
            "error: fail::notify channel ops: -timeout: value missing (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify channel ops -syslog daemon -timeout 0"),
            "error: fail::notify channel ops: -timeout: want a duration above 0 (500ms, 30s, 5m, 1h), got \"0\" "
            "(FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify channel ops -syslog daemon -colour red").rfind(
                "error: fail::notify channel ops: unknown option \"-colour\": want -mail, ", 0),
            0u);
  std::string e = eval("fail::notify channel ops -syslog daemon -subject {${sevrity}}");
  EXPECT_EQ(e.rfind("error: fail::notify channel ops: -subject: unknown field ${sevrity} at offset 0", 0), 0u) << e;
  e = eval("fail::notify channel ops -syslog daemon -rate 20");
  EXPECT_EQ(e.rfind("error: fail::notify channel ops: -rate: rate \"20\": ", 0), 0u) << e;
  e = eval("fail::notify channel ops -webhook ftp://x/");
  EXPECT_EQ(e, "error: fail::notify channel ops: -webhook: not an http or https URL (FAILOVER ARGS)");
  e = eval("fail::notify channel ops -mail {not-an-address} -smtp m -from a@b");
  EXPECT_EQ(e.rfind("error: fail::notify channel ops: -mail: not a mail address", 0), 0u) << e;
  EXPECT_TRUE(declared().channels.empty());  // nothing half-declared
}

TEST_F(NotifyCommandTest, SecretFilesAreReadAtDeclarationAndNeverShown) {
  std::string missing = dir.file("missing");
  EXPECT_EQ(eval("fail::notify channel ops -mail a@example.com -smtp m -from b@example.com -user u -password-file " +
                 missing),
            "error: fail::notify channel ops: -password-file \"" + missing +
                "\": cannot read: No such file or directory (FAILOVER ARGS)");
  dir.write("empty", "\n");
  EXPECT_EQ(eval("fail::notify channel chat -webhook http://h/ -secret-file " + dir.file("empty")),
            "error: fail::notify channel chat: -secret-file \"" + dir.file("empty") +
                "\": the file's first line is empty (FAILOVER ARGS)");
  dir.write("pw", "topsecret\n");
  std::string e = eval("fail::notify channel ops -mail a@example.com -smtp m -from b@example.com -password-file " +
                       dir.file("pw"));
  EXPECT_EQ(e, "error: fail::notify channel ops: -user and -password-file go together (FAILOVER ARGS)");
  EXPECT_EQ(e.find("topsecret"), std::string::npos);
}

TEST_F(NotifyCommandTest, RulesAndQuietWindows) {
  EXPECT_EQ(eval("fail::notify on www -to ops"),
            "error: fail::notify on www: -to names no channel \"ops\" (declare it first with fail::notify channel) "
            "(FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify channel ops -syslog daemon"), "ops");
  EXPECT_EQ(eval("fail::notify on check:* -to ops -states {FAIL UP} -after 30s -repeat 1h -resolved no -name checks"),
            "checks");
  ASSERT_EQ(declared().rules.size(), 1u);
  const notify::RuleSpec& r = declared().rules[0];
  EXPECT_EQ(r.pattern, "check:*");
  EXPECT_EQ(r.states, (std::vector<proto::State>{proto::State::Fail, proto::State::Up}));
  EXPECT_EQ(r.after, std::chrono::seconds(30));
  EXPECT_EQ(r.repeat, std::chrono::hours(1));
  EXPECT_FALSE(r.resolved);
  EXPECT_EQ(eval("fail::notify on www"), "error: fail::notify on www: -to is required (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify on www -to ops -states {DOWN}"),
            "error: fail::notify on www: -states: want UP, RECOVER, FAIL or UNKNOWN, got \"DOWN\" (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify on www -to ops -resolved maybe"),
            "error: fail::notify on www: -resolved: want yes or no, got \"maybe\" (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify on www -to ops -repeat 10ms"),
            "error: fail::notify on www: -repeat: want 0 (never) or at least 1s, got \"10ms\" (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify quiet db* -for 2h -reason {kernel upgrade}"), "db*");
  EXPECT_EQ(eval("fail::notify quiet www -until 2026-12-07T18:00:00Z"), "www");
  ASSERT_EQ(declared().quiet.size(), 2u);
  EXPECT_EQ(declared().quiet[0].reason, "kernel upgrade");
  EXPECT_GT(declared().quiet[0].until, wallNow());
  EXPECT_EQ(declared().quiet[1].until, 1796666400LL * 1000000);
  EXPECT_EQ(eval("fail::notify quiet www"),
            "error: fail::notify quiet www: -for DURATION or -until TIME is required (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify quiet www -for 1h -until 1"),
            "error: fail::notify quiet www: give -for or -until, once (FAILOVER ARGS)");
  std::string e = eval("fail::notify quiet www -until tomorrow");
  EXPECT_EQ(e.rfind("error: fail::notify quiet www: -until: want a time in UTC", 0), 0u) << e;
}

TEST_F(NotifyCommandTest, SendStatusAndConfigWhileThePolicyIsRead) {
  EXPECT_EQ(eval("fail::notify send ops subject body"), "error: fail::notify send ops: no channel \"ops\" (FAILOVER NOTIFY)");
  EXPECT_EQ(eval("fail::notify channel ops -syslog daemon"), "ops");
  EXPECT_EQ(eval("fail::notify send ops subject body"), "");  // a policy being read sends nothing
  EXPECT_EQ(eval("fail::notify status ops"),
            "waiting 0 sent 0 failed 0 suppressed 0 digests 0 retries 0 last_error {}");
  EXPECT_EQ(eval("dict keys [fail::notify status]"), "ops");
  EXPECT_EQ(eval("fail::notify status nope"), "error: fail::notify status: no channel \"nope\" (FAILOVER NOTIFY)");
  EXPECT_EQ(eval("fail::notify config -link https://faild.example/status"), "");
  EXPECT_EQ(declared().link, "https://faild.example/status");
  EXPECT_EQ(eval("fail::notify config -link ftp://x"),
            "error: fail::notify config: -link: want an http:// or https:// URL (faild's status page), got \"ftp://x\" "
            "(FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify config -db /tmp/x.db"),
            "error: fail::notify config: -db is failsh's --notify-db, the administrator's option (FAILOVER ARGS)");
  EXPECT_EQ(eval("fail::notify frob").rfind("error: bad subcommand \"frob\": must be channel, on, quiet, send, config", 0), 0u);
  // Nothing was opened: a staging engine keeps declarations only.
  EXPECT_FALSE(engine.notifications().active());
  EXPECT_EQ(checkNotifyDb(dir.file("notify.db")), "");
  EXPECT_NE(checkNotifyDb("/nonexistent-dir/notify.db"), "");
}

// The live side without a faild: the queue opens at the first channel a reload brings,
// a message goes through the real dispatcher and exec sender, and a reload without the
// channel takes it away.
TEST(NotificationsLive, TheQueueOpensAtTheFirstChannelAndAReloadTakesTheDeclarationsWhole) {
  fail::test::TempDir dir;
  Tcl_Interp* ip = Tcl_CreateInterp();
  SameThreadBridge bridge;
  {
    Api api{ip, std::chrono::milliseconds(200), bridge};
    EngineOptions o;
    o.notifyDb = dir.file("notify.db");
    Engine live{bridge.base(), o, api}, staging{bridge.base(), o, api}, empty{bridge.base(), o, api};
    std::string err;
    ASSERT_TRUE(live.notifications().activate(&err)) << err;
    EXPECT_FALSE(std::ifstream(dir.file("notify.db")).good());  // no channel: no queue
    notify::ChannelConfig c;
    c.spec.name = "run";
    c.spec.how = notify::ExecSpec{{"/bin/sh", "-c", "cat > " + dir.file("ran")}};
    staging.notifications().channel(c);
    ASSERT_TRUE(live.notifications().adopt(staging.notifications(), &err)) << err;
    EXPECT_TRUE(std::ifstream(dir.file("notify.db")).good());
    ASSERT_TRUE(live.notifications().send("run", "subject", "the body", &err)) << err;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (live.notifications().status("run")->status.sent < 1 && std::chrono::steady_clock::now() < deadline) {
      Tcl_DoOneEvent(TCL_ALL_EVENTS | TCL_DONT_WAIT);
      Tcl_Sleep(1);
    }
    EXPECT_EQ(live.notifications().status("run")->status.sent, 1u);
    std::ifstream ran(dir.file("ran"));
    std::string body((std::istreambuf_iterator<char>(ran)), std::istreambuf_iterator<char>());
    EXPECT_EQ(body, "the body");
    EXPECT_NE(live.notifications().dump().find("notify channel run exec"), std::string::npos)
        << live.notifications().dump();
    ASSERT_TRUE(live.notifications().adopt(empty.notifications(), &err)) << err;
    EXPECT_FALSE(live.notifications().status("run"));
    EXPECT_FALSE(live.notifications().send("run", "s", "b", &err));
  }
  Tcl_DeleteInterp(ip);
}

TEST(NotifySafe, ASafePolicyHasOnlySyslogChannels) {
  Tcl_Interp* master = Tcl_CreateInterp();
  Tcl_Interp* ip = Tcl_CreateSlave(master, "policy", 1);
  SameThreadBridge bridge;
  {
    Api api{ip, std::chrono::milliseconds(200), bridge};
    api.restrictTo({"localhost"});
    Engine engine{bridge.base(), EngineOptions{}, api};
    api.attach(engine);
    auto eval = [&](const std::string& s) {
      int code = Tcl_Eval(ip, s.c_str());
      std::string r = Tcl_GetStringResult(ip);
      Tcl_ResetResult(ip);
      return code == TCL_ERROR ? "error: " + r : r;
    };
    for (const char* opt : {"-exec {/bin/true}", "-webhook http://h/", "-mail a@b -smtp m -from c@d",
                            "-syslog daemon -password-file /etc/passwd", "-syslog daemon -secret-file /etc/passwd",
                            "-syslog daemon -ca /etc/shadow"}) {
      std::string e = eval(std::string("fail::notify channel x ") + opt);
      EXPECT_NE(e.find("is refused in a --safe policy"), std::string::npos) << opt << ": " << e;
    }
    EXPECT_EQ(eval("fail::notify channel log -syslog local0"), "log");
  }
  Tcl_DeleteInterp(master);
}

TEST(NotifyArgs, UntilTakesUtcOrSeconds) {
  EXPECT_EQ(parseUntil("2026-12-07T18:00:00Z"), 1796666400LL * 1000000);
  EXPECT_EQ(parseUntil("2026-12-07 18:00Z"), 1796666400LL * 1000000);
  EXPECT_EQ(parseUntil("1796666400"), 1796666400LL * 1000000);
  EXPECT_EQ(parseUntil("2026-12-07T18:00:00"), std::nullopt);  // no zone: refused, not guessed
  EXPECT_EQ(parseUntil(""), std::nullopt);
}

TEST(NotifyArgs, FailoverNDocumentsEveryOption) {
  const char* top = std::getenv("top_srcdir");
  std::ifstream in(std::string(top ? top : FAIL_SRCDIR) + "/man/failover.n");
  std::ostringstream out;
  out << in.rdbuf();
  std::string page = out.str();
  size_t at = page.find(".SH NOTIFICATIONS");
  ASSERT_NE(at, std::string::npos);
  page = page.substr(at, page.find("\n.SH ", at + 1) - at);
  for (const char* opt : {"mail", "smtp", "smtps", "starttls", "user", "password-file", "from", "webhook", "method",
                          "secret-file", "header", "exec", "syslog", "subject", "body", "timeout", "rate", "give-up",
                          "ca", "insecure", "to", "states", "after", "repeat", "resolved", "name", "for", "until",
                          "reason", "link", "db"}) {
    std::string word = "\\fB\\-";
    for (const char* c = opt; *c; ++c) word += *c == '-' ? std::string("\\-") : std::string(1, *c);
    word += "\\fR";
    EXPECT_NE(page.find(word), std::string::npos) << "-" << opt << " is not in failover(n)'s NOTIFICATIONS";
  }
}

}  // namespace
}  // namespace fail::shell

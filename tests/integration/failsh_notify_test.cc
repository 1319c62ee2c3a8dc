// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh's notifications (failover(n) "NOTIFICATIONS", issue 17), end to end: a real
// faild whose records a LineClient changes as failc would, a real failsh running a
// policy with fail::notify, and real receivers (tests/common/webhook_peer.hh: python's
// http.server; tests/common/mail_peer.hh: aiosmtpd writing a Maildir). What arrived is
// counted: one message for a FAIL that lasts, none for a flap shorter than -after, one
// digest for a storm, a "resolved", nothing in a quiet window, delivery once the receiver
// is back, exactly once across a kill -9 of failsh; signatures checked with openssl; mail
// headers read from the Maildir; STARTTLS with AUTH; and receivers that refuse, hang,
// trickle or redirect, which never block failsh's loop and lose nothing from the queue.
//
// "Nothing arrives" is never waited for with a sleep: a later event that must arrive
// after the one that must not (a record changed afterwards, with the same rule) is waited
// for instead, and then the count is checked.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "../common/mail_peer.hh"
#include "../common/pki.hh"
#include "../common/webhook_peer.hh"
#include "failsh_fixture.hh"
#include "harness.hh"

namespace fail::test {
namespace {

constexpr auto kLong = std::chrono::seconds(60);  // retries back off: 1 s, 2 s, 4 s...

// A field of a webhook's JSON body as text ("" when absent or not JSON).
std::string jsonField(const HookSeen& h, const std::string& key) {
  auto j = nlohmann::json::parse(h.body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains(key)) return "";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

// The requests the receiver answered 200 (the ones a sender counts as delivered).
std::vector<HookSeen> delivered(const std::vector<HookSeen>& seen) {
  std::vector<HookSeen> out;
  std::copy_if(seen.begin(), seen.end(), std::back_inserter(out), [](const HookSeen& h) { return h.answer == "200"; });
  return out;
}
size_t countDelivered(const std::vector<HookSeen>& seen) { return delivered(seen).size(); }

// Of the delivered ones, those about `record` (kind alert unless told).
size_t countFor(const std::vector<HookSeen>& seen, const std::string& record, const std::string& kind = "alert") {
  auto d = delivered(seen);
  return static_cast<size_t>(std::count_if(d.begin(), d.end(), [&](const HookSeen& h) {
    return jsonField(h, "record") == record && h.header("X-Failover-Event") == kind;
  }));
}

class FailshNotify : public FailshFixture {
 protected:
  void SetUp() override {
    fa = faild("faild");
    hook = std::make_unique<WebhookPeer>(dir.path());
    std::string why;
    ASSERT_TRUE(hook->start(&why)) << why;
  }
  void TearDown() override {
    if (HasFailure() && hook) std::cerr << "--- webhook receiver:\n" << hook->log() << readAll(hook->file("jsonl"));
    FailshFixture::TearDown();
  }
  void set(const std::string& name, const std::string& state) {
    LineClient c(fa->address());
    EXPECT_EQ(words(c.request("SET " + name + " " + state)).at(0), "OK");
  }
  // The policy: the local faild, then `body`.
  std::string policy(const std::string& body) const { return "failhost localhost port " + portOf(*fa) + "\n" + body; }
  // A webhook channel `name` to the receiver, with `more` options.
  std::string hookChannel(const std::string& more = "", const std::string& name = "hook") const {
    return "fail::notify channel " + name + " -webhook " + hook->url() + " " + more + "\n";
  }
  std::unique_ptr<Daemon> start(const std::string& body, const std::string& tag = "failsh") {
    return failsh(tag, policy(body), {"--notify-db", dir.file("notify.db")});
  }
  // notify:CHANNEL as the local faild holds it (the monitor port's, when faild has none).
  std::string channelRecord(const std::string& channel) const {
    std::string r = recordOf(fa->address(), "notify:" + channel);
    if (r.empty() && sh) r = recordOf(sh->address(), "notify:" + channel);
    return r;
  }
  std::string channelAttr(const std::string& channel, const std::string& key) const {
    return field(field(channelRecord(channel), "attrs"), key);
  }
  // Waits until notify:CHANNEL satisfies `ok`; fails the test (showing it) if it never does.
  void expectChannel(const std::string& channel, const std::function<bool(const std::string&)>& ok,
                     std::chrono::milliseconds deadline = kLong) {
    EXPECT_TRUE(eventually([&] { return ok(channelRecord(channel)); }, deadline)) << channelRecord(channel);
  }
  std::unique_ptr<Daemon> fa, sh;
  std::unique_ptr<WebhookPeer> hook;
};

TEST_F(FailshNotify, OneMessageForAFailThatLastsThenResolved) {
  sh = start(hookChannel() + "fail::notify on web* -to hook -after 1s -resolved yes\n");
  set("web1", "FAIL");
  auto seen = hook->waitSeen([](auto& s) { return countDelivered(s) >= 1; });
  ASSERT_EQ(countDelivered(seen), 1u);
  const HookSeen alert = seen[0];  // a copy: `seen` is read again below
  EXPECT_EQ(alert.method, "POST");
  EXPECT_EQ(alert.header("X-Failover-Event"), "alert");
  EXPECT_EQ(alert.header("Content-Type").rfind("application/json", 0), 0u) << alert.header("Content-Type");
  EXPECT_EQ(jsonField(alert, "record"), "web1") << alert.body;
  EXPECT_EQ(jsonField(alert, "state"), "FAIL") << alert.body;
  EXPECT_TRUE(std::regex_match(alert.header("Idempotency-Key"), std::regex("[0-9a-f]{32}")))
      << alert.header("Idempotency-Key");
  EXPECT_EQ(jsonField(alert, "key"), alert.header("Idempotency-Key"));
  expectChannel("hook", [](const std::string& r) {
    return field(r, "state") == "UP" && field(field(r, "attrs"), "sent") == "1";
  });

  set("web1", "UP");
  seen = hook->waitSeen([](auto& s) { return countDelivered(s) >= 2; });
  ASSERT_EQ(countDelivered(seen), 2u);
  EXPECT_EQ(seen[1].header("X-Failover-Event"), "resolved");
  EXPECT_EQ(jsonField(seen[1], "record"), "web1");
  EXPECT_EQ(jsonField(seen[1], "previous"), "FAIL") << seen[1].body;
  EXPECT_NE(seen[1].header("Idempotency-Key"), alert.header("Idempotency-Key"));

  // Still one alert for web1: a later record's alert, with the same -after, comes after
  // any second one would have.
  set("web2", "FAIL");
  seen = hook->waitSeen([](auto& s) { return countFor(s, "web2") >= 1; });
  EXPECT_EQ(countFor(seen, "web1"), 1u);
  EXPECT_EQ(countFor(seen, "web1", "resolved"), 1u);
  EXPECT_EQ(countDelivered(seen), 3u);
}

TEST_F(FailshNotify, NothingForAFlapShorterThanAfter) {
  sh = start(hookChannel() + "fail::notify on * -to hook -after 3s\n");
  set("flap", "FAIL");
  set("flap", "UP");
  set("steady", "FAIL");  // its -after started after flap's: flap's would be there first
  auto seen = hook->waitSeen([](auto& s) { return countFor(s, "steady") >= 1; });
  ASSERT_EQ(countFor(seen, "steady"), 1u);
  EXPECT_EQ(countFor(seen, "flap"), 0u);
  EXPECT_EQ(countFor(seen, "flap", "resolved"), 0u);  // never alerted, so never resolved
  EXPECT_EQ(countDelivered(seen), 1u);
}

TEST_F(FailshNotify, AStormOfAThousandGivesTenMessagesAndOneDigest) {
  sh = start(hookChannel("-rate 10/1m") + "fail::notify on storm-* -to hook\n");
  {
    // Pipelined, as a busy hc would send them: all within well under a second.
    LineClient c(fa->address());
    std::string batch;
    for (int i = 0; i < 1000; ++i) batch += "SET storm-" + std::to_string(1000 + i) + " FAIL\n";
    c.sendRaw(batch);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(words(c.readLine().value_or("ERR")).at(0), "OK");
  }
  // The digest comes at the end of the rate window (a minute).
  auto seen = hook->waitSeen(
      [](auto& s) {
        auto d = delivered(s);
        return std::any_of(d.begin(), d.end(), [](const HookSeen& h) { return h.header("X-Failover-Event") == "digest"; });
      },
      std::chrono::seconds(120));
  auto d = delivered(seen);
  size_t alerts = 0, digests = 0;
  std::string count;
  for (auto& h : d) {
    if (h.header("X-Failover-Event") == "alert") ++alerts;
    if (h.header("X-Failover-Event") == "digest") ++digests, count = jsonField(h, "count");
  }
  EXPECT_LE(alerts, 10u);
  EXPECT_GE(alerts, 1u);
  ASSERT_EQ(digests, 1u) << seen.size() << " requests";
  EXPECT_EQ(count, std::to_string(1000 - alerts));
  expectChannel("hook", [&](const std::string& r) {
    return field(field(r, "attrs"), "digests") == "1" && field(field(r, "attrs"), "waiting") == "0";
  });
}

TEST_F(FailshNotify, NothingDuringAQuietWindowAndTheLogSaysSo) {
  sh = start(hookChannel() + "fail::notify on * -to hook\n"
                             "fail::notify quiet maint* -for 1h -reason {planned work}\n");
  set("maint1", "FAIL");
  set("web1", "FAIL");
  auto seen = hook->waitSeen([](auto& s) { return countFor(s, "web1") >= 1; });
  ASSERT_EQ(countFor(seen, "web1"), 1u);
  EXPECT_EQ(countFor(seen, "maint1"), 0u);
  EXPECT_EQ(countDelivered(seen), 1u);
  EXPECT_TRUE(eventually([&] {
    std::string log = sh->log();
    return log.find("maint1") != std::string::npos && log.find("quiet") != std::string::npos;
  })) << sh->log();
  EXPECT_NE(sh->log().find("planned work"), std::string::npos) << sh->log();
}

TEST_F(FailshNotify, DeliveredOnceTheReceiverComesBack) {
  hook->setMode("500");
  sh = start(hookChannel() + "fail::notify on web* -to hook\n");
  set("web1", "FAIL");
  // Retried while it answers 500, the channel's record saying so.
  auto seen = hook->waitSeen([](auto& s) { return s.size() >= 2; }, kLong);
  ASSERT_GE(seen.size(), 2u);
  expectChannel("hook", [](const std::string& r) {
    return field(r, "state") == "FAIL" && field(r, "note").find("500") != std::string::npos;
  });
  EXPECT_EQ(channelAttr("hook", "waiting"), "1");
  hook->setMode("200");
  seen = hook->waitSeen([](auto& s) { return countDelivered(s) >= 1; }, kLong);
  ASSERT_EQ(countDelivered(seen), 1u);
  for (auto& h : seen) EXPECT_EQ(h.header("Idempotency-Key"), seen[0].header("Idempotency-Key"));
  expectChannel("hook", [](const std::string& r) {
    return field(r, "state") == "UP" && field(field(r, "attrs"), "sent") == "1" &&
           field(field(r, "attrs"), "waiting") == "0";
  });
}

TEST_F(FailshNotify, ExactlyOnceAcrossAKill9WithMessagesQueued) {
  std::string rules = hookChannel() + "fail::notify on q* -to hook\n";
  hook->stop();  // down: every attempt is refused and retried
  sh = start(rules);
  for (auto r : {"q1", "q2", "q3"}) set(r, "FAIL");
  expectChannel("hook", [](const std::string& r) { return field(field(r, "attrs"), "waiting") == "3"; });
  sh->kill9();
  sh.reset();
  std::string why;
  ASSERT_TRUE(hook->start(&why)) << why;
  sh = start(rules, "failsh2");  // the same queue
  auto seen = hook->waitSeen([](auto& s) { return countDelivered(s) >= 3; }, kLong);
  ASSERT_EQ(countDelivered(seen), 3u);
  // A record changed afterwards: its message comes after any repeat of the others would.
  set("q4", "FAIL");
  seen = hook->waitSeen([](auto& s) { return countFor(s, "q4") >= 1; }, kLong);
  std::set<std::string> keys, records;
  for (auto& h : delivered(seen)) {
    EXPECT_TRUE(keys.insert(h.header("Idempotency-Key")).second) << "twice: " << h.body;
    EXPECT_TRUE(records.insert(jsonField(h, "record")).second) << "twice: " << h.body;
  }
  EXPECT_EQ(records, (std::set<std::string>{"q1", "q2", "q3", "q4"}));
  expectChannel("hook", [](const std::string& r) {
    return field(field(r, "attrs"), "waiting") == "0" && field(field(r, "attrs"), "sent") == "4";
  });
}

TEST_F(FailshNotify, WebhookSignatureCheckedWithOpenssl) {
  const std::string secret = "webhook-secret-7f3a9c";
  noteSecret(secret);
  writeFile(dir.file("hook.secret"), secret + "\n");
  sh = start(hookChannel("-method PUT -secret-file " + dir.file("hook.secret") + " -header {X-Team ops}") +
             "fail::notify on web* -to hook\n");
  set("web1", "FAIL");
  auto seen = hook->waitSeen([](auto& s) { return countDelivered(s) >= 1; });
  ASSERT_EQ(countDelivered(seen), 1u);
  const HookSeen& h = seen[0];
  EXPECT_EQ(h.method, "PUT");
  EXPECT_EQ(h.header("X-Team"), "ops");
  std::smatch m;
  std::string sig = h.header("X-Failover-Signature");
  ASSERT_TRUE(std::regex_match(sig, m, std::regex("t=(\\d+),sha256=([0-9a-f]{64})"))) << sig;
  double t = std::stod(m[1]);
  EXPECT_LT(std::abs(t - h.time), 60.0);
  dir.write("signed", m[1].str() + "." + h.body);
  auto r = runProgram("/usr/bin/openssl", {"dgst", "-sha256", "-hmac", secret, dir.file("signed")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.substr(r.out.rfind("= ") + 2), m[2].str() + "\n") << r.out;
}

// A mail channel to `mail`, to `to`, with `more` options.
std::string mailChannel(const MailPeer& mail, const std::string& to, const std::string& more) {
  return "fail::notify channel mail -mail {" + to + "} -smtp " + mail.address() +
         " -from failover@example.com " + more + "\n";
}

TEST_F(FailshNotify, MailWithStarttlsAndAuthHeadersReadFromTheMaildir) {
  Pki pki;
  auto leaf = pki.leaf("mail", "DNS:localhost,IP:127.0.0.1", -3600, 86400);
  const std::string password = "mail-password-41c9";
  noteSecret(password);
  writeFile(dir.file("smtp.password"), password + "\n");
  MailPeer mail(dir.path(), {.tlsCert = leaf.cert, .tlsKey = leaf.key, .requireTls = true, .user = "alice",
                             .password = password});
  std::string why;
  if (!mail.start(&why) && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
  ASSERT_GT(mail.port(), 0) << why;
  sh = start(mailChannel(mail, "ops@example.com",
                         "-starttls -user alice -password-file " + dir.file("smtp.password") + " -ca " + pki.caFile +
                             " -subject {${record} is ${state}}") +
             "fail::notify on web* -to mail\n");
  set("web1", "FAIL");
  auto seen = mail.waitCount(1, kLong);
  ASSERT_EQ(seen.size(), 1u) << mail.log();
  const MailSeen& m = seen[0];
  EXPECT_EQ(m.header("Subject"), "web1 is FAIL");
  EXPECT_TRUE(std::regex_match(m.header("Message-ID"), std::regex("<[0-9a-f]{32}@failover\\.[^>]+>")))
      << m.header("Message-ID");
  EXPECT_NE(m.header("From").find("failover@example.com"), std::string::npos);
  EXPECT_NE(m.header("To").find("ops@example.com"), std::string::npos);
  EXPECT_EQ(m.header("Auto-Submitted"), "auto-generated");
  EXPECT_FALSE(m.header("Date").empty());
  EXPECT_EQ(m.header("X-Peer-TLS"), "yes");
  EXPECT_EQ(m.header("X-Peer-Auth"), "alice");
  EXPECT_EQ(m.header("X-Peer-Rcpt-To"), "ops@example.com");
  EXPECT_NE(m.body.find("web1"), std::string::npos) << m.body;
  expectChannel("mail", [](const std::string& r) { return field(r, "state") == "UP"; });
}

TEST_F(FailshNotify, ARejectedRecipientFailsClearlyAndIsNotRetried) {
  MailPeer mail(dir.path(), {.reject = {"nobody@example.com"}});
  std::string why;
  if (!mail.start(&why) && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
  ASSERT_GT(mail.port(), 0) << why;
  sh = start(mailChannel(mail, "nobody@example.com", "") + "fail::notify on web* -to mail\n");
  set("web1", "FAIL");
  expectChannel("mail", [](const std::string& r) {
    return field(r, "state") == "FAIL" && field(r, "note").find("550") != std::string::npos &&
           field(field(r, "attrs"), "failed") == "1" && field(field(r, "attrs"), "waiting") == "0";
  });
  EXPECT_NE(sh->log().find("550"), std::string::npos) << sh->log();
  EXPECT_TRUE(mail.seen().empty());
  std::string log = mail.log();
  size_t refusals = 0;
  for (size_t at = 0; (at = log.find("-> 550", at)) != std::string::npos; ++at) ++refusals;
  EXPECT_EQ(refusals, 1u) << log;  // a 5xx is final: no retry
}

// A receiver that holds the request (hang) or answers a byte a second (trickle): the
// attempt times out, failsh's loop answers on its monitor port all along, the message
// stays queued and goes out once the receiver answers.
class FailshNotifySlow : public FailshNotify {
 protected:
  void run(const std::string& mode) {
    hook->setMode(mode);
    sh = start(hookChannel("-timeout 2s") + "fail::notify on web* -to hook\n");
    set("web1", "FAIL");
    ASSERT_EQ(hook->waitCount(1).size(), 1u);
    // The attempt is out and held: the loop answers meanwhile, quickly.
    for (int i = 0; i < 5; ++i) {
      auto began = Clock::now();
      LineClient c(sh->address());
      EXPECT_EQ(words(c.request("GET notify:hook")).at(0), "OK");
      EXPECT_LT(Clock::now() - began, 1000ms);  // the attempt is held 2 s
    }
    expectChannel("hook", [](const std::string& r) {
      return field(r, "state") == "FAIL" && !field(r, "note").empty() && field(field(r, "attrs"), "waiting") == "1";
    });
    hook->setMode("200");
    auto seen = hook->waitSeen([](auto& s) { return countDelivered(s) >= 1; }, kLong);
    ASSERT_EQ(countDelivered(seen), 1u);
    for (auto& h : seen) EXPECT_EQ(h.header("Idempotency-Key"), seen[0].header("Idempotency-Key"));
    expectChannel("hook", [](const std::string& r) {
      return field(r, "state") == "UP" && field(field(r, "attrs"), "sent") == "1";
    });
  }
};

TEST_F(FailshNotifySlow, AHangingReceiverTimesOutWithoutBlockingTheLoop) { run("hang"); }
TEST_F(FailshNotifySlow, ATricklingReceiverTimesOutWithoutBlockingTheLoop) { run("trickle"); }

TEST_F(FailshNotify, ARedirectIsNotFollowedAndNamesWhereItLed) {
  hook->setMode("redirect");
  sh = start(hookChannel() + "fail::notify on web* -to hook\n");
  set("web1", "FAIL");
  expectChannel("hook", [](const std::string& r) {
    return field(r, "state") == "FAIL" && field(r, "note").find("127.0.0.1:9/elsewhere") != std::string::npos &&
           field(field(r, "attrs"), "failed") == "1";
  });
  EXPECT_NE(sh->log().find("127.0.0.1:9/elsewhere"), std::string::npos) << sh->log();
  EXPECT_EQ(hook->seen().size(), 1u);  // a 3xx is final, and not followed
}

TEST_F(FailshNotify, CheckConfigNamesAnUnknownTemplateField) {
  writeFile(dir.file("bad.tcl"), policy(hookChannel("-subject {${record} is ${sevrity}}")));
  auto r = runProgram("failsh/failsh", {"-t", "-f", dir.file("bad.tcl"), "--notify-db", dir.file("check.db")});
  EXPECT_NE(r.status, 0) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("${sevrity}"), std::string::npos) << r.out << r.err;
}

// A policy that decides itself: fail::notify send from a Tcl callback, to a webhook and
// to an -exec channel (the fields in FAIL_* variables, the body on stdin); fail::notify
// status answers a dict.
TEST_F(FailshNotify, SendFromAPolicyToAWebhookAndAProgram) {
  std::string out = dir.file("exec.out");
  sh = start(hookChannel() +
             "fail::notify channel run -exec {/bin/sh -c {{ env | grep ^FAIL_ | sort; cat; } >> \"$0\"} " + out +
             "}\n"
             "fail::on change decide* {apply {{kind rec} {\n"
             "    if {[dict get $rec state] ne \"FAIL\"} return\n"  // a change, or the listing's
             "    set name [dict get $rec name]\n"
             "    fail::notify send hook \"decided: $name\" \"it is [dict get $rec state]\"\n"
             "    fail::notify send run \"decided: $name\" \"it is [dict get $rec state]\"\n"
             "    fail::log notice \"hook status: [dict keys [fail::notify status hook]]\"\n"
             "}}}\n");
  set("decide1", "FAIL");
  auto seen = hook->waitSeen([](auto& s) { return countDelivered(s) >= 1; });
  ASSERT_EQ(countDelivered(seen), 1u);
  EXPECT_EQ(seen[0].header("X-Failover-Event"), "send");
  EXPECT_EQ(jsonField(seen[0], "subject"), "decided: decide1") << seen[0].body;
  EXPECT_EQ(jsonField(seen[0], "body"), "it is FAIL") << seen[0].body;
  ASSERT_TRUE(eventually([&] { return readFile(out).find("it is FAIL") != std::string::npos; })) << readFile(out);
  std::string text = readFile(out);
  EXPECT_NE(text.find("FAIL_KIND=send\n"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL_CHANNEL=run\n"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL_SUBJECT=decided: decide1\n"), std::string::npos) << text;
  EXPECT_TRUE(std::regex_search(text, std::regex("FAIL_KEY=[0-9a-f]{32}\n"))) << text;
  expectChannel("run", [](const std::string& r) { return field(r, "state") == "UP" && field(field(r, "attrs"), "sent") == "1"; });
  for (auto key : {"waiting", "sent", "failed", "suppressed", "digests", "retries", "last_error"})
    EXPECT_NE(sh->log().find(key), std::string::npos) << key << "\n" << sh->log();
}

// The retried failures (a receiver answering 500, hanging, trickling) show in the channel's
// record above; a person reading failsh's log at its default level must learn it too.
TEST_F(FailshNotify, ARetriedFailureIsInTheLogAtTheDefaultLevel) {
  hook->setMode("500");
  sh = start(hookChannel() + "fail::notify on web* -to hook\n");
  set("web1", "FAIL");
  ASSERT_GE(hook->waitSeen([](auto& s) { return s.size() >= 2; }, kLong).size(), 2u);
  EXPECT_TRUE(eventually([&] {
    std::string log = sh->log();
    return log.find("hook") != std::string::npos && log.find("500") != std::string::npos;
  })) << sh->log();
}

// The password is read when the policy is (the shell reads -password-file): a file that
// cannot be read stops a start and a check with its name and cause, and a reload that
// meets it is refused whole, the running channel and its queue untouched.
TEST_F(FailshNotify, AnUnreadablePasswordFileIsAClearErrorAndLosesNothing) {
  const std::string password = "mail-password-93be";
  noteSecret(password);
  MailPeer mail(dir.path(), {.user = "alice", .password = password, .authWithoutTls = true});
  std::string why;
  if (!mail.start(&why) && why.find("not installed") != std::string::npos) GTEST_SKIP() << why;
  ASSERT_GT(mail.port(), 0) << why;
  std::string file = dir.file("smtp.password");
  writeFile(file, password + "\n");
  std::string body = mailChannel(mail, "ops@example.com", "-user alice -password-file " + file) +
                     "fail::notify on web* -to mail\n";
  sh = start(body);
  std::remove(file.c_str());
  // A check names the file and the cause.
  auto r = runProgram("failsh/failsh", {"-t", "-f", dir.file("failsh.tcl"), "--notify-db", dir.file("check.db")});
  EXPECT_NE(r.status, 0);
  EXPECT_NE((r.out + r.err).find(file), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("No such file"), std::string::npos) << r.out << r.err;
  // A reload is refused and says why; the channel goes on with what it had.
  sh->signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return sh->log().find(file) != std::string::npos; })) << sh->log();
  set("web1", "FAIL");
  auto seen = mail.waitCount(1, kLong);
  ASSERT_EQ(seen.size(), 1u) << mail.log();
  EXPECT_EQ(seen[0].header("X-Peer-Auth"), "alice");
  expectChannel("mail", [](const std::string& r) {
    return field(r, "state") == "UP" && field(field(r, "attrs"), "sent") == "1";
  });
}

}  // namespace
}  // namespace fail::test

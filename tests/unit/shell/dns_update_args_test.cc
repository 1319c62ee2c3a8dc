// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The options of fail::dns update and follow (shell/dns_update_args.hh): read whole,
// errors naming the option, secrets never quoted back.
#include <gtest/gtest.h>
#include <tcl.h>

#include <memory>
#include <string>

#include "base/log.hh"
#include "shell/dns_update_args.hh"

namespace fail::shell {
namespace {

struct Interp {
  Tcl_Interp* interp = Tcl_CreateInterp();
  ~Interp() { Tcl_DeleteInterp(interp); }
  // Splits `args` as a Tcl list into objv.
  template <class F>
  bool parse(const std::string& args, F fn) {
    Tcl_Obj* list = Tcl_NewStringObj(args.c_str(), -1);
    Tcl_IncrRefCount(list);
    int objc = 0;
    Tcl_Obj** objv = nullptr;
    EXPECT_EQ(Tcl_ListObjGetElements(interp, list, &objc, &objv), TCL_OK);
    bool ok = fn(objc, objv);
    Tcl_DecrRefCount(list);
    return ok;
  }
  std::string result() const { return Tcl_GetStringResult(interp); }
  std::string code() {
    Tcl_Obj* opts = Tcl_GetReturnOptions(interp, TCL_ERROR);
    Tcl_IncrRefCount(opts);
    Tcl_Obj* v = nullptr;
    Tcl_DictObjGet(nullptr, opts, Tcl_NewStringObj("-errorcode", -1), &v);
    std::string out = v ? Tcl_GetString(v) : "";
    Tcl_DecrRefCount(opts);
    return out;
  }
};

bool update(Interp& t, const std::string& args, DnsUpdateArgs& out) {
  return t.parse(args, [&](int objc, Tcl_Obj** objv) { return parseDnsUpdateArgs(t.interp, objc, objv, 0, out); });
}

bool follow(Interp& t, const std::string& args, DnsFollowArgs& out) {
  return t.parse(args, [&](int objc, Tcl_Obj** objv) { return parseDnsFollowArgs(t.interp, objc, objv, 0, out); });
}

const std::string kBase = "-server 127.0.0.1:5300 -zone Example.Test. -key-file /k -ttl 30s ";

TEST(DnsUpdateArgs, ReadWhole) {
  Interp t;
  DnsUpdateArgs a;
  ASSERT_TRUE(update(t, kBase + "-replace WWW.example.test a {203.0.113.1 203.0.113.2} -expect {}", a)) << t.result();
  EXPECT_EQ(a.server, "127.0.0.1:5300");
  EXPECT_EQ(a.zone, "example.test");
  EXPECT_EQ(a.name, "www.example.test");
  EXPECT_EQ(a.type, 1);
  EXPECT_EQ(a.ttl, 30u);
  ASSERT_EQ(a.addresses.size(), 2u);
  EXPECT_EQ(a.addresses[1].text, "203.0.113.2");
  ASSERT_TRUE(a.expect.has_value());
  EXPECT_TRUE(a.expect->empty());
  EXPECT_EQ(a.key.file, "/k");
  DnsUpdateArgs b;
  ASSERT_TRUE(update(t, "-server 2001:db8::53 -zone example.test -key hmac-sha256:k:c2VjcmV0c2VjcmV0 -ttl 60 "
                        "-replace www.example.test AAAA {2001:db8::1}", b))
      << t.result();
  EXPECT_EQ(b.server, "[2001:db8::53]:53");
  EXPECT_EQ(b.type, 28);
  EXPECT_FALSE(b.expect.has_value());
}

TEST(DnsUpdateArgs, ErrorsNameTheOption) {
  Interp t;
  DnsUpdateArgs a;
  struct Case {
    std::string args, says;
  } cases[] = {
      {kBase + "-replace www.example.org A {203.0.113.1}", "-replace: \"www.example.org\" is not inside the zone"},
      {kBase + "-replace www.example.test A {2001:db8::1}", "-replace: \"2001:db8::1\" is not an IPv4 address"},
      {kBase + "-replace www.example.test AAAA {2001:db8::1} -expect {203.0.113.1}", "-expect: \"203.0.113.1\" is not an IPv6"},
      {kBase + "-replace www.example.test A {nonsense}", "-replace: \"nonsense\" is not an IP address"},
      {kBase + "-replace www.example.test MX {203.0.113.1}", "want A or AAAA"},
      {kBase + "-replace www.example.test A {203.0.113.1 203.0.113.1}", "is given twice"},
      {"-server ns.example.test -zone example.test -key-file /k -ttl 30 -replace www.example.test A {}",
       "-server: \"ns.example.test\": want a numeric"},
      {"-server 127.0.0.1:99999 -zone example.test -key-file /k -ttl 30 -replace www.example.test A {}", "-server"},
      {"-server 127.0.0.1 -zone example.test -ttl 30 -replace www.example.test A {}", "exactly one of -key-file and -key"},
      {"-server 127.0.0.1 -zone example.test -key-file /k -replace www.example.test A {}", "are required"},
      {"-server 127.0.0.1 -zone example.test -key-file /k -ttl 1.5s -replace www.example.test A {}", "-ttl: want"},
      {kBase + "-replace www.example.test A {} -bogus 1", "unknown option \"-bogus\""},
      {kBase + "-replace www.example.test A", "value missing"},
      {"-server 127.0.0.1 -zone example..test -key-file /k -ttl 30 -replace www.example.test A {}", "-zone:"},
  };
  for (const auto& c : cases) {
    a = DnsUpdateArgs{};
    EXPECT_FALSE(update(t, c.args, a)) << c.args;
    EXPECT_NE(t.result().find(c.says), std::string::npos) << c.args << " -> " << t.result();
    EXPECT_EQ(t.code(), "FAILOVER ARGS") << c.args;
  }
}

TEST(DnsUpdateArgs, AnInlineSecretIsNeverQuotedAndIsRedacted) {
  Interp t;
  DnsUpdateArgs a;
  const std::string secret = "c2VjcmV0LW5ldmVyLXF1b3RlZA==";
  EXPECT_FALSE(update(t, "-key hmac-sha256:k:" + secret + " -server 127.0.0.1 -zone example.test -ttl 30 -bogus 1", a));
  EXPECT_EQ(t.result().find(secret), std::string::npos) << t.result();
  EXPECT_EQ(log::redacted("key " + secret).find(secret), std::string::npos);
  EXPECT_FALSE(update(t, kBase + "-key nocolons", a));
  EXPECT_EQ(t.result().find("nocolons"), std::string::npos) << t.result();
}

TEST(DnsFollowArgs, ReadWholeAndCompared) {
  Interp t;
  DnsFollowArgs a, b;
  std::string args = "www.example.test -zone example.test -server 127.0.0.1:53 -key-file /k -select priority "
                     "-ttl 1m -all-down keep -reconcile 30s -secondaries {127.0.0.1:5301 ::1} "
                     "-members {{203.0.113.10 -check web1} {203.0.113.20}}";
  ASSERT_TRUE(follow(t, args, a)) << t.result();
  EXPECT_EQ(a.name, "www.example.test");
  EXPECT_EQ(a.select, DnsFollowArgs::Select::Priority);
  EXPECT_EQ(a.allDown, DnsFollowArgs::AllDown::Keep);
  EXPECT_EQ(a.ttl, 60u);
  EXPECT_EQ(a.reconcile, std::chrono::seconds(30));
  ASSERT_EQ(a.members.size(), 2u);
  EXPECT_EQ(a.members[0].check, "web1");
  EXPECT_EQ(a.members[1].check, "");
  ASSERT_EQ(a.secondaries.size(), 2u);
  EXPECT_EQ(a.secondaries[1], "[::1]:53");
  EXPECT_FALSE(a.secondariesFromNs);
  ASSERT_TRUE(follow(t, args + " -secondaries {ns:5301 127.0.0.2}", b)) << t.result();
  EXPECT_TRUE(b.secondariesFromNs);
  EXPECT_EQ(b.nsPort, 5301);
  EXPECT_EQ(b.secondaries, std::vector<std::string>{"127.0.0.2:53"});
  b = DnsFollowArgs{};
  ASSERT_TRUE(follow(t, args, b));
  EXPECT_TRUE(a == b);  // a reload tells an unchanged declaration by this
  ASSERT_TRUE(follow(t, args + " -ttl 2m", b));
  EXPECT_FALSE(a == b);
}

TEST(DnsFollowArgs, ErrorsNameTheOption) {
  Interp t;
  DnsFollowArgs a;
  const std::string base = "www.example.test -zone example.test -server 127.0.0.1 -key-file /k ";
  struct Case {
    std::string args, says;
  } cases[] = {
      {base + "-members {{203.0.113.10} {2001:db8::1}}", "-members: \"2001:db8::1\" is not an IPv4 address"},
      {base + "-members {{203.0.113.10 -weight 2}}", "unknown member option \"-weight\""},
      {base + "-members {}", "-members: want a list"},
      {base + "-members {{203.0.113.10 -check {bad name}}}", "is not a record name"},
      {base + "-members {{203.0.113.10}} -select wrr", "-select: want all or priority"},
      {base + "-members {{203.0.113.10}} -all-down servfail", "-all-down: want all, none or keep"},
      {base + "-members {{203.0.113.10}} -reconcile 10ms", "-reconcile: want a duration of at least 1s"},
      {base + "-members {{203.0.113.10}} -secondaries {ns2.example.test}", "-secondaries: \"ns2.example.test\""},
      {base + "-members {{203.0.113.10}} -secondaries {ns:0}", "want ns or ns:PORT"},
      {"www.example.org -zone example.test -server 127.0.0.1 -key-file /k -members {{203.0.113.10}}",
       "is not inside the zone"},
      {"www.example.test -zone example.test -key-file /k -members {{203.0.113.10}}", "are required"},
  };
  for (const auto& c : cases) {
    a = DnsFollowArgs{};
    EXPECT_FALSE(follow(t, c.args, a)) << c.args;
    EXPECT_NE(t.result().find(c.says), std::string::npos) << c.args << " -> " << t.result();
  }
}

}  // namespace
}  // namespace fail::shell

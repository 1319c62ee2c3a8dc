// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// fail::dns zone|record|pool|member|serve as a policy being read sees them (no front-end
// yet): every option into its dns::Config field, every error message, and failover(n)
// naming every option of the tables.
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gtest/gtest.h>
#include <tcl.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "shell/api.hh"
#include "shell/bridge.hh"
#include "shell/dns_host.hh"
#include "shell/dns_options.hh"
#include "shell/engine.hh"
#include "tcl_eval.hh"

namespace fail::shell {
namespace {

struct DnsConfigTest : ::testing::Test {
  Tcl_Interp* ip = Tcl_CreateInterp();
  SameThreadBridge bridge;
  Api api{ip, std::chrono::milliseconds(200), bridge};
  Engine engine{bridge.base(), EngineOptions{}, api};
  std::string dir;
  DnsConfigTest() {
    char tmpl[] = "/tmp/dns-config-test.XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~DnsConfigTest() override {
    Tcl_DeleteInterp(ip);
    std::string cmd = "rm -rf '" + dir + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
  }
  void SetUp() override { api.attach(engine); }
  std::string eval(const std::string& script) {
    return test::evalResult(ip, script);
  }
  std::string file(const std::string& name, const std::string& text) {
    std::string path = dir + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  dns::Config config() { return api.dns.build(); }
  void zone() { ASSERT_EQ(eval("fail::dns zone example.com -ns {ns1.example.com ns2.example.com}"), "example.com"); }
};

TEST_F(DnsConfigTest, ZoneEveryOption) {
  EXPECT_EQ(eval("fail::dns zone Example.COM. -ns {NS1.example.com ns2.example.net.} -soa-minimum 10s "
                 "-mbox admin.example.com -ttl 2h"),
            "example.com");
  dns::Config cz = config();
  const dns::Zone& z = cz.zones.at("example.com");
  EXPECT_EQ(z.ns, (std::vector<std::string>{"ns1.example.com", "ns2.example.net"}));
  EXPECT_EQ(z.minimum, 10u);
  EXPECT_EQ(z.mbox, "admin.example.com");
  EXPECT_EQ(z.ttl, 7200u);
  eval("fail::dns zone example.org -ns ns1.example.org");
  EXPECT_EQ(config().zones.at("example.org").mbox, "hostmaster.example.org");
  EXPECT_EQ(config().zones.at("example.org").minimum, 30u);  // the low default
  EXPECT_EQ(config().zones.at("example.org").ttl, 3600u);
}

TEST_F(DnsConfigTest, ZoneErrors) {
  EXPECT_EQ(eval("fail::dns zone example.com"),
            "error: fail::dns zone example.com: -ns is required (the zone's name servers), unless -file has them "
            "(FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns zone example.com -ns"),
            "error: wrong # args: should be \"fail::dns zone name ?-ns names? ?-soa-minimum t? ?-mbox name? ?-ttl t? "
            "?-file path?\" (TCL WRONGARGS)");
  EXPECT_EQ(eval("fail::dns zone example.com -colour red"),
            "error: fail::dns zone example.com: unknown option \"-colour\": want -ns, -soa-minimum, -mbox, -ttl or "
            "-file (FAILOVER DNS ARGS)");
  EXPECT_NE(eval("fail::dns zone a..b -ns x").find("error: fail::dns zone: "), std::string::npos);
  EXPECT_EQ(eval("fail::dns zone example.com -ns x -soa-minimum soon"),
            "error: fail::dns zone example.com -soa-minimum: bad duration \"soon\": want seconds or a number with ms, "
            "s, m, h (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns zone example.com -ns x -ttl 1500ms"),
            "error: fail::dns zone example.com -ttl: want whole seconds up to 2147483647, got \"1500ms\" "
            "(FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns zone example.com -ns {a {b c}}").substr(0, 39), "error: fail::dns zone example.com -ns: ");
  EXPECT_TRUE(config().zones.empty());
}

TEST_F(DnsConfigTest, ZoneFileRecordsApexNsAndErrors) {
  std::string path = file("example.com.zone",
                          "$TTL 300\n"
                          "@ IN SOA ns1 hostmaster 1 3600 600 86400 30\n"
                          "@ IN NS ns1\n"
                          "ns1 IN A 203.0.113.53\n"
                          "@ 600 IN MX 10 mail\n"
                          "txt IN TXT \"hello world\"\n");
  EXPECT_EQ(eval("fail::dns zone example.com -file " + path), "example.com");
  dns::Config cz = config();
  const dns::Zone& z = cz.zones.at("example.com");
  EXPECT_EQ(z.ns, std::vector<std::string>{"ns1.example.com"});
  ASSERT_EQ(z.records.size(), 3u);  // the SOA and the apex NS are not static records
  EXPECT_EQ(z.records[0].owner, "ns1.example.com");
  EXPECT_EQ(z.records[0].type, 1);
  EXPECT_EQ(z.records[0].ttl, 300u);
  EXPECT_EQ(z.records[0].rdata, (std::vector<std::uint8_t>{203, 0, 113, 53}));
  EXPECT_EQ(z.records[1].type, 15);
  EXPECT_EQ(z.records[1].ttl, 600u);
  EXPECT_EQ(z.file, path);

  std::string bad = file("bad.zone", "$TTL 300\nwww IN A 203.0.113.1\nwww IN A not-an-address\n");
  std::string r = eval("fail::dns zone example.net -ns ns1.example.net -file " + bad);
  // FILE:LINE (ldns counts the line; dns/record.hh's tests pin the number).
  EXPECT_EQ(r.find("error: fail::dns zone example.net -file: " + bad + ":"), 0u) << r;
  EXPECT_NE(r.find("could not parse the RR's rdata"), std::string::npos) << r;
  std::string outside = file("outside.zone", "www.example.org. 300 IN A 203.0.113.1\n");
  EXPECT_EQ(eval("fail::dns zone example.net -ns ns1.example.net -file " + outside),
            "error: fail::dns zone example.net -file: " + outside +
                ": record owner \"www.example.org\" is outside zone \"example.net\" (FAILOVER DNS ARGS)");
  r = eval("fail::dns zone example.net -ns ns1.example.net -file " + dir + "/missing.zone");
  EXPECT_EQ(r.find("error: fail::dns zone example.net -file: " + dir + "/missing.zone: cannot open: "), 0u) << r;
  EXPECT_EQ(config().zones.count("example.net"), 0u);
}

TEST_F(DnsConfigTest, ADeclarationReplacesAndRepeatingItChangesNothing) {
  zone();
  eval("fail::dns pool www.example.com -members {203.0.113.10}");
  dns::Config once = config();
  zone();
  eval("fail::dns pool www.example.com -members {203.0.113.10}");
  EXPECT_EQ(config(), once);
  eval("fail::dns zone example.com -ns ns9.example.com");
  EXPECT_EQ(config().zones.at("example.com").ns, std::vector<std::string>{"ns9.example.com"});
  eval("fail::dns pool www.example.com -members {203.0.113.11}");
  EXPECT_EQ(config().pools.at("www.example.com").members.at(0).address.text, "203.0.113.11");
  EXPECT_EQ(config().pools.size(), 1u);
}

TEST_F(DnsConfigTest, RecordOwnersRelativeAbsoluteAndApex) {
  zone();
  EXPECT_EQ(eval("fail::dns record example.com MX 3600 {10 mail.example.com}"), "example.com");
  EXPECT_EQ(eval("fail::dns record www.example.com. TXT 1h {\"v=1\"}"), "www.example.com");
  EXPECT_EQ(eval("fail::dns record _sip._tcp srv 60 {0 5 5060 sip.example.com.}"), "_sip._tcp.example.com");
  EXPECT_EQ(eval("fail::dns record @ CAA 300 {0 issue \"ca.example.net\"}"), "example.com");
  dns::Config c = config();
  const auto& recs = c.zones.at("example.com").records;
  ASSERT_EQ(recs.size(), 4u);
  // The MX's exchange is absolute without its dot: 10, then mail.example.com on the wire.
  bool mx = false;
  for (const auto& r : recs)
    if (r.type == 15) {
      mx = true;
      EXPECT_EQ(r.ttl, 3600u);
      std::vector<std::uint8_t> want = {0, 10, 4, 'm', 'a', 'i', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
      EXPECT_EQ(r.rdata, want);
    }
  EXPECT_TRUE(mx);
  eval("fail::dns record example.com MX 60 {10 mail.example.com}");  // the same record again: its TTL replaced
  c = config();
  EXPECT_EQ(c.zones.at("example.com").records.size(), 4u);
}

TEST_F(DnsConfigTest, RecordErrors) {
  EXPECT_EQ(eval("fail::dns record @ A 60 203.0.113.1"),
            "error: fail::dns record @ A: \"@\" needs a zone declared first (fail::dns zone) (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns record www.example.com. A 60 203.0.113.1"),
            "error: fail::dns record www.example.com. A: \"www.example.com.\" is inside no declared zone (declare it "
            "first with fail::dns zone) (FAILOVER DNS ARGS)");
  zone();
  EXPECT_EQ(eval("fail::dns record www.example.org. A 60 203.0.113.1"),
            "error: fail::dns record www.example.org. A: \"www.example.org.\" is inside no declared zone (declare it "
            "first with fail::dns zone) (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns record www BOGUS 60 x"),
            "error: fail::dns record www BOGUS: unknown record type \"BOGUS\" (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns record www A 60 203.0.113"), "error: fail::dns record www A: bad A record \"www.example.com. 60 IN A 203.0.113\": "
                                                        "Syntax error, could not parse the RR's rdata (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns record www SOA 60 {a b 1 2 3 4 5}"),
            "error: fail::dns record www SOA: SOA is declared by the zone, not as a record (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns record www A -1 203.0.113.1"),
            "error: fail::dns record www A ttl: bad duration \"-1\": want seconds or a number with ms, s, m, h "
            "(FAILOVER DNS ARGS)");
  // dns/record.hh's own words; the prefix is ours.
  EXPECT_EQ(eval("fail::dns record www TXT 60 {\"a\"\n\"b\"}").find("error: fail::dns record www TXT: record "), 0u);
  EXPECT_EQ(eval("fail::dns record www A 60"),
            "error: wrong # args: should be \"fail::dns record owner type ttl rdata\" (TCL WRONGARGS)");
  eval("fail::dns pool www.example.com -members 203.0.113.10");
  EXPECT_EQ(eval("fail::dns record www A 60 203.0.113.1"),
            "error: fail::dns record www A: www.example.com is a pool (fail::dns pool): its addresses come from its "
            "members (FAILOVER DNS ARGS)");
  eval("fail::dns record api AAAA 60 2001:db8::1");
  EXPECT_EQ(eval("fail::dns pool api.example.com -members 203.0.113.10"),
            "error: fail::dns pool api.example.com: api.example.com already has A, AAAA or CNAME records (fail::dns "
            "record) (FAILOVER DNS ARGS)");
}

TEST_F(DnsConfigTest, PoolEveryOption) {
  zone();
  EXPECT_EQ(eval("fail::dns pool www.example.com -select wrr -ttl 30s -max 2 -ttl-out 5s -settle 1m "
                 "-all-down {203.0.113.99 2001:db8::99} -members {{203.0.113.10 -check web1 -weight 3} "
                 "{2001:db8::10 -check web2} 203.0.113.20}"),
            "www.example.com");
  dns::Config cp = config();
  const dns::Pool& p = cp.pools.at("www.example.com");
  EXPECT_EQ(p.select, dns::Select::Wrr);
  EXPECT_EQ(p.ttl, 30u);
  EXPECT_EQ(p.max, 2u);
  EXPECT_EQ(p.ttlOut, 5u);
  EXPECT_EQ(p.settle, std::chrono::minutes(1));
  EXPECT_EQ(p.allDown.kind, dns::AllDown::Kind::Address);
  ASSERT_EQ(p.allDown.addresses.size(), 2u);
  EXPECT_EQ(p.allDown.addresses[1].family, AF_INET6);
  ASSERT_EQ(p.members.size(), 3u);
  EXPECT_EQ(p.members[0].address.text, "203.0.113.10");
  EXPECT_EQ(p.members[0].address.family, AF_INET);
  EXPECT_EQ(p.members[0].check, "web1");
  EXPECT_EQ(p.members[0].weight, 3u);
  EXPECT_EQ(p.members[1].address.family, AF_INET6);
  EXPECT_EQ(p.members[2].check, "");
  EXPECT_EQ(p.members[2].weight, 1u);
  EXPECT_EQ(p.members[2].force, dns::Force::Auto);
  eval("fail::dns pool @ -members 203.0.113.1 -select all -all-down none");  // at the apex
  EXPECT_EQ(config().pools.at("example.com").select, dns::Select::All);
  EXPECT_EQ(config().pools.at("example.com").allDown.kind, dns::AllDown::Kind::None);
  eval("fail::dns pool api -members 203.0.113.2 -all-down servfail");
  dns::Config capi = config();
  const dns::Pool& api = capi.pools.at("api.example.com");
  EXPECT_EQ(api.allDown.kind, dns::AllDown::Kind::Servfail);
  EXPECT_EQ(api.select, dns::Select::Priority);  // the defaults
  EXPECT_EQ(api.ttl, 30u);
  EXPECT_EQ(api.ttlOut, 0u);
  EXPECT_EQ(api.max, 0u);
  eval("fail::dns pool api -members 203.0.113.2 -all-down all");
  EXPECT_EQ(config().pools.at("api.example.com").allDown.kind, dns::AllDown::Kind::All);
}

TEST_F(DnsConfigTest, PoolErrors) {
  EXPECT_EQ(eval("fail::dns pool www.example.com -members 203.0.113.1"),
            "error: fail::dns pool www.example.com: \"www.example.com\" is inside no declared zone (declare it first "
            "with fail::dns zone) (FAILOVER DNS ARGS)");
  zone();
  const std::string w = "error: fail::dns pool www.example.com";
  EXPECT_EQ(eval("fail::dns pool www.example.com"),
            w + ": -members is required (the members: {{ADDRESS ?-check REC? ?-weight N?} ...}) (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members"),
            "error: wrong # args: should be \"fail::dns pool name -members members ?-select priority|wrr|all? ?-ttl t? "
            "?-max n? ?-all-down all|none|servfail|addresses? ?-ttl-out t? ?-settle t?\" (TCL WRONGARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members {}"),
            w + " -members: want a non-empty list of {ADDRESS ?-check record? ?-weight n?} (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members {web1.example.com}"),
            w + " -members: \"web1.example.com\" is no IPv4 or IPv6 address (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members {{203.0.113.1 -check}}"),
            w + " -members: want {ADDRESS ?-check record? ?-weight n?}, got \"203.0.113.1 -check\" (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members {{203.0.113.1 -check {a b}}}"),
            w + " -members 203.0.113.1 -check: \"a b\" is no record name (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members {{203.0.113.1 -weight 0}}"),
            w + " -members 203.0.113.1 -weight: want a number from 1 to 1000000, got \"0\" (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members {{203.0.113.1 -colour red}}"),
            w + " -members 203.0.113.1: unknown option \"-colour\": want -check or -weight (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members {203.0.113.1 203.0.113.01}"),
            w + " -members: \"203.0.113.01\" is no IPv4 or IPv6 address (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members {2001:db8::1 2001:DB8:0::1}"),
            w + " -members: 2001:DB8:0::1 is named twice (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members 203.0.113.1 -select random"),
            w + " -select: want priority, wrr or all, got \"random\" (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members 203.0.113.1 -max -1"),
            w + " -max: want a number from 0 to 1000, got \"-1\" (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members 203.0.113.1 -all-down some"),
            w + " -all-down: want all, none, servfail or addresses, got \"some\" (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members 203.0.113.1 -settle 10s"),
            w + ": -settle needs -ttl-out (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members 203.0.113.1 -ttl 10 -ttl-out 20"),
            w + ": -ttl-out (20s) is longer than -ttl (10s) (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members 203.0.113.1 -ttl 1500ms"),
            w + " -ttl: want whole seconds up to 2147483647, got \"1500ms\" (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool www.example.com -members 203.0.113.1 -colour red"),
            w + ": unknown option \"-colour\": want -members, -select, -ttl, -max, -all-down, -ttl-out or -settle "
                "(FAILOVER DNS ARGS)");
  EXPECT_TRUE(config().pools.empty());
}

TEST_F(DnsConfigTest, MemberBeforeServingIsRecordedInTheConfig) {
  zone();
  eval("fail::dns pool www.example.com -members {{203.0.113.10 -check web1} {2001:db8::10 -weight 2}}");
  EXPECT_EQ(eval("fail::dns member www.example.com 203.0.113.10 -force down"), "");
  EXPECT_EQ(eval("fail::dns member www.example.com 2001:DB8::10 -force up -weight 5"), "");
  dns::Config cp = config();
  const dns::Pool& p = cp.pools.at("www.example.com");
  EXPECT_EQ(p.members[0].force, dns::Force::Down);
  EXPECT_EQ(p.members[1].force, dns::Force::Up);
  EXPECT_EQ(p.members[1].weight, 5u);
  eval("fail::dns member www.example.com 203.0.113.10 -force auto");
  EXPECT_EQ(config().pools.at("www.example.com").members[0].force, dns::Force::Auto);
  const std::string w = "error: fail::dns member www.example.com 203.0.113.10";
  EXPECT_EQ(eval("fail::dns member www.example.org 203.0.113.10 -force down"),
            "error: fail::dns member www.example.org 203.0.113.10: no pool www.example.org (FAILOVER DNS UNKNOWN)");
  EXPECT_EQ(eval("fail::dns member www.example.com 203.0.113.11 -force down"),
            "error: fail::dns member www.example.com 203.0.113.11: no member 203.0.113.11 in the pool "
            "www.example.com (FAILOVER DNS UNKNOWN)");
  EXPECT_EQ(eval("fail::dns member www.example.com web1 -force down"),
            "error: fail::dns member www.example.com web1: \"web1\" is no IPv4 or IPv6 address (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns member www.example.com 203.0.113.10 -force sideways"),
            w + " -force: want up, down or auto, got \"sideways\" (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns member www.example.com 203.0.113.10 -weight 2"),
            w + ": -force is required (in whatever its check says, out, or as its check says) (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns member www.example.com 203.0.113.10 -force"),
            "error: wrong # args: should be \"fail::dns member pool address -force up|down|auto ?-weight n?\" "
            "(TCL WRONGARGS)");
}

TEST_F(DnsConfigTest, ServeEveryOption) {
  EXPECT_FALSE(config().serving);
  EXPECT_EQ(eval("fail::dns serve -listen {127.0.0.1:5353 {[::1]:0}} -forward {127.0.0.1 [::1]:5300} "
                 "-allow {127.0.0.0/8 ::1} -threads 2 -tcp-max 50 -tcp-idle 3s -start-timeout 1s"),
            "");
  dns::Config c = config();
  EXPECT_TRUE(c.serving);
  EXPECT_EQ(c.serve.listen, (std::vector<std::string>{"127.0.0.1:5353", "[::1]:0"}));
  EXPECT_EQ(c.serve.forward, (std::vector<std::string>{"127.0.0.1:53", "[::1]:5300"}));
  EXPECT_EQ(c.serve.allow, (std::vector<std::string>{"127.0.0.0/8", "::1/128"}));
  EXPECT_EQ(c.serve.udpThreads, 2u);
  EXPECT_EQ(c.serve.tcpMax, 50u);
  EXPECT_EQ(c.serve.tcpIdle, std::chrono::seconds(3));
  EXPECT_EQ(c.serve.startTimeout, std::chrono::seconds(1));
  eval("fail::dns serve -listen 127.0.0.1:53");  // replaced whole: the defaults again
  c = config();
  EXPECT_TRUE(c.serve.forward.empty());
  EXPECT_TRUE(c.serve.allow.empty());
  EXPECT_EQ(c.serve.udpThreads, 0u);
  EXPECT_EQ(c.serve.tcpMax, 1000u);
  EXPECT_EQ(c.serve.tcpIdle, std::chrono::seconds(10));
  EXPECT_EQ(c.serve.startTimeout, std::chrono::seconds(5));
}

TEST_F(DnsConfigTest, ServeErrors) {
  const std::string w = "error: fail::dns serve";
  EXPECT_EQ(eval("fail::dns serve"), w + ": -listen is required (ADDRESS:PORT to answer on, UDP and TCP (PORT 0: any "
                                         "free port)) (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns serve -listen"),
            "error: wrong # args: should be \"fail::dns serve -listen addresses ?-forward addresses? ?-allow prefixes? "
            "?-threads n? ?-tcp-max n? ?-tcp-idle t? ?-start-timeout t?\" (TCL WRONGARGS)");
  EXPECT_EQ(eval("fail::dns serve -listen {}"), w + " -listen: want at least one ADDRESS:PORT (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns serve -listen 127.0.0.1"),
            w + " -listen: \"127.0.0.1\" is no ADDRESS:PORT (a numeric address, PORT 0 to 65535) (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns serve -listen localhost:53"),
            w + " -listen: \"localhost:53\" is no ADDRESS:PORT (a numeric address, PORT 0 to 65535) (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns serve -listen 127.0.0.1:65536"),
            w + " -listen: \"127.0.0.1:65536\" is no ADDRESS:PORT (a numeric address, PORT 0 to 65535) "
                "(FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns serve -listen {127.0.0.1:53 127.0.0.1:53}"),
            w + " -listen: \"127.0.0.1:53\" is named twice (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns serve -listen 127.0.0.1:53 -forward 127.0.0.1:0"),
            w + " -forward: \"127.0.0.1:0\" is no ADDRESS or ADDRESS:PORT (a numeric address) (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns serve -listen 127.0.0.1:53 -allow 127.0.0.0/33"),
            w + " -allow: prefix length above 32: \"127.0.0.0/33\" (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns serve -listen 127.0.0.1:53 -allow 127.0.0.1/8").find(w + " -allow: "), 0u);  // host bits
  EXPECT_EQ(eval("fail::dns serve -listen 127.0.0.1:53 -threads 65"),
            w + " -threads: want a number from 0 to 64, got \"65\" (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns serve -listen 127.0.0.1:53 -tcp-max 0"),
            w + " -tcp-max: want a number from 1 to 100000, got \"0\" (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns serve -listen 127.0.0.1:53 -tcp-idle 0"),
            w + " -tcp-idle: want a duration above 0 (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns serve -listen 127.0.0.1:53 -start-timeout never"),
            w + " -start-timeout: bad duration \"never\": want seconds or a number with ms, s, m, h (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns serve -listen 127.0.0.1:53 -port 53"),
            w + ": unknown option \"-port\": want -listen, -forward, -allow, -threads, -tcp-max, -tcp-idle or "
                "-start-timeout (FAILOVER DNS ARGS)");
  EXPECT_FALSE(config().serving);
  EXPECT_NE(eval("fail::dns colour").find("bad subcommand \"colour\": must be zone, record, pool, member, serve, "
                                          "explain, stats, follow, or update"),
            std::string::npos);
}

TEST_F(DnsConfigTest, ExplainAndStatsBeforeServing) {
  zone();
  eval("fail::dns pool www.example.com -members {{203.0.113.10 -check web1} 203.0.113.20}");
  EXPECT_EQ(eval("dict get [fail::dns explain www.example.com] name"), "www.example.com");
  EXPECT_EQ(eval("llength [dict get [fail::dns explain www.example.com] members]"), "2");
  EXPECT_EQ(eval("dict get [lindex [dict get [fail::dns explain www.example.com] members] 0] record"), "web1");
  EXPECT_EQ(eval("dict get [lindex [dict get [fail::dns explain www.example.com] members] 0] state"), "UNKNOWN");
  EXPECT_EQ(eval("dict get [lindex [dict get [fail::dns explain www.example.com] members] 0] why"), "not serving");
  EXPECT_EQ(eval("fail::dns explain nowhere.example.com"),
            "error: fail::dns explain: no pool nowhere.example.com (FAILOVER DNS UNKNOWN)");
  EXPECT_EQ(eval("dict get [fail::dns stats] serving"), "0");
  EXPECT_EQ(eval("dict get [fail::dns stats] queries"), "0");
  EXPECT_EQ(eval("dict get [fail::dns stats] pools"), "www.example.com 0");
  EXPECT_EQ(eval("dict get [fail::dns stats] rcodes NXDOMAIN"), "0");
}

// The running policy's declaration goes to the front-end at once; one it refuses (an
// address already taken) is undone, whatever was declared before it.
TEST_F(DnsConfigTest, ADeclarationTheFrontEndRefusesIsUndone) {
  int held = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(::bind(held, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::getsockname(held, reinterpret_cast<sockaddr*>(&a), &len), 0);
  std::string port = std::to_string(ntohs(a.sin_port));
  DnsHost host(bridge, engine, "localhost");
  api.dnsHost = &host;
  zone();
  EXPECT_EQ(eval("fail::dns pool www -members {203.0.113.1}"), "www.example.com");  // not serving: kept
  std::string r = eval("fail::dns serve -listen 127.0.0.1:" + port);
  EXPECT_NE(r.find("127.0.0.1:" + port), std::string::npos) << r;
  EXPECT_NE(r.find("(FAILOVER DNS BIND)"), std::string::npos) << r;
  EXPECT_FALSE(api.dns.config.serving);
  EXPECT_FALSE(host.running());
  EXPECT_EQ(api.dns.config.pools.size(), 1u);
  EXPECT_EQ(eval("fail::dns pool api -members {203.0.113.2}"), "api.example.com");
  EXPECT_EQ(api.dns.config.pools.size(), 2u);
  api.dnsHost = nullptr;
  ::close(held);
}

// A policy of 20,000 records and 5,000 pools is read in about a second: each declaration
// used to copy every one before it (O(n²): 10,000 records alone took 54 s under failsh
// -t), and each pool scanned every record. The bound is generous, for a loaded machine.
// A failed declaration among them still changes nothing.
TEST_F(DnsConfigTest, ManyDeclarationsAreReadInLinearTime) {
  zone();
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(eval("for {set i 0} {$i < 20000} {incr i} {\n"
                 "  fail::dns record h$i A 60 203.0.113.[expr {$i % 250 + 1}]\n"
                 "}\n"
                 "for {set i 0} {$i < 5000} {incr i} {\n"
                 "  fail::dns pool p$i -members {203.0.113.1 {203.0.113.2 -weight 2}} -ttl 30\n"
                 "}"),
            "");
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  EXPECT_LT(took, std::chrono::seconds(20));
  std::printf("20000 records and 5000 pools declared in %lld ms\n", static_cast<long long>(took.count()));
  EXPECT_EQ(api.dns.records.size(), 20000u);
  EXPECT_EQ(api.dns.config.pools.size(), 5000u);
  EXPECT_EQ(eval("fail::dns pool h7 -members {203.0.113.9}"),
            "error: fail::dns pool h7: h7.example.com already has A, AAAA or CNAME records (fail::dns record) "
            "(FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns record p7 A 60 203.0.113.1"),
            "error: fail::dns record p7 A: p7.example.com is a pool (fail::dns pool): its addresses come from its "
            "members (FAILOVER DNS ARGS)");
  EXPECT_EQ(eval("fail::dns pool p8 -members {203.0.113.1} -ttl soon").substr(0, 34), "error: fail::dns pool p8 -ttl: bad");
  EXPECT_EQ(api.dns.config.pools.at("p8.example.com").members.size(), 2u);  // unchanged
  EXPECT_EQ(eval("fail::dns pool p8 -members {203.0.113.1} -ttl 30"), "p8.example.com");  // replaced
  EXPECT_EQ(api.dns.config.pools.at("p8.example.com").members.size(), 1u);
  EXPECT_EQ(api.dns.records.size(), 20000u);
  EXPECT_EQ(api.dns.config.pools.size(), 5000u);
}

TEST_F(DnsConfigTest, FollowAndUpdateGoToTheirOwnCommands) {
  EXPECT_EQ(eval("fail::dns follow x").find("error: fail::dns follow"), 0u);
  EXPECT_EQ(eval("fail::dns update x").find("error: fail::dns update"), 0u);
}

struct DnsSafeTest : DnsConfigTest {
  void SetUp() override {
    api.restrictTo({"localhost", "127.0.0.1"});
    api.attach(engine);
  }
};

TEST_F(DnsSafeTest, ASafePolicyReadsNoZoneFileAndForwardsOnlyToNamedHosts) {
  std::string path = file("z", "www.example.com. 60 IN A 203.0.113.1\n");
  EXPECT_EQ(eval("fail::dns zone example.com -ns ns1.example.com -file " + path),
            "error: fail::dns zone example.com -file: a --safe policy reads no file (FAILOVER DNS SAFE)");
  zone();
  EXPECT_EQ(eval("fail::dns pool www -members 203.0.113.1"), "www.example.com");
  EXPECT_EQ(eval("fail::dns serve -listen 127.0.0.1:0 -forward 127.0.0.1:5300"), "");
  EXPECT_EQ(eval("fail::dns serve -listen 127.0.0.1:0 -forward 127.0.0.2"),
            "error: fail::dns serve -forward: host \"127.0.0.2\" was not named by the administrator (failsh "
            "--allow-host, --hosts): a --safe policy reaches no other host (FAILOVER DNS SAFE)");
}

std::string manPage() {
  const char* top = std::getenv("top_srcdir");
  std::ifstream in(std::string(top ? top : FAIL_SRCDIR) + "/man/failover.n");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(DnsOptions, FailoverNDocumentsEveryOptionOfTheTables) {
  std::string page = manPage();
  size_t at = page.find("DNS FRONT-END");
  ASSERT_NE(at, std::string::npos);
  page = page.substr(at);
  for (const DnsOption* table : {kDnsZoneOptions, kDnsPoolOptions, kDnsMemberOptions, kDnsForceOptions, kDnsServeOptions})
    for (const DnsOption* r = table; r->name; ++r) {
      EXPECT_TRUE(r->value && *r->value && r->help && *r->help) << r->name;
      std::string word = "\\fB";
      for (const char* c = r->name; *c; ++c) word += *c == '-' ? std::string("\\-") : std::string(1, *c);
      word += "\\fR";
      EXPECT_NE(page.find(word), std::string::npos) << r->name << " is not in failover(n)'s DNS FRONT-END section";
    }
}

}  // namespace
}  // namespace fail::shell

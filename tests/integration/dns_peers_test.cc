// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The DNS front-end against real DNS software (issue 13, "What it answers"): a real
// faild whose records the pools follow, a real failsh serving a zone with static records
// and pools, dig and kdig as clients, BIND named as the upstream that other names are
// forwarded to, and hand-made packets for what no client sends. Every raw answer is also
// read by ldns (ldns_wire2pkt), an oracle independent of the server's code.
//
// One faild, one named and one failsh serve the whole suite (started once: named alone
// takes a second); a test that moves health uses records no other test reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "dig.hh"
#include "../common/dns_client.hh"
#include "../common/dns_servers.hh"
#include "../common/peers.hh"
#include "../common/unbound.hh"
#include "dns_front.hh"
#include "harness.hh"

namespace fail::test {
namespace {

using namespace dnsc;

// The policy: a zone with static records of many types and an empty non-terminal
// (sub.example.test, deep.sub.example.test), pools of every kind, forwarding to
// `upstream` for 127.0.0.1 only (127.0.0.2 is another client, not allowed).
std::string policy(int faildPort, int upstreamPort) {
  std::string forward = upstreamPort > 0 ? " -forward 127.0.0.1:" + std::to_string(upstreamPort) : "";
  return "failhost localhost port " + std::to_string(faildPort) + "\n" + R"(
fail::dns zone example.test -ns {ns1.example.test ns2.example.test} -soa-minimum 30s
fail::dns record example.test. MX 3600 {10 mail.example.test.}
fail::dns record example.test. TXT 3600 {"v=spf1 -all"}
fail::dns record example.test. CAA 3600 {0 issue "letsencrypt.org"}
fail::dns record _sip._tcp.example.test. SRV 3600 {10 60 5060 sip.example.test.}
fail::dns record alias.example.test. CNAME 3600 www.example.test.
fail::dns record ns1.example.test. A 3600 127.0.0.153
fail::dns record ns2.example.test. A 3600 127.0.0.154
fail::dns record host.deep.sub.example.test. A 300 203.0.113.99
fail::dns pool www.example.test -select priority -ttl 30s -members {
    {203.0.113.10 -check web1} {203.0.113.20 -check web2} {2001:db8::10 -check web1}}
fail::dns pool api.example.test -select wrr -ttl 30s -members {
    {203.0.113.30 -weight 3 -check web1} {203.0.113.31 -check web2}}
fail::dns pool all.example.test -select all -ttl 30s -members {
    {203.0.113.41 -check web1} {203.0.113.42 -check web2} {203.0.113.43 -check web3} {203.0.113.44 -check web4}}
fail::dns pool max.example.test -select all -max 2 -members {
    {203.0.113.61 -check web1} {203.0.113.62 -check web2} {203.0.113.63 -check web3} {203.0.113.64}}
fail::dns pool down-all.example.test -members {{203.0.113.71 -check dead1} {203.0.113.72 -check dead2}}
fail::dns pool down-none.example.test -all-down none -members {{203.0.113.73 -check dead1}}
fail::dns pool down-servfail.example.test -all-down servfail -members {{203.0.113.74 -check dead1}}
fail::dns pool down-addr.example.test -all-down 203.0.113.79 -members {{203.0.113.75 -check dead1}}
fail::dns pool fo.example.test -select priority -ttl 2s -members {{203.0.113.81 -check fo1} {203.0.113.82 -check fo2}}
fail::dns pool fu.example.test -select priority -ttl 1s -members {{203.0.113.91 -check fu1} {203.0.113.92 -check fu2}}
set many {}
for {set i 100} {$i < 140} {incr i} { lappend many [list 203.0.113.$i] }
fail::dns pool big.example.test -select all -ttl 30s -members $many
fail::dns serve -listen 127.0.0.1:0)" + forward + " -allow {127.0.0.1/32}\n";
}

// The upstream's zone: what a forwarded query finds.
const char* kOtherZone =
    "$TTL 60\n@ IN SOA ns.other.test. hostmaster.other.test. 1 3600 600 86400 60\n"
    "  IN NS ns.other.test.\nns IN A 127.0.0.1\nhost IN A 203.0.113.77\n";

struct Suite {
  TempDir dir;
  std::unique_ptr<Daemon> faild, failsh;
  DnsServer named;  // the upstream: authoritative for other.test
  std::string namedWhy;
  int port = 0;
};

class DnsPeers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_ = new Suite;
    s_->faild = std::make_unique<Daemon>("faild/faild", std::vector<std::string>{"--memory", "--listen", "127.0.0.1:0"},
                                         s_->dir, "faild");
    if (!s_->faild->start()) return;
    for (const char* up : {"web1", "web2", "web3", "fo1", "fo2", "fu1", "fu2"}) setState(up, "UP");
    for (const char* down : {"web4", "dead1", "dead2"}) setState(down, "FAIL");
    ::chmod(s_->dir.path().c_str(), 0755);  // named runs as bind (doc/traps.md)
    std::string namedDir = s_->dir.file("named");
    ::mkdir(namedDir.c_str(), 0755);
    int upstream = freeLoopbackPort();
    NamedSpec spec;
    spec.zone = "other.test";
    spec.zoneText = kOtherZone;
    s_->named = startNamed(namedDir, upstream, spec, &s_->namedWhy);
    if (!s_->named.child) upstream = 0;
    writeFile(s_->dir.file("policy.tcl"), policy(s_->faild->port(), upstream));
    s_->failsh = std::make_unique<Daemon>(
        "failsh/failsh", std::vector<std::string>{"-f", s_->dir.file("policy.tcl"), "-m", "none"}, s_->dir, "failsh");
    if (!s_->failsh->start()) return;
    s_->port = dnsPortOf(*s_->failsh);
  }
  static void TearDownTestSuite() {
    delete s_;
    s_ = nullptr;
  }
  void SetUp() override {
    if (!haveProgram(kDig)) GTEST_SKIP() << "dig (bind9-dnsutils) is not installed";
    ASSERT_TRUE(s_ && s_->port > 0) << "the front-end did not start:\n"
                                    << (s_ && s_->failsh ? s_->failsh->log() : std::string());
  }
  void TearDown() override {
    if (HasFailure() && s_->failsh) std::cerr << "--- failsh.log:\n" << s_->failsh->log();
  }
  static void setState(const std::string& record, const std::string& state) {
    LineClient c(s_->faild->address());
    std::string reply = c.request("SET " + record + " " + state);
    EXPECT_EQ(reply.rfind("OK", 0), 0u) << reply;
  }
  static int port() { return s_->port; }
  static Parsed ask(const Query& q, const std::string& source = "127.0.0.1") {
    auto r = udp(port(), build(q), source);
    return r ? parse(*r) : Parsed{};
  }
  static Query q(const std::string& name, std::uint16_t type = kA) {
    Query query;
    query.name = name;
    query.type = type;
    return query;
  }
  static Suite* s_;
};
Suite* DnsPeers::s_ = nullptr;

std::set<std::string> asSet(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

TEST_F(DnsPeers, AuthoritativeAnswersCarryAa) {
  DigResult d = runDig(port(), {"www.example.test", "A"});
  EXPECT_EQ(d.status, "NOERROR") << d.out;
  EXPECT_TRUE(d.flag("aa")) << d.out;
  EXPECT_EQ(digShort(port(), {"www.example.test", "A"}), std::vector<std::string>{"203.0.113.10"});
  EXPECT_EQ(digShort(port(), {"www.example.test", "AAAA"}), std::vector<std::string>{"2001:db8::10"});
  Parsed p = ask(q("www.example.test"));
  ASSERT_TRUE(p);
  EXPECT_TRUE(p.qr());
  EXPECT_TRUE(p.aa());
  EXPECT_TRUE(p.rd()) << "RD is copied from the query";
  EXPECT_EQ(p.id(), 0x4242);
  EXPECT_EQ(p.rdatas(LDNS_SECTION_ANSWER), std::vector<std::string>{"203.0.113.10"});
  EXPECT_EQ(p.ttls(LDNS_SECTION_ANSWER), std::vector<std::uint32_t>{30});
}

TEST_F(DnsPeers, StaticRecordsOfEveryType) {
  EXPECT_EQ(digShort(port(), {"example.test", "MX"}), std::vector<std::string>{"10 mail.example.test."});
  EXPECT_EQ(digShort(port(), {"example.test", "TXT"}), std::vector<std::string>{"\"v=spf1 -all\""});
  EXPECT_EQ(digShort(port(), {"example.test", "CAA"}), std::vector<std::string>{"0 issue \"letsencrypt.org\""});
  EXPECT_EQ(digShort(port(), {"_sip._tcp.example.test", "SRV"}),
            std::vector<std::string>{"10 60 5060 sip.example.test."});
  EXPECT_EQ(asSet(digShort(port(), {"example.test", "NS"})),
            (std::set<std::string>{"ns1.example.test.", "ns2.example.test."}));
  EXPECT_EQ(digShort(port(), {"ns1.example.test", "A"}), std::vector<std::string>{"127.0.0.153"});
  // A CNAME answers any type at its owner.
  Parsed c = ask(q("alias.example.test"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c.rcode(), LDNS_RCODE_NOERROR);
  ASSERT_GE(c.count(LDNS_SECTION_ANSWER), 1u);
  EXPECT_EQ(c.types(LDNS_SECTION_ANSWER)[0], LDNS_RR_TYPE_CNAME);
  EXPECT_EQ(c.rdatas(LDNS_SECTION_ANSWER)[0], "www.example.test.");
  // The SOA at the apex, its minimum as declared.
  Parsed soa = ask(q("example.test", kSoa));
  ASSERT_TRUE(soa);
  ASSERT_EQ(soa.count(LDNS_SECTION_ANSWER), 1u);
  std::string rdata = soa.rdatas(LDNS_SECTION_ANSWER)[0];
  EXPECT_EQ(rdata.substr(0, 35), "ns1.example.test. hostmaster.exampl") << rdata;
  EXPECT_EQ(rdata.substr(rdata.rfind(' ') + 1), "30") << rdata;
}

TEST_F(DnsPeers, NxdomainAndNodataCarryTheSoa) {
  DigResult nx = runDig(port(), {"nope.example.test", "A"});
  EXPECT_EQ(nx.status, "NXDOMAIN") << nx.out;
  EXPECT_TRUE(nx.flag("aa")) << nx.out;
  Parsed p = ask(q("nope.example.test"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p.rcode(), LDNS_RCODE_NXDOMAIN);
  EXPECT_TRUE(p.aa());
  EXPECT_EQ(p.count(LDNS_SECTION_ANSWER), 0u);
  ASSERT_EQ(p.types(LDNS_SECTION_AUTHORITY), std::vector<int>{LDNS_RR_TYPE_SOA});
  // RFC 2308: the negative answer is cached for min(SOA TTL, minimum).
  EXPECT_LE(p.ttls(LDNS_SECTION_AUTHORITY)[0], 30u);
  // NODATA: the name exists, the type does not.
  DigResult nodata = runDig(port(), {"www.example.test", "MX"});
  EXPECT_EQ(nodata.status, "NOERROR") << nodata.out;
  Parsed n = ask(q("www.example.test", kMx));
  ASSERT_TRUE(n);
  EXPECT_EQ(n.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_TRUE(n.aa());
  EXPECT_EQ(n.count(LDNS_SECTION_ANSWER), 0u);
  EXPECT_EQ(n.types(LDNS_SECTION_AUTHORITY), std::vector<int>{LDNS_RR_TYPE_SOA});
}

TEST_F(DnsPeers, EmptyNonTerminalsAreNodata) {
  for (const char* name : {"sub.example.test", "deep.sub.example.test", "_tcp.example.test"}) {
    Parsed p = ask(q(name));
    ASSERT_TRUE(p) << name;
    EXPECT_EQ(p.rcode(), LDNS_RCODE_NOERROR) << name;
    EXPECT_EQ(p.count(LDNS_SECTION_ANSWER), 0u) << name;
    EXPECT_EQ(p.types(LDNS_SECTION_AUTHORITY), std::vector<int>{LDNS_RR_TYPE_SOA}) << name;
    EXPECT_EQ(runDig(port(), {name, "A"}).status, "NOERROR") << name;
  }
  // Below the non-terminal's real child: NXDOMAIN again.
  EXPECT_EQ(ask(q("x.host.deep.sub.example.test")).rcode(), LDNS_RCODE_NXDOMAIN);
  EXPECT_EQ(ask(q("other.sub.example.test")).rcode(), LDNS_RCODE_NXDOMAIN);
}

TEST_F(DnsPeers, EdnsOptWithPayload1232OnlyWhenAsked) {
  DigResult d = runDig(port(), {"www.example.test", "+bufsize=4096"});
  EXPECT_EQ(d.status, "NOERROR") << d.out;
  EXPECT_TRUE(d.has("udp: 1232")) << d.out;
  Query withOpt = q("www.example.test");
  withOpt.edns = 0;
  withOpt.payload = 4096;
  Parsed p = ask(withOpt);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p.hasOpt());
  EXPECT_EQ(p.udpSize(), 1232);
  Parsed plain = ask(q("www.example.test"));
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain.hasOpt()) << "no OPT in the answer to a query without one";
  DigResult none = runDig(port(), {"www.example.test", "+noedns"});
  EXPECT_FALSE(none.has("OPT PSEUDOSECTION")) << none.out;
}

TEST_F(DnsPeers, BadversForVersionAboveZero) {
  DigResult d = runDig(port(), {"www.example.test", "+edns=1", "+noednsnegotiation"});
  EXPECT_EQ(d.status, "BADVERS") << d.out;
  Query v1 = q("www.example.test");
  v1.edns = 1;
  auto wire = udp(port(), build(v1));
  ASSERT_TRUE(wire);
  Parsed p = parse(*wire);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p.hasOpt()) << "BADVERS lives in the OPT's extended rcode";
  EXPECT_EQ(ldns_pkt_edns_extended_rcode(p.pkt.get()) << 4 | p.rcode(), 16);
  EXPECT_EQ(ldns_pkt_edns_version(p.pkt.get()), 0);
  EXPECT_EQ(p.count(LDNS_SECTION_ANSWER), 0u);
}

TEST_F(DnsPeers, TwoOptRecordsAreFormerr) {
  Query two = q("www.example.test");
  two.edns = 0;
  two.opts = 2;
  auto wire = udp(port(), build(two));
  ASSERT_TRUE(wire) << "a FORMERR, not silence";
  EXPECT_EQ(headerRcode(*wire), LDNS_RCODE_FORMERR);
  EXPECT_EQ((*wire)[0] << 8 | (*wire)[1], 0x4242);
  EXPECT_EQ(ask(q("www.example.test")).rcode(), LDNS_RCODE_NOERROR);
}

TEST_F(DnsPeers, TruncatedWhenTooBigThenRetriedOverTcp) {
  // 40 A records (16 bytes each) do not fit in 512 bytes.
  DigResult d = runDig(port(), {"big.example.test", "+ignore", "+noedns"});
  EXPECT_TRUE(d.flag("tc")) << d.out;
  Parsed udpAnswer = ask(q("big.example.test"));
  ASSERT_TRUE(udpAnswer);
  EXPECT_TRUE(udpAnswer.tc());
  EXPECT_LT(udpAnswer.count(LDNS_SECTION_ANSWER), 40u);
  // With EDNS (1232 bytes) it fits.
  Query edns = q("big.example.test");
  edns.edns = 0;
  Parsed fits = ask(edns);
  ASSERT_TRUE(fits);
  EXPECT_FALSE(fits.tc());
  EXPECT_EQ(fits.count(LDNS_SECTION_ANSWER), 40u);
  // dig retries over TCP and gets them all.
  DigResult retried = runDig(port(), {"big.example.test", "+noedns"});
  EXPECT_TRUE(retried.has("Truncated, retrying in TCP mode")) << retried.out;
  EXPECT_EQ(retried.status, "NOERROR") << retried.out;
  EXPECT_TRUE(retried.has("ANSWER: 40")) << retried.out;
  Tcp tcp(port());
  ASSERT_TRUE(tcp.connected());
  ASSERT_TRUE(tcp.send(build(q("big.example.test"))));
  auto whole = tcp.receive();
  ASSERT_TRUE(whole);
  Parsed p = parse(*whole);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p.tc());
  EXPECT_EQ(p.count(LDNS_SECTION_ANSWER), 40u);
}

TEST_F(DnsPeers, TcpPipelinedQueriesAreAllAnswered) {
  Tcp tcp(port());
  ASSERT_TRUE(tcp.connected());
  // Three queries in one write, then their answers (in any order, RFC 7766 §6.2.1.1).
  Bytes burst;
  std::map<std::uint16_t, std::string> sent = {
      {101, "www.example.test"}, {102, "nope.example.test"}, {103, "ns1.example.test"}};
  for (const auto& [id, name] : sent) {
    Query one = q(name);
    one.id = id;
    Bytes b = build(one);
    put16(burst, static_cast<std::uint16_t>(b.size()));
    burst.insert(burst.end(), b.begin(), b.end());
  }
  ASSERT_TRUE(tcp.sendRaw(burst));
  std::map<std::uint16_t, int> rcodes;
  for (size_t i = 0; i < sent.size(); ++i) {
    auto m = tcp.receive();
    ASSERT_TRUE(m) << "answer " << i;
    Parsed p = parse(*m);
    ASSERT_TRUE(p);
    rcodes[p.id()] = p.rcode();
    EXPECT_TRUE(p.aa());
  }
  EXPECT_EQ(rcodes, (std::map<std::uint16_t, int>{{101, 0}, {102, 3}, {103, 0}}));
  // The connection stays open for more.
  ASSERT_TRUE(tcp.send(build(q("www.example.test"))));
  EXPECT_TRUE(tcp.receive());
  DigResult d = runDig(port(), {"www.example.test", "+tcp"});
  EXPECT_EQ(d.status, "NOERROR") << d.out;
  EXPECT_TRUE(d.has("(TCP)")) << d.out;
}

TEST_F(DnsPeers, LetterCaseOfTheQuestionIsKept) {
  DigResult d = runDig(port(), {"wWw.ExAmPlE.tEsT", "A"});
  EXPECT_EQ(d.status, "NOERROR") << d.out;
  EXPECT_TRUE(d.has("\nwWw.ExAmPlE.tEsT.")) << "the answer's owner as asked:\n" << d.out;
  Parsed p = ask(q("wWw.ExAmPlE.tEsT"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p.qname(), "wWw.ExAmPlE.tEsT.");
  EXPECT_EQ(p.rdatas(LDNS_SECTION_ANSWER), std::vector<std::string>{"203.0.113.10"});
}

TEST_F(DnsPeers, AnyIsAnsweredMinimally) {
  for (const char* name : {"example.test", "www.example.test"}) {
    Parsed p = ask(q(name, kAny));
    ASSERT_TRUE(p) << name;
    EXPECT_EQ(p.rcode(), LDNS_RCODE_NOERROR) << name;
    ASSERT_GE(p.count(LDNS_SECTION_ANSWER), 1u) << name;
    // RFC 8482: one RRset (or a synthesized HINFO), never everything at the name.
    auto types = p.types(LDNS_SECTION_ANSWER);
    EXPECT_EQ(std::set<int>(types.begin(), types.end()).size(), 1u) << name;
  }
  EXPECT_EQ(runDig(port(), {"example.test", "ANY"}).status, "NOERROR");
}

TEST_F(DnsPeers, ChaosIsRefused) {
  DigResult d = runDig(port(), {"version.bind", "TXT", "CH"});
  EXPECT_EQ(d.status, "REFUSED") << d.out;
  Query chaos = q("version.bind", kTxt);
  chaos.qclass = 3;
  Parsed p = ask(chaos);
  ASSERT_TRUE(p);
  EXPECT_EQ(p.rcode(), LDNS_RCODE_REFUSED);
  EXPECT_EQ(p.count(LDNS_SECTION_ANSWER), 0u);
}

TEST_F(DnsPeers, NotifyAndStatusOpcodesAreNotimp) {
  for (std::uint8_t opcode : {2, 4}) {
    Query other = q("example.test", kSoa);
    other.opcode = opcode;
    other.rd = false;
    auto wire = udp(port(), build(other));
    ASSERT_TRUE(wire) << "opcode " << int(opcode);
    EXPECT_EQ(headerRcode(*wire), LDNS_RCODE_NOTIMPL) << "opcode " << int(opcode);
    EXPECT_EQ((*wire)[2] >> 3 & 0xf, opcode) << "the opcode is echoed";
  }
}

TEST_F(DnsPeers, ForwardsOnlyForAllowedClients) {
  if (!s_->named.child && !haveProgram("/usr/sbin/named")) GTEST_SKIP() << s_->namedWhy;
  ASSERT_TRUE(s_->named.child) << s_->namedWhy;
  // Allowed (127.0.0.1/32): the upstream's answer, under the client's own ID.
  DigResult d = runDig(port(), {"-b", "127.0.0.1", "host.other.test", "A"});
  EXPECT_EQ(d.status, "NOERROR") << d.out;
  EXPECT_TRUE(d.has("203.0.113.77")) << d.out;
  Query fwd = q("host.other.test");
  fwd.id = 0x1234;
  auto wire = udp(port(), build(fwd), "127.0.0.1", std::chrono::milliseconds(5000));
  ASSERT_TRUE(wire);
  Parsed p = parse(*wire);
  ASSERT_TRUE(p);
  EXPECT_EQ(p.id(), 0x1234);
  EXPECT_EQ(p.rdatas(LDNS_SECTION_ANSWER), std::vector<std::string>{"203.0.113.77"});
  // Another client (127.0.0.2): REFUSED, never an open resolver...
  DigResult other = runDig(port(), {"-b", "127.0.0.2", "host.other.test", "A"});
  EXPECT_EQ(other.status, "REFUSED") << other.out;
  Parsed r = ask(q("host.other.test"), "127.0.0.2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r.rcode(), LDNS_RCODE_REFUSED);
  EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 0u);
  // Over TCP the same: forwarded for 127.0.0.1, REFUSED for 127.0.0.2.
  for (const char* source : {"127.0.0.1", "127.0.0.2"}) {
    Tcp tcp(port(), source);
    ASSERT_TRUE(tcp.connected()) << source;
    ASSERT_TRUE(tcp.send(build(fwd)));
    auto m = tcp.receive();
    ASSERT_TRUE(m) << source;
    Parsed t = parse(*m);
    ASSERT_TRUE(t) << source;
    EXPECT_EQ(t.id(), 0x1234) << source;
    bool allowed = std::string(source) == "127.0.0.1";
    EXPECT_EQ(t.rcode(), allowed ? LDNS_RCODE_NOERROR : LDNS_RCODE_REFUSED) << source;
    EXPECT_EQ(t.rdatas(LDNS_SECTION_ANSWER), allowed ? std::vector<std::string>{"203.0.113.77"} : std::vector<std::string>{})
        << source;
  }
  // ... but our own zone is answered for everyone.
  Parsed own = ask(q("www.example.test"), "127.0.0.2");
  ASSERT_TRUE(own);
  EXPECT_EQ(own.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_TRUE(own.aa());
  // A name inside our zone is never forwarded, even for an allowed client.
  EXPECT_EQ(ask(q("host.example.test")).rcode(), LDNS_RCODE_NXDOMAIN);
}

// What the upstream sees of a forwarded query: a fresh ID (not the client's) and a
// source port of its own per query; the client gets the answer under its own ID. A fake
// upstream (a UDP socket of this test) answers, so a second failsh forwards to it.
TEST_F(DnsPeers, ForwardedWithAFreshIdAndSourcePort) {
  UniqueFd upstream(::socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in at = loopback("127.0.0.1", 0);
  socklen_t len = sizeof at;
  ASSERT_EQ(::bind(upstream.get(), reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
  ::getsockname(upstream.get(), reinterpret_cast<sockaddr*>(&at), &len);
  writeFile(s_->dir.file("forward.tcl"),
            "failhost localhost port " + portOf(*s_->faild) +
                "\nfail::dns zone example.test -ns {ns1.example.test}\n"
                "fail::dns serve -listen 127.0.0.1:0 -forward 127.0.0.1:" + std::to_string(ntohs(at.sin_port)) +
                " -allow {127.0.0.1/32}\n");
  Daemon sh("failsh/failsh", {"-f", s_->dir.file("forward.tcl"), "-m", "none"}, s_->dir, "failsh-forward");
  ASSERT_TRUE(sh.start()) << sh.log();
  int front = dnsPortOf(sh);
  ASSERT_GT(front, 0) << sh.log();
  std::set<std::uint16_t> ids, ports;
  for (int i = 0; i < 2; ++i) {
    Query client = q("host.elsewhere.test");
    client.id = 0x1234;
    UniqueFd c(::socket(AF_INET, SOCK_DGRAM, 0));
    sockaddr_in to = loopback("127.0.0.1", front);
    Bytes wire = build(client);
    ASSERT_GT(::sendto(c.get(), wire.data(), wire.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    // The upstream's side.
    ASSERT_TRUE(readable(upstream.get(), std::chrono::milliseconds(5000))) << "nothing forwarded\n" << sh.log();
    Bytes got(4096);
    sockaddr_in from{};
    socklen_t flen = sizeof from;
    ssize_t n = ::recvfrom(upstream.get(), got.data(), got.size(), 0, reinterpret_cast<sockaddr*>(&from), &flen);
    ASSERT_GT(n, 12);
    got.resize(static_cast<std::size_t>(n));
    Parsed asked = parse(got);
    ASSERT_TRUE(asked);
    EXPECT_EQ(asked.qname(), "host.elsewhere.test.");
    ids.insert(asked.id());
    ports.insert(ntohs(from.sin_port));
    // Its answer: the question and one A record.
    Bytes reply = header(asked.id(), 0, true, 1, 0);
    reply[2] |= 0x80;
    reply[3] = 0x80;  // RA
    reply[7] = 1;     // ANCOUNT
    Bytes qn = wireName("host.elsewhere.test");
    reply.insert(reply.end(), qn.begin(), qn.end());
    reply.insert(reply.end(), {0, 1, 0, 1, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 203, 0, 113, 88});
    ASSERT_GT(::sendto(upstream.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), flen), 0);
    // The client's side.
    ASSERT_TRUE(readable(c.get(), std::chrono::milliseconds(5000))) << sh.log();
    Bytes answer(4096);
    n = ::recv(c.get(), answer.data(), answer.size(), 0);
    ASSERT_GT(n, 12);
    answer.resize(static_cast<std::size_t>(n));
    Parsed p = parse(answer);
    ASSERT_TRUE(p);
    EXPECT_EQ(p.id(), 0x1234);
    EXPECT_EQ(p.rdatas(LDNS_SECTION_ANSWER), std::vector<std::string>{"203.0.113.88"});
  }
  EXPECT_FALSE(ids.size() == 1 && *ids.begin() == 0x1234) << "the client's ID was forwarded as it was";
  EXPECT_EQ(ports.size(), 2u) << "one source port per forwarded query";
  EXPECT_EQ(ports.count(static_cast<std::uint16_t>(front)), 0u) << "not from the listening socket";
}

TEST_F(DnsPeers, OthersAreRefusedWhateverTheName) {
  // Whatever the upstream, 127.0.0.2 is outside -allow.
  DigResult d = runDig(port(), {"-b", "127.0.0.2", "www.example.org", "A"});
  EXPECT_EQ(d.status, "REFUSED") << d.out;
}

TEST_F(DnsPeers, PoolsSelectByTheirRule) {
  // priority: the first healthy member.
  EXPECT_EQ(digShort(port(), {"www.example.test"}), std::vector<std::string>{"203.0.113.10"});
  // wrr 3:1 (smooth weighted round robin): over 8 answers on one TCP connection (one
  // reader, one cursor), 6 lead with .30 and 2 with .31.
  Tcp tcp(port());
  ASSERT_TRUE(tcp.connected());
  std::map<std::string, int> firsts;
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(tcp.send(build(q("api.example.test"))));
    auto m = tcp.receive();
    ASSERT_TRUE(m);
    auto rd = parse(*m).rdatas(LDNS_SECTION_ANSWER);
    ASSERT_FALSE(rd.empty());
    ++firsts[rd[0]];
  }
  EXPECT_EQ(firsts, (std::map<std::string, int>{{"203.0.113.30", 6}, {"203.0.113.31", 2}}));
  // all: every healthy member (web4 is FAIL), rotated.
  std::set<std::string> leaders;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(tcp.send(build(q("all.example.test"))));
    auto m = tcp.receive();
    ASSERT_TRUE(m);
    auto rd = parse(*m).rdatas(LDNS_SECTION_ANSWER);
    EXPECT_EQ(asSet(rd), (std::set<std::string>{"203.0.113.41", "203.0.113.42", "203.0.113.43"}));
    if (!rd.empty()) leaders.insert(rd[0]);
  }
  EXPECT_EQ(leaders.size(), 3u) << "the order rotates";
  // -max 2: two of the four.
  EXPECT_EQ(ask(q("max.example.test")).count(LDNS_SECTION_ANSWER), 2u);
}

TEST_F(DnsPeers, AllDownVariants) {
  EXPECT_EQ(asSet(digShort(port(), {"down-all.example.test"})),
            (std::set<std::string>{"203.0.113.71", "203.0.113.72"}))
      << "the default: every member (the Gcore rule)";
  Parsed none = ask(q("down-none.example.test"));
  ASSERT_TRUE(none);
  EXPECT_EQ(none.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_EQ(none.count(LDNS_SECTION_ANSWER), 0u);
  EXPECT_EQ(none.types(LDNS_SECTION_AUTHORITY), std::vector<int>{LDNS_RR_TYPE_SOA});
  EXPECT_EQ(runDig(port(), {"down-servfail.example.test"}).status, "SERVFAIL");
  EXPECT_EQ(digShort(port(), {"down-addr.example.test"}), std::vector<std::string>{"203.0.113.79"});
}

// The SOA serial of example.test.
std::uint32_t serialOf(const Parsed& soa) {
  auto rd = soa.rdatas(LDNS_SECTION_ANSWER);
  if (rd.empty()) return 0;
  std::vector<std::string> f = words(rd[0]);
  return f.size() == 7 ? static_cast<std::uint32_t>(std::stoul(f[2])) : 0;
}

TEST_F(DnsPeers, AnswersFollowFaild) {
  auto answer = [] { return ask(q("fo.example.test")).rdatas(LDNS_SECTION_ANSWER); };
  ASSERT_EQ(answer(), std::vector<std::string>{"203.0.113.81"});
  std::uint32_t before = serialOf(ask(q("example.test", kSoa)));
  setState("fo1", "FAIL");
  EXPECT_TRUE(eventually([&] { return answer() == std::vector<std::string>{"203.0.113.82"}; }));
  EXPECT_EQ(ask(q("fo.example.test")).ttls(LDNS_SECTION_ANSWER), std::vector<std::uint32_t>{2});
  std::uint32_t after = serialOf(ask(q("example.test", kSoa)));
  EXPECT_GT(static_cast<std::int32_t>(after - before), 0) << "the serial rises (RFC 1982) " << before << " " << after;
  setState("fo1", "RECOVER");  // out for FAIL, RECOVER and UNKNOWN
  EXPECT_EQ(answer(), std::vector<std::string>{"203.0.113.82"});
  setState("fo1", "UP");
  EXPECT_TRUE(eventually([&] { return answer() == std::vector<std::string>{"203.0.113.81"}; }));
  EXPECT_EQ(digShort(port(), {"fo.example.test"}), std::vector<std::string>{"203.0.113.81"});
}

TEST_F(DnsPeers, KdigReadsTheSameAnswers) {
  if (!haveProgram(kKdig)) GTEST_SKIP() << "kdig (knot-dnsutils) is not installed";
  DigResult a = runDig(port(), {"www.example.test", "A"}, kKdig);
  EXPECT_EQ(a.status, "NOERROR") << a.out;
  EXPECT_TRUE(a.flag("aa")) << a.out;
  EXPECT_TRUE(a.has("203.0.113.10")) << a.out;
  DigResult nx = runDig(port(), {"+tcp", "nope.example.test", "A"}, kKdig);
  EXPECT_EQ(nx.status, "NXDOMAIN") << nx.out;
  EXPECT_TRUE(nx.has("SOA")) << nx.out;
  DigResult edns = runDig(port(), {"+edns", "+bufsize=4096", "www.example.test"}, kKdig);
  EXPECT_TRUE(edns.has("UDP size: 1232")) << edns.out;
  DigResult badvers = runDig(port(), {"+edns=1", "www.example.test"}, kKdig);
  EXPECT_EQ(badvers.status, "BADVERS") << badvers.out;
  // kdig keeps one TCP connection for several queries.
  DigResult kept = runDig(port(), {"+tcp", "+keepopen", "www.example.test", "A", "ns1.example.test", "A"}, kKdig);
  EXPECT_TRUE(kept.has("203.0.113.10") && kept.has("127.0.0.153")) << kept.out;
  DigResult chaos = runDig(port(), {"-c", "CH", "-t", "TXT", "version.bind"}, kKdig);
  EXPECT_EQ(chaos.status, "REFUSED") << chaos.out;
  DigResult tc = runDig(port(), {"+notcp", "+ignore", "+noedns", "big.example.test"}, kKdig);
  EXPECT_TRUE(tc.flag("tc")) << tc.out;
}

// Packets no client should send: each gets a FORMERR (with the query's ID) or nothing,
// and the server goes on answering others.
TEST_F(DnsPeers, BadInputIsFormerrOrDroppedAndOthersAreStillAnswered) {
  Bytes www = build(q("www.example.test"));
  std::vector<std::pair<std::string, Bytes>> bad;
  bad.push_back({"header only", Bytes(www.begin(), www.begin() + 12)});
  bad.push_back({"truncated question", Bytes(www.begin(), www.begin() + 20)});
  bad.push_back({"shorter than a header", Bytes(www.begin(), www.begin() + 5)});
  Bytes loop = header(0x4242, 0, true, 1, 0);
  loop.insert(loop.end(), {0xc0, 0x0c, 0, 1, 0, 1});  // a pointer to itself
  bad.push_back({"compression loop", loop});
  Bytes forward = header(0x4242, 0, true, 1, 0);
  forward.insert(forward.end(), {0xc0, 0x12, 0, 1, 0, 1, 3, 'w', 'w', 'w', 0});  // a pointer forward
  bad.push_back({"compression pointer in the question", forward});
  Bytes longLabel = header(0x4242, 0, true, 1, 0);
  longLabel.push_back(64);
  longLabel.insert(longLabel.end(), 64, 'a');
  longLabel.insert(longLabel.end(), {0, 0, 1, 0, 1});
  bad.push_back({"label of 64 bytes", longLabel});
  Bytes longName = header(0x4242, 0, true, 1, 0);
  for (int i = 0; i < 5; ++i) {
    longName.push_back(63);
    longName.insert(longName.end(), 63, 'b');
  }
  longName.insert(longName.end(), {0, 0, 1, 0, 1});
  bad.push_back({"name over 255 bytes", longName});
  Bytes two = header(0x4242, 0, true, 2, 0);
  Bytes qn = wireName("www.example.test");
  for (int i = 0; i < 2; ++i) {
    two.insert(two.end(), qn.begin(), qn.end());
    two.insert(two.end(), {0, 1, 0, 1});
  }
  bad.push_back({"QDCOUNT 2", two});
  Bytes zero = header(0x4242, 0, true, 0, 0);
  bad.push_back({"QDCOUNT 0", zero});
  Bytes garbage = www;
  garbage.insert(garbage.end(), {'g', 'a', 'r', 'b', 'a', 'g', 'e'});
  bad.push_back({"garbage after the question", garbage});
  Bytes oversized = www;
  oversized.resize(60000, 0xff);
  bad.push_back({"oversized", oversized});
  Bytes response = www;
  response[2] |= 0x80;
  bad.push_back({"a response (QR set)", response});
  Bytes optMissing = www;
  optMissing[11] = 1;  // ARCOUNT 1 with no record
  bad.push_back({"ARCOUNT past the end", optMissing});

  for (const auto& [what, bytes] : bad) {
    auto reply = udp(port(), bytes, "127.0.0.1", std::chrono::milliseconds(700));
    std::cerr << "  " << what << ": " << (reply ? "rcode " + std::to_string(headerRcode(*reply)) : "dropped") << "\n";
    if (reply) {
      EXPECT_EQ(headerRcode(*reply), LDNS_RCODE_FORMERR) << what;
      ASSERT_GE(reply->size(), 12u) << what;
      EXPECT_EQ((*reply)[0] << 8 | (*reply)[1], 0x4242) << what;
      EXPECT_TRUE((*reply)[2] & 0x80) << what << ": QR set";
      EXPECT_NE(what, "a response (QR set)") << "a response is never answered";
      EXPECT_TRUE(parse(*reply)) << what << ": ldns reads the FORMERR";
    }
    Parsed fine = ask(q("www.example.test"));
    ASSERT_TRUE(fine) << "after " << what;
    EXPECT_EQ(fine.rcode(), LDNS_RCODE_NOERROR) << "after " << what;
  }
  // Over TCP: one client sends half a length prefix and stalls; the others are served.
  Tcp stalled(port());
  ASSERT_TRUE(stalled.connected());
  ASSERT_TRUE(stalled.sendRaw({0x00}));
  Tcp other(port());
  ASSERT_TRUE(other.connected());
  ASSERT_TRUE(other.send(build(q("www.example.test"))));
  auto m = other.receive(std::chrono::milliseconds(3000));
  ASSERT_TRUE(m) << "a stalled TCP client stalls nobody else";
  EXPECT_EQ(parse(*m).rcode(), LDNS_RCODE_NOERROR);
  EXPECT_TRUE(ask(q("www.example.test")));
  // A bad message on TCP: FORMERR or close, and the server goes on.
  Tcp bad2(port());
  ASSERT_TRUE(bad2.connected());
  ASSERT_TRUE(bad2.send(loop));
  auto r = bad2.receive(std::chrono::milliseconds(3000));
  if (r) {
    EXPECT_EQ(headerRcode(*r), LDNS_RCODE_FORMERR);
  }
  EXPECT_TRUE(ask(q("www.example.test")));
}

// unbound, a recursive resolver, with a stub zone pointing at the front-end: it resolves
// a pool name through it and follows a failover once the pool's TTL (1 s) has run out.
TEST_F(DnsPeers, UnboundResolvesThroughAStubZoneAndFollowsAFailover) {
  std::string udir = s_->dir.file("unbound");
  ::mkdir(udir.c_str(), 0755);
  int uport = freeLoopbackPort();
  std::string why;
  auto unbound = startUnbound(udir, uport, "example.test", port(), &why);
  if (!unbound && !haveProgram(kUnbound)) GTEST_SKIP() << why;
  ASSERT_TRUE(unbound) << why;
  auto through = [&](const std::string& name, const std::string& type = "A") {
    return runDig(uport, {name, type});
  };
  DigResult first = through("fu.example.test");
  EXPECT_EQ(first.status, "NOERROR") << first.out << readAll(udir + "/unbound.log");
  EXPECT_FALSE(first.flag("aa")) << "a recursive answer";
  EXPECT_TRUE(first.flag("ra")) << first.out;
  EXPECT_EQ(digShort(uport, {"fu.example.test"}), std::vector<std::string>{"203.0.113.91"});
  EXPECT_EQ(through("nope.example.test").status, "NXDOMAIN");
  EXPECT_EQ(digShort(uport, {"example.test", "MX"}), std::vector<std::string>{"10 mail.example.test."});
  // The failover: the front-end moves at once, unbound after the TTL (+ 1 s, doc/traps.md).
  setState("fu1", "FAIL");
  auto moved = Clock::now();
  ASSERT_TRUE(eventually([&] {
    return ask(q("fu.example.test")).rdatas(LDNS_SECTION_ANSWER) == std::vector<std::string>{"203.0.113.92"};
  }));
  ASSERT_TRUE(eventually([&] { return digShort(uport, {"fu.example.test"}) == std::vector<std::string>{"203.0.113.92"}; },
                         std::chrono::seconds(15)));
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - moved);
  std::cerr << "unbound followed the failover " << took.count() << " ms after the front-end\n";
  EXPECT_LE(took, std::chrono::milliseconds(2000 + 3000)) << "TTL 1 s + 1 s, and slack for a loaded machine";
  setState("fu1", "UP");
  EXPECT_TRUE(eventually([&] { return digShort(uport, {"fu.example.test"}) == std::vector<std::string>{"203.0.113.91"}; },
                         std::chrono::seconds(15)));
}

// BIND named with `zone "example.test" { type forward; }` to the front-end resolves its
// names through it.
TEST_F(DnsPeers, BindForwardsToTheFrontEnd) {
  std::string ndir = s_->dir.file("forwarder");
  ::mkdir(ndir.c_str(), 0755);
  NamedSpec spec;
  spec.role = NamedSpec::Role::Forwarder;
  spec.zone = "example.test";
  spec.forwardPort = port();
  std::string why;
  DnsServer fwd = startNamed(ndir, freeLoopbackPort(), spec, &why);
  if (!fwd.child && !haveProgram("/usr/sbin/named")) GTEST_SKIP() << why;
  ASSERT_TRUE(fwd.child) << why;
  DigResult d = runDig(fwd.port, {"www.example.test", "A"});
  EXPECT_EQ(d.status, "NOERROR") << d.out << fwd.logText();
  EXPECT_TRUE(d.flag("ra")) << d.out;
  EXPECT_EQ(digShort(fwd.port, {"www.example.test"}), std::vector<std::string>{"203.0.113.10"});
  EXPECT_EQ(digShort(fwd.port, {"www.example.test", "AAAA"}), std::vector<std::string>{"2001:db8::10"});
  EXPECT_EQ(digShort(fwd.port, {"_sip._tcp.example.test", "SRV"}),
            std::vector<std::string>{"10 60 5060 sip.example.test."});
  EXPECT_EQ(runDig(fwd.port, {"nope.example.test"}).status, "NXDOMAIN");
  // Over TCP from BIND's side too: the big pool's 40 addresses.
  DigResult big = runDig(fwd.port, {"big.example.test", "+tcp"});
  EXPECT_TRUE(big.has("ANSWER: 40")) << big.out;
  fwd.stop();
}

// A short, bounded dnsperf run (3 s at a modest rate) over pool, static, NXDOMAIN,
// NODATA and EDNS queries: every query is answered.
TEST_F(DnsPeers, DnsperfSmokeLosesNoQuery) {
  if (!haveProgram("/usr/bin/dnsperf")) GTEST_SKIP() << "dnsperf is not installed";
  std::string queries = s_->dir.file("queries.txt");
  writeFile(queries,
            "www.example.test A\napi.example.test A\nall.example.test A\nwww.example.test AAAA\n"
            "example.test MX\nns1.example.test A\nnope.example.test A\nwww.example.test MX\n"
            "sub.example.test A\n_sip._tcp.example.test SRV\n");
  RunResult r = runProgram("/usr/bin/dnsperf", {"-s", "127.0.0.1", "-p", std::to_string(port()), "-d", queries, "-l",
                                                "3", "-Q", "2000", "-c", "2", "-t", "2", "-e"});
  std::string out = r.out + r.err;
  ASSERT_EQ(r.status, 0) << out;
  std::string sent = wordAfter(out, "Queries sent:", "\n"), completed = wordAfter(out, "Queries completed:", "(");
  std::string lost = wordAfter(out, "Queries lost:", "(");
  ASSERT_FALSE(sent.empty()) << out;
  EXPECT_GT(std::stol(sent), 1000) << out;
  EXPECT_EQ(std::stol(completed), std::stol(sent)) << out;
  EXPECT_EQ(std::stol(lost), 0) << out;
  std::cerr << "dnsperf:" << out.substr(out.find("Statistics:") == std::string::npos ? 0 : out.find("Statistics:"));
}

}  // namespace
}  // namespace fail::test

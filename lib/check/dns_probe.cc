// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Kind "dns": one query of a name and type to a server, over UDP (TCP when the answer is
// truncated, or always with -tcp), judged on its rcode and, optionally, on answers that
// must all be present. ldns builds the query (once, at construction: an attempt only
// patches in a fresh random ID) and parses the answer; all I/O is non-blocking on the
// loop, under the attempt's one deadline.
//
// UDP answers whose ID or question do not match are ignored, as a resolver would
// (RFC 5452 section 9.1); if nothing else comes, the attempt ends as Fail "wrong ID or
// question" rather than "timeout", to say that the server did speak.
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "base/text.hh"
#include "base/unique_fd.hh"
#include "check/classify.hh"
#include "check/probe_base.hh"
#include "check/registry.hh"
#include "dns/ldns.hh"
#include "dns/wire.hh"
#include "net/tcp.hh"

namespace fail::check {
namespace {

using std::chrono::microseconds;

struct PktFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct RdfFree {
  void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
struct RrFree {
  void operator()(ldns_rr* r) const { ldns_rr_free(r); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;
using RdfPtr = std::unique_ptr<ldns_rdf, RdfFree>;
using RrPtr = std::unique_ptr<ldns_rr, RrFree>;

constexpr std::size_t kMaxMessage = 65535;
constexpr std::size_t kMaxAnswerAttr = 200;  // bytes of rdata text in the "answer" attribute

std::string rcodeName(int rcode) {
  const ldns_lookup_table* t = ldns_lookup_by_id(ldns_rcodes, rcode);
  return t ? t->name : "RCODE" + std::to_string(rcode);
}

// The rdata of `rr` as presentation text ("10 mail.example.test.").
std::string rdataText(const ldns_rr* rr) {
  std::string out;
  for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    char* s = ldns_rdf2str(ldns_rr_rdf(rr, i));
    if (!out.empty()) out += ' ';
    if (s) out += s;
    free(s);
  }
  return out;
}

bool sameRdata(const ldns_rr* a, const ldns_rr* b) {
  if (ldns_rr_rd_count(a) != ldns_rr_rd_count(b)) return false;
  for (std::size_t i = 0; i < ldns_rr_rd_count(a); ++i)
    if (ldns_rdf_compare(ldns_rr_rdf(a, i), ldns_rr_rdf(b, i)) != 0) return false;
  return true;
}

struct DnsConfig {
  net::Address server;
  RdfPtr name;
  ldns_rr_type type = LDNS_RR_TYPE_A;
  int rcode = LDNS_RCODE_NOERROR;
  std::vector<RrPtr> expect;  // canonical form
  bool tcp = false;
  std::vector<std::uint8_t> query;  // wire form; bytes 0-1 (the ID) change per attempt
};

class DnsProbe final : public ProbeBase {
 public:
  DnsProbe(ev::Loop& loop, DnsConfig cfg) : ProbeBase(loop), cfg_(std::move(cfg)) {}
  ~DnsProbe() override { cancel(); }

 private:
  enum class Phase : std::uint8_t { Udp, Connecting, Writing, Reading };

  void begin(microseconds) override {
    mismatched_ = false;
    std::uint16_t id = static_cast<std::uint16_t>(arc4random());
    cfg_.query[0] = static_cast<std::uint8_t>(id >> 8);
    cfg_.query[1] = static_cast<std::uint8_t>(id);
    if (int err = cfg_.tcp ? startTcp() : startUdp()) finishErrno(err, "socket");
  }

  void release() noexcept override { net::abortiveClose(fd_); }

  int startUdp() {
    fd_.reset(::socket(cfg_.server.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd_) return errno;
    // Connected: only the server's datagrams come in, and an ICMP port unreachable turns
    // into ECONNREFUSED. The source port is the kernel's random ephemeral one.
    if (::connect(fd_.get(), cfg_.server.sa(), cfg_.server.length) != 0) return errno;
    if (::send(fd_.get(), cfg_.query.data(), cfg_.query.size(), MSG_NOSIGNAL) < 0) return errno;
    transport_ = "udp";
    phase_ = Phase::Udp;
    watch(fd_.get(), EV_READ);
    return 0;
  }

  int startTcp() {
    net::abortiveClose(fd_);
    if (int err = net::startConnect(cfg_.server, fd_)) return err;
    transport_ = "tcp";
    out_.clear();
    out_.push_back(static_cast<char>(cfg_.query.size() >> 8));
    out_.push_back(static_cast<char>(cfg_.query.size() & 0xff));
    out_.append(reinterpret_cast<const char*>(cfg_.query.data()), cfg_.query.size());
    sent_ = 0;
    in_.clear();
    phase_ = Phase::Connecting;
    watch(fd_.get(), EV_WRITE);
    return 0;
  }

  void onTimeout() override {
    if (mismatched_) return finish(Outcome::Fail, "wrong ID or question");
    finish(Outcome::Timeout, "timeout");
  }

  void onReady(ev::IoWatch::Ready) override {
    switch (phase_) {
      case Phase::Udp: return readUdp();
      case Phase::Connecting:
        if (!connected(fd_.get())) return;
        phase_ = Phase::Writing;
        [[fallthrough]];
      case Phase::Writing: return writeTcp();
      case Phase::Reading: return readTcp();
    }
  }

  void readUdp() {
    std::uint8_t buf[kMaxMessage];
    for (;;) {
      ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return watch(fd_.get(), EV_READ);
      if (n < 0) return finishErrno(errno, "recv");
      if (answer(buf, static_cast<std::size_t>(n), false)) return;
    }
  }

  void writeTcp() {
    while (sent_ < out_.size()) {
      ssize_t n = ::send(fd_.get(), out_.data() + sent_, out_.size() - sent_, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return watch(fd_.get(), EV_WRITE);
      if (n < 0) return finishErrno(errno, "send");
      sent_ += static_cast<std::size_t>(n);
    }
    phase_ = Phase::Reading;
    watch(fd_.get(), EV_READ);
  }

  void readTcp() {
    char buf[16384];
    for (;;) {
      std::size_t want = in_.size() < 2 ? 2 - in_.size() : 2 + messageLength() - in_.size();
      ssize_t n = ::recv(fd_.get(), buf, std::min(want, sizeof buf), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return watch(fd_.get(), EV_READ);
      if (n < 0) return finishErrno(errno, "recv");
      if (n == 0) return finish(Outcome::Fail, "connection closed");
      in_.append(buf, static_cast<std::size_t>(n));
      if (in_.size() >= 2 && in_.size() == 2 + messageLength()) {
        answer(reinterpret_cast<const std::uint8_t*>(in_.data()) + 2, messageLength(), true);
        return;
      }
    }
  }
  std::size_t messageLength() const {
    return (static_cast<std::size_t>(static_cast<std::uint8_t>(in_[0])) << 8) |
           static_cast<std::uint8_t>(in_[1]);
  }

  // Takes one message. Returns true when the attempt is over (finished, or moved to TCP);
  // false when a UDP message was ignored.
  bool answer(const std::uint8_t* wire, std::size_t len, bool overTcp) {
    bool sameId = len >= 2 && wire[0] == cfg_.query[0] && wire[1] == cfg_.query[1];
    if (!sameId && !overTcp) return ignore();
    ldns_pkt* raw = nullptr;
    // wellFormed first: ldns's parser leaks on some malformed messages (dns/wire.hh).
    if (!sameId || !dns::wire::wellFormed(wire, len) || ldns_wire2pkt(&raw, wire, len) != LDNS_STATUS_OK) {
      finish(Outcome::Fail, "malformed answer");
      return true;
    }
    PktPtr pkt(raw);
    if (!ldns_pkt_qr(pkt.get()) || !questionMatches(pkt.get())) {
      if (!overTcp) return ignore();
      finish(Outcome::Fail, "malformed answer");
      return true;
    }
    if (ldns_pkt_tc(pkt.get()) && !overTcp) {
      if (int err = startTcp()) finishErrno(err, "connect");
      return true;
    }
    judge(pkt.get());
    return true;
  }
  bool ignore() {
    mismatched_ = true;
    return false;
  }

  bool questionMatches(const ldns_pkt* pkt) const {
    const ldns_rr_list* q = ldns_pkt_question(pkt);
    std::size_t n = q ? ldns_rr_list_rr_count(q) : 0;
    // Some servers leave the question out of an error answer (FORMERR, NOTIMP).
    if (n == 0) return ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR;
    if (n != 1) return false;
    const ldns_rr* rr = ldns_rr_list_rr(q, 0);
    return ldns_rr_get_type(rr) == cfg_.type && ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN &&
           ldns_dname_compare(ldns_rr_owner(rr), cfg_.name.get()) == 0;
  }

  void judge(ldns_pkt* pkt) {
    int rcode = ldns_pkt_get_rcode(pkt);
    attrs_.emplace_back("rcode", rcodeName(rcode));
    attrs_.emplace_back("transport", transport_);
    ldns_rr_list* an = ldns_pkt_answer(pkt);
    std::size_t count = an ? ldns_rr_list_rr_count(an) : 0;
    attrs_.emplace_back("answers", std::to_string(count));
    std::string text;
    std::vector<ldns_rr*> mine;  // answers of the asked type (a CNAME chain may precede them)
    for (std::size_t i = 0; i < count; ++i) {
      ldns_rr* rr = ldns_rr_list_rr(an, i);
      if (ldns_rr_get_type(rr) != cfg_.type) continue;
      ldns_rr2canonical(rr);
      mine.push_back(rr);
      if (!text.empty()) text += ", ";
      text += rdataText(rr);
    }
    if (!text.empty()) attrs_.emplace_back("answer", printable(text, kMaxAnswerAttr));
    if (rcode != cfg_.rcode) return finish(Outcome::Fail, "rcode " + rcodeName(rcode));
    for (const RrPtr& want : cfg_.expect) {
      bool found = false;
      for (const ldns_rr* rr : mine) found = found || sameRdata(rr, want.get());
      if (!found) return finish(Outcome::Fail, "answer mismatch");
    }
    finish(Outcome::Ok, {});
  }

  void complete(ProbeResult& r) override {
    r.attrs = std::move(attrs_);
    attrs_.clear();
    if (in_.capacity() > 1024) std::string().swap(in_);  // no 64 KiB kept between attempts
  }

  DnsConfig cfg_;
  UniqueFd fd_;
  Phase phase_ = Phase::Udp;
  bool mismatched_ = false;
  const char* transport_ = "udp";
  std::string out_, in_;  // TCP only
  std::size_t sent_ = 0;
  std::vector<std::pair<std::string, std::string>> attrs_;
};

std::unique_ptr<Probe> makeDns(const ProbeContext& ctx, const CheckSpec& spec) {
  DnsConfig c;
  auto port = static_cast<std::uint16_t>(spec.integer("port", 1, 65535));
  std::string error;
  auto server = net::resolve(spec.str("server"), port, &error);
  if (!server) throw ConfigError(spec.where("server") + error);
  c.server = *server;

  std::string name = spec.str("name");
  c.name.reset(ldns_dname_new_frm_str(name.c_str()));
  if (!c.name || name.empty()) throw ConfigError(spec.where("name") + "not a domain name");
  std::string type = spec.str("type");
  c.type = ldns_get_rr_type_by_name(type.c_str());
  if (c.type == 0) throw ConfigError(spec.where("type") + "unknown record type \"" + printable(type) + "\"");
  std::string rcode = spec.str("rcode");
  const ldns_lookup_table* rc = ldns_lookup_by_name(ldns_rcodes, rcode.c_str());
  if (!rc) throw ConfigError(spec.where("rcode") + "unknown rcode \"" + printable(rcode) + "\"");
  c.rcode = rc->id;
  c.tcp = spec.flag("tcp");

  if (spec.has("expect")) {
    RdfPtr root(ldns_dname_new_frm_str("."));
    char* typeText = ldns_rr_type2str(c.type);
    std::string prefix = std::string("expect. 0 IN ") + (typeText ? typeText : type.c_str()) + " ";
    free(typeText);
    for (const std::string& want : spec.list("expect")) {
      ldns_rr* rr = nullptr;
      ldns_status st = ldns_rr_new_frm_str(&rr, (prefix + want).c_str(), 0, root.get(), nullptr);
      if (st != LDNS_STATUS_OK || !rr) {
        ldns_rr_free(rr);
        throw ConfigError(spec.where("expect") + "\"" + printable(want) + "\" is no " + type +
                          " record data: " + ldns_get_errorstr_by_id(st));
      }
      ldns_rr2canonical(rr);
      c.expect.emplace_back(rr);
    }
  }

  PktPtr query(ldns_pkt_query_new(ldns_rdf_clone(c.name.get()), c.type, LDNS_RR_CLASS_IN, LDNS_RD));
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  if (!query || ldns_pkt2wire(&wire, query.get(), &size) != LDNS_STATUS_OK || size < 12) {
    free(wire);
    throw ConfigError(spec.where("name") + "cannot build a query for it");
  }
  c.query.assign(wire, wire + size);
  free(wire);
  return std::make_unique<DnsProbe>(*ctx.loop, std::move(c));
}

}  // namespace

const KindDesc& dnsKind() {
  static const KindDesc kind{
      "dns",
      "DNS: a query of a name and type (UDP, TCP on truncation), the rcode and optionally the answers",
      {
          {"server", OptType::String, nullptr,
           "DNS server address (a name is resolved once, when the configuration is loaded)", true},
          {"port", OptType::Int, "53", "server port (1-65535)"},
          {"name", OptType::String, nullptr, "the name asked for", true},
          {"type", OptType::String, "A", "record type: A, AAAA, MX, TXT, SOA, NS, CNAME, PTR, SRV..."},
          {"rcode", OptType::String, "NOERROR",
           "expected rcode (NOERROR, NXDOMAIN...); another is FAIL \"rcode NAME\""},
          {"expect", OptType::List, nullptr,
           "record data that must all be among the answers, e.g. {203.0.113.10 203.0.113.11} or "
           "{{10 mail.example.test.}}; else FAIL \"answer mismatch\""},
          {"tcp", OptType::Bool, "0", "always query over TCP"},
      },
      makeDns,
  };
  return kind;
}

}  // namespace fail::check

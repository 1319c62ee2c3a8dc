// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A DNS client for tests: queries built by hand (so a test can also send what no real
// client would: two OPT records, a compression loop, a label over 63 bytes), sent over
// UDP from a chosen loopback source address or over TCP (pipelined), and the answers
// parsed by ldns (ldns_wire2pkt) as an oracle independent of the server's own code.
// dig and kdig are run by `runDig` with their output kept for the test to read.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.hh"
#include "dns/ldns.hh"

namespace fail::test::dnsc {

using Bytes = std::vector<std::uint8_t>;

inline constexpr std::uint16_t kA = 1, kNs = 2, kCname = 5, kSoa = 6, kMx = 15, kTxt = 16, kAaaa = 28,
                               kSrv = 33, kOpt = 41, kCaa = 257, kAny = 255;

// What goes into a hand-made query.
struct Query {
  std::string name;  // "www.example.test" (no trailing dot needed); "" is the root
  std::uint16_t type = kA;
  std::uint16_t qclass = 1;  // IN; 3 is CHAOS
  std::uint16_t id = 0x4242;
  std::uint8_t opcode = 0;    // 0 QUERY, 2 STATUS, 4 NOTIFY
  bool rd = true;
  int edns = -1;              // EDNS version (-1: no OPT record)
  std::uint16_t payload = 1232;
  int opts = 1;               // how many OPT records when edns >= 0 (2: FORMERR)
};

inline void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}

// The uncompressed wire form of a name (labels as written, case kept).
inline Bytes wireName(const std::string& name) {
  Bytes b;
  std::size_t at = 0;
  while (at < name.size()) {
    std::size_t dot = name.find('.', at);
    if (dot == std::string::npos) dot = name.size();
    b.push_back(static_cast<std::uint8_t>(dot - at));
    b.insert(b.end(), name.begin() + static_cast<long>(at), name.begin() + static_cast<long>(dot));
    at = dot + 1;
  }
  b.push_back(0);
  return b;
}

inline Bytes optRecord(const Query& q) {
  Bytes b{0};  // root owner
  put16(b, kOpt);
  put16(b, q.payload);
  b.push_back(0);                                  // extended rcode
  b.push_back(static_cast<std::uint8_t>(q.edns));  // version
  put16(b, 0);                                     // flags
  put16(b, 0);                                     // rdlength
  return b;
}

inline Bytes header(std::uint16_t id, std::uint8_t opcode, bool rd, std::uint16_t qd, std::uint16_t ar) {
  Bytes b;
  put16(b, id);
  b.push_back(static_cast<std::uint8_t>((opcode & 0xf) << 3 | (rd ? 1 : 0)));
  b.push_back(0);
  put16(b, qd);
  put16(b, 0);
  put16(b, 0);
  put16(b, ar);
  return b;
}

inline Bytes build(const Query& q) {
  int opts = q.edns >= 0 ? q.opts : 0;
  Bytes b = header(q.id, q.opcode, q.rd, 1, static_cast<std::uint16_t>(opts));
  Bytes n = wireName(q.name);
  b.insert(b.end(), n.begin(), n.end());
  put16(b, q.type);
  put16(b, q.qclass);
  for (int i = 0; i < opts; ++i) {
    Bytes o = optRecord(q);
    b.insert(b.end(), o.begin(), o.end());
  }
  return b;
}

inline sockaddr_in loopback(const std::string& address, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
  return a;
}

inline bool readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

// One UDP exchange from `source` (a loopback address: 127.0.0.2 is a second client) to
// 127.0.0.1:port. nullopt when nothing came back within `timeout`.
inline std::optional<Bytes> udp(int port, const Bytes& query, const std::string& source = "127.0.0.1",
                                std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in from = loopback(source, 0), to = loopback("127.0.0.1", port);
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) return std::nullopt;
  if (::sendto(s.get(), query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
    return std::nullopt;
  if (!readable(s.get(), timeout)) return std::nullopt;
  Bytes buf(65536);
  ssize_t n = ::recv(s.get(), buf.data(), buf.size(), 0);
  if (n < 0) return std::nullopt;
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

// A TCP connection to 127.0.0.1:port with RFC 1035 framing (a 2-byte length prefix).
class Tcp {
 public:
  // From `source` (a loopback address), as udp() does.
  explicit Tcp(int port, const std::string& source = "127.0.0.1") : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in from = loopback(source, 0), to = loopback("127.0.0.1", port);
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
      fd_.reset();
  }
  bool connected() const { return fd_.get() >= 0; }
  bool sendRaw(const Bytes& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::send(fd_.get(), bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  bool send(const Bytes& message) {
    Bytes framed;
    put16(framed, static_cast<std::uint16_t>(message.size()));
    framed.insert(framed.end(), message.begin(), message.end());
    return sendRaw(framed);
  }
  // The next framed message; nullopt on close or timeout.
  std::optional<Bytes> receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    Bytes len, msg;
    if (!readExactly(2, len, timeout)) return std::nullopt;
    if (!readExactly(static_cast<std::size_t>(len[0] << 8 | len[1]), msg, timeout)) return std::nullopt;
    return msg;
  }
  // Whether the server closed the connection within `timeout`.
  bool closedByPeer(std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (!readable(fd_.get(), std::chrono::milliseconds(100))) continue;
      char c[512];
      ssize_t n = ::recv(fd_.get(), c, sizeof c, 0);
      if (n <= 0) return true;
    }
    return false;
  }

 private:
  bool readExactly(std::size_t want, Bytes& out, std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    out.clear();
    while (out.size() < want) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !readable(fd_.get(), left)) return false;
      std::uint8_t buf[4096];
      ssize_t n = ::recv(fd_.get(), buf, std::min(sizeof buf, want - out.size()), 0);
      if (n <= 0) return false;
      out.insert(out.end(), buf, buf + n);
    }
    return true;
  }
  UniqueFd fd_;
};

// An answer as ldns reads it (the oracle): null `pkt` when ldns refuses the bytes.
struct Parsed {
  std::shared_ptr<ldns_pkt> pkt;
  explicit operator bool() const { return static_cast<bool>(pkt); }
  int rcode() const { return ldns_pkt_get_rcode(pkt.get()); }
  bool aa() const { return ldns_pkt_aa(pkt.get()); }
  bool tc() const { return ldns_pkt_tc(pkt.get()); }
  bool qr() const { return ldns_pkt_qr(pkt.get()); }
  bool rd() const { return ldns_pkt_rd(pkt.get()); }
  std::uint16_t id() const { return ldns_pkt_id(pkt.get()); }
  std::size_t count(ldns_pkt_section s) const {
    ldns_rr_list* l = section(s);
    return l ? ldns_rr_list_rr_count(l) : 0;
  }
  ldns_rr_list* section(ldns_pkt_section s) const {
    switch (s) {
      case LDNS_SECTION_QUESTION: return ldns_pkt_question(pkt.get());
      case LDNS_SECTION_ANSWER: return ldns_pkt_answer(pkt.get());
      case LDNS_SECTION_AUTHORITY: return ldns_pkt_authority(pkt.get());
      default: return ldns_pkt_additional(pkt.get());
    }
  }
  // The types of a section's records, in order.
  std::vector<int> types(ldns_pkt_section s) const {
    std::vector<int> out;
    for (std::size_t i = 0; i < count(s); ++i) out.push_back(ldns_rr_get_type(ldns_rr_list_rr(section(s), i)));
    return out;
  }
  // The presentation form of each RDATA of a section ("203.0.113.10", "10 mail.example.test.").
  std::vector<std::string> rdatas(ldns_pkt_section s) const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < count(s); ++i) {
      ldns_rr* rr = ldns_rr_list_rr(section(s), i);
      std::string text;
      for (std::size_t f = 0; f < ldns_rr_rd_count(rr); ++f) {
        char* t = ldns_rdf2str(ldns_rr_rdf(rr, f));
        if (!text.empty()) text += ' ';
        text += t ? t : "?";
        free(t);
      }
      out.push_back(text);
    }
    return out;
  }
  std::vector<std::uint32_t> ttls(ldns_pkt_section s) const {
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < count(s); ++i) out.push_back(ldns_rr_ttl(ldns_rr_list_rr(section(s), i)));
    return out;
  }
  // The question's name as sent back, case kept ("wWw.ExAmPlE.tEsT.").
  std::string qname() const {
    if (count(LDNS_SECTION_QUESTION) == 0) return "";
    char* t = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(pkt.get()), 0)));
    std::string s = t ? t : "";
    free(t);
    return s;
  }
  bool hasOpt() const { return ldns_pkt_edns(pkt.get()); }
  std::uint16_t udpSize() const { return ldns_pkt_edns_udp_size(pkt.get()); }
};

inline Parsed parse(const Bytes& wire) {
  ldns_pkt* p = nullptr;
  if (ldns_wire2pkt(&p, wire.data(), wire.size()) != LDNS_STATUS_OK) return {};
  return Parsed{std::shared_ptr<ldns_pkt>(p, ldns_pkt_free)};
}

// The rcode of a response read straight from its header (with the extended bits of an
// OPT: BADVERS is 16), for answers ldns may read differently.
inline int headerRcode(const Bytes& wire) { return wire.size() >= 4 ? (wire[3] & 0xf) : -1; }

}  // namespace fail::test::dnsc

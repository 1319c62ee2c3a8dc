// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What a policy declares for the DNS front-end (`fail::dns zone|record|pool|serve`,
// failover(n)): plain values, built by the Tcl layer (lib/shell) on the Tcl thread, handed
// whole to the front-end (dns/frontend.hh), which turns them into answers. Names are
// canonical (dns/name.hh); everything is validated before it gets here, so the front-end
// never refuses a Config. Equality lets a reload tell what changed.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fail::dns {

// One address of a pool or of an -all-down fallback.
struct IpAddress {
  int family = 0;                        // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};  // network order; IPv4 in the first 4
  std::string text;                      // as written, for messages and records
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// A resource record of any type, from `fail::dns record` or a zone file: its RDATA in
// uncompressed wire form (ldns parsed the text at configuration time).
struct StaticRecord {
  std::string owner;  // canonical
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::vector<std::uint8_t> rdata;
  friend bool operator==(const StaticRecord&, const StaticRecord&) = default;
};

struct Zone {
  std::string name;             // canonical; the apex
  std::vector<std::string> ns;  // canonical NS targets
  std::string mbox;             // canonical SOA RNAME; default "hostmaster.<zone>"
  std::uint32_t refresh = 3600, retry = 600, expire = 86400;
  std::uint32_t minimum = 30;   // -soa-minimum: bounds negative caching (RFC 2308)
  std::uint32_t ttl = 3600;     // TTL of the SOA and NS records
  std::string file;             // -file: a zone file read into `records` (kept for messages)
  std::vector<StaticRecord> records;  // static records (from `record` and `-file`)
  friend bool operator==(const Zone&, const Zone&) = default;
};

enum class Select { Priority, Wrr, All };
enum class Force { Auto, Up, Down };

struct Member {
  IpAddress address;
  std::string check;    // a record of the local faild; "" : always in (unless forced down)
  unsigned weight = 1;  // wrr
  Force force = Force::Auto;
  friend bool operator==(const Member&, const Member&) = default;
};

// -all-down: what a pool answers when no member is in.
struct AllDown {
  enum class Kind { All, None, Servfail, Address } kind = Kind::All;  // All: every member (the Gcore rule)
  std::vector<IpAddress> addresses;                                   // Kind::Address
  friend bool operator==(const AllDown&, const AllDown&) = default;
};

struct Pool {
  std::string name;  // canonical owner name; inside a declared zone, possibly its apex
  Select select = Select::Priority;
  unsigned max = 0;          // at most this many addresses per answer; 0: no limit
  std::uint32_t ttl = 30;    // seconds
  std::uint32_t ttlOut = 0;  // health-aware TTL: used while a member is out or changed within `settle`; 0: off
  std::chrono::milliseconds settle{0};
  std::vector<Member> members;
  AllDown allDown;
  friend bool operator==(const Pool&, const Pool&) = default;
};

struct Serve {
  std::vector<std::string> listen;   // "ADDRESS:PORT" (PORT 0: the system picks one, UDP and TCP alike)
  std::vector<std::string> forward;  // upstream resolvers "ADDRESS:PORT"; empty: nothing is forwarded
  std::vector<std::string> allow;    // prefixes allowed to be forwarded for ("127.0.0.0/8"); empty: nobody
  unsigned udpThreads = 0;           // 0: one per CPU, at most 4
  unsigned tcpMax = 1000;            // open TCP connections at most
  std::chrono::milliseconds tcpIdle{10000};
  std::chrono::milliseconds startTimeout{5000};  // serve with the all-down rule if faild is not synced by then
  friend bool operator==(const Serve&, const Serve&) = default;
};

// Everything a policy declared; `serving` once `fail::dns serve` was given.
struct Config {
  std::map<std::string, Zone> zones;  // by canonical name
  std::map<std::string, Pool> pools;  // by canonical name
  Serve serve;
  bool serving = false;
  friend bool operator==(const Config&, const Config&) = default;
};

}  // namespace fail::dns

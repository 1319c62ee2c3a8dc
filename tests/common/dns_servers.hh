// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The one way tests start real name servers: BIND `named` (a primary with a TSIG key and
// an update-policy, a secondary fed by NOTIFY and IXFR from it, a forwarder) and Knot
// `knotd` (a primary with a key and an update ACL), each on 127.0.0.1 at a port the test
// chose (freeLoopbackPort()), in a folder of its own, in the foreground, stopped by PID
// (Child). A start returns a DnsServer without a child, and *why, when the program is missing or does not
// come up; a test then GTEST_SKIP()s with that sentence (missing) or fails (did not start).
//
// TSIG keys are generated in the test (makeTestKey) and written in each server's own
// syntax; keyFileText() gives the same key as tsig-keygen writes it.
#pragma once

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "peers.hh"

namespace fail::test {

// A TSIG key: name, algorithm as BIND writes it ("hmac-sha256"), secret in base64.
struct TestKey {
  std::string name = "failover-key";
  std::string algorithm = "hmac-sha256";
  std::string secret;

  // As tsig-keygen prints it (also what named.conf includes).
  std::string keyFileText() const {
    return "key \"" + name + "\" {\n\talgorithm " + algorithm + ";\n\tsecret \"" + secret + "\";\n};\n";
  }
  // Knot's `key:` section.
  std::string knotText() const {
    return "key:\n  - id: " + name + "\n    algorithm: " + algorithm + "\n    secret: " + secret + "\n";
  }
  // The dig/knsupdate `-y` form, ALGORITHM:NAME:SECRET.
  std::string inlineText() const { return algorithm + ":" + name + ":" + secret; }
};

inline std::string base64(const std::vector<unsigned char>& in) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = in[i] << 16 | in[i + 1] << 8 | in[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += abc[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = in[i] << 16;
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = in[i] << 16 | in[i + 1] << 8;
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += abc[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// A key with a fresh random secret of `bytes` bytes.
inline TestKey makeTestKey(const std::string& name = "failover-key",
                           const std::string& algorithm = "hmac-sha256", std::size_t bytes = 32) {
  std::random_device rd;
  std::vector<unsigned char> raw(bytes);
  for (auto& b : raw) b = static_cast<unsigned char>(rd());
  return TestKey{name, algorithm, base64(raw)};
}

// A small zone for update tests: SOA serial 1, NS ns1, ns1 A 127.0.0.1, www A 203.0.113.10.
inline std::string testZoneText(const std::string& origin) {
  return "$ORIGIN " + origin + ".\n$TTL 60\n@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n"
         "@ IN NS ns1\nns1 IN A 127.0.0.1\nwww IN A 203.0.113.10\n";
}

// A running server: its process, where it listens and its folder and log.
struct DnsServer {
  std::unique_ptr<Child> child;
  int port = 0;
  std::string dir, log;
  pid_t pid() const { return child ? child->pid() : -1; }
  void stop() {
    if (child) child->stop();
  }
  std::string logText() const { return readAll(log); }
};

// What a named is: one zone, served as a primary (zoneText; updates allowed with `key`;
// NOTIFY sent to the secondaries' ports), as a secondary of 127.0.0.1:primaryPort, or
// forwarded to 127.0.0.1:forwardPort.
struct NamedSpec {
  enum class Role { Primary, Secondary, Forwarder } role = Role::Primary;
  std::string zone = "example.test";
  std::string zoneText;          // Primary; empty: testZoneText(zone)
  const TestKey* key = nullptr;  // Primary: update-policy { grant KEY zonesub ANY; }
  std::vector<const TestKey*> moreKeys;  // Primary: granted the same
  std::vector<int> notifyPorts;  // Primary: also-notify 127.0.0.1 port P for each
  int primaryPort = 0;           // Secondary
  int forwardPort = 0;           // Forwarder
};

inline std::string namedZoneClause(const NamedSpec& s, const std::string& dir) {
  std::string z = "zone \"" + s.zone + "\" {\n";
  switch (s.role) {
    case NamedSpec::Role::Primary:
      z += "  type primary;\n  file \"" + dir + "/" + s.zone + ".zone\";\n  allow-transfer { 127.0.0.1; };\n";
      if (s.key) {
        z += "  update-policy {\n    grant " + s.key->name + " zonesub ANY;\n";
        for (const TestKey* k : s.moreKeys) z += "    grant " + k->name + " zonesub ANY;\n";
        z += "  };\n";
      }
      if (!s.notifyPorts.empty()) {
        // A test zone is tiny: without max-ixfr-ratio named answers IXFR with a whole zone.
        z += "  notify explicit;\n  notify-delay 0;\n  max-ixfr-ratio unlimited;\n  also-notify {";
        for (int p : s.notifyPorts) z += " 127.0.0.1 port " + std::to_string(p) + ";";
        z += " };\n";
      }
      break;
    case NamedSpec::Role::Secondary:
      z += "  type secondary;\n  file \"" + dir + "/" + s.zone + ".sec\";\n  primaries { 127.0.0.1 port " +
           std::to_string(s.primaryPort) + "; };\n  allow-notify { 127.0.0.1; };\n";
      break;
    case NamedSpec::Role::Forwarder:
      z += "  type forward;\n  forward only;\n  forwarders { 127.0.0.1 port " + std::to_string(s.forwardPort) +
           "; };\n";
      break;
  }
  return z + "};\n";
}

inline std::string namedConf(const NamedSpec& s, const std::string& dir, int port) {
  bool fwd = s.role == NamedSpec::Role::Forwarder;
  std::string c;
  if (s.key) c += s.key->keyFileText();
  for (const TestKey* k : s.moreKeys) c += k->keyFileText();
  c += "options {\n  directory \"" + dir + "\";\n  listen-on port " + std::to_string(port) +
       " { 127.0.0.1; };\n  listen-on-v6 { none; };\n  pid-file none;\n  session-keyfile none;\n"
       "  dnssec-validation no;\n  notify " + std::string(s.notifyPorts.empty() ? "no" : "explicit") + ";\n";
  // A forwarder recurses for loopback clients only; its root hints point at loopback so
  // that nothing ever leaves the machine.
  c += fwd ? "  recursion yes;\n  allow-recursion { 127.0.0.1; };\n  allow-query-cache { 127.0.0.1; };\n"
           : "  recursion no;\n";
  c += "};\ncontrols { };\n";
  if (fwd) c += "zone \".\" { type hint; file \"" + dir + "/root.hints\"; };\n";
  return c + namedZoneClause(s, dir);
}

// Starts named per `spec` on 127.0.0.1:port from `dir` (which it takes over: named runs
// as bind, doc/traps.md). Ready when its log names the port and says "all zones loaded"; a
// secondary also waits for its first transfer. Without a child (and *why) otherwise.
inline DnsServer startNamed(const std::string& dir, int port, const NamedSpec& spec, std::string* why) {
  DnsServer srv;
  const passwd* pw = ::getpwnam("bind");
  if (::access("/usr/sbin/named", X_OK) != 0 || !pw) {
    *why = "bind9 (named, user bind) is not installed";
    return srv;
  }
  srv.dir = dir;
  srv.port = port;
  srv.log = dir + "/named.log";
  if (spec.role == NamedSpec::Role::Primary)
    std::ofstream(dir + "/" + spec.zone + ".zone") << (spec.zoneText.empty() ? testZoneText(spec.zone) : spec.zoneText);
  if (spec.role == NamedSpec::Role::Forwarder)
    std::ofstream(dir + "/root.hints") << ". 3600000 NS a.root.loopback.\na.root.loopback. 3600000 A 127.0.0.1\n";
  std::ofstream(dir + "/named.conf") << namedConf(spec, dir, port);
  std::remove(srv.log.c_str());  // a restart waits for the new named's words
  // named keeps no CAP_DAC_OVERRIDE even as root: the folder and its files are bind's.
  std::string chown = "chown -R bind:bind '" + dir + "' && chmod 0755 '" + dir + "'";
  if (std::system(chown.c_str()) != 0) {
    *why = "cannot hand " + dir + " to user bind";
    return srv;
  }
  srv.child = std::make_unique<Child>(
      std::vector<std::string>{"/usr/sbin/named", "-g", "-u", "bind", "-n", "1", "-c", dir + "/named.conf"}, srv.log);
  std::string listening = "127.0.0.1#" + std::to_string(port);
  bool secondary = spec.role == NamedSpec::Role::Secondary;
  if (!srv.child->waitFor([&] {
        std::string t = readAll(srv.log);
        return t.find(listening) != std::string::npos && t.find("all zones loaded") != std::string::npos &&
               (!secondary || t.find("transferred serial") != std::string::npos);
      })) {
    *why = "named did not start:\n" + readAll(srv.log);
    srv.child.reset();
  }
  return srv;
}

// Starts knotd on 127.0.0.1:port from `dir`, primary for `zone` (zoneText, or
// testZoneText), updates allowed with `key`. Ready when it says it started and loaded the
// zone and accepts TCP. Without a child (and *why) otherwise.
inline DnsServer startKnot(const std::string& dir, int port, const std::string& zone, const TestKey& key,
                           std::string* why, const std::string& zoneText = {}) {
  DnsServer srv;
  if (::access("/usr/sbin/knotd", X_OK) != 0) {
    *why = "knot (knotd) is not installed";
    return srv;
  }
  srv.dir = dir;
  srv.port = port;
  srv.log = dir + "/knotd.log";
  ::mkdir((dir + "/db").c_str(), 0755);  // knotd needs its database folder first
  std::ofstream(dir + "/" + zone + ".zone") << (zoneText.empty() ? testZoneText(zone) : zoneText);
  std::ofstream(dir + "/knot.conf")
      << "server:\n  rundir: \"" << dir << "\"\n  listen: 127.0.0.1@" << port << "\n"
      << "log:\n  - target: stderr\n    any: info\n"
      << "database:\n  storage: \"" << dir << "/db\"\n"
      << "control:\n  listen: \"" << dir << "/knot.sock\"\n"
      << key.knotText() << "acl:\n  - id: ddns\n    key: " << key.name << "\n    action: update\n"
      << "template:\n  - id: default\n    storage: \"" << dir << "\"\n    file: \"%s.zone\"\n"
      << "zone:\n  - domain: " << zone << "\n    acl: ddns\n";
  std::remove(srv.log.c_str());
  srv.child = std::make_unique<Child>(
      std::vector<std::string>{"/usr/sbin/knotd", "-c", dir + "/knot.conf"}, srv.log);
  if (!srv.child->waitFor([&] {
        std::string t = readAll(srv.log);
        return t.find("server started") != std::string::npos && t.find("loaded, serial") != std::string::npos &&
               tcpConnects(port);
      })) {
    *why = "knotd did not start:\n" + readAll(srv.log);
    srv.child.reset();
  }
  return srv;
}

}  // namespace fail::test

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/allowed_hosts.hh"

#include <cctype>
#include <fstream>

#include "base/log.hh"
#include "client/options.hh"

namespace fail::shell {
namespace {

bool validName(const std::string& h) {
  if (h.empty() || h.size() > 200) return false;
  for (char c : h)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) return false;
  return true;
}

// The first line of `path`, trailing CR and blanks removed.
bool firstLine(const std::string& path, std::string& out) {
  std::ifstream in(path);
  if (!in || !std::getline(in, out)) return false;
  while (!out.empty() && (out.back() == '\r' || out.back() == ' ' || out.back() == '\t')) out.pop_back();
  return true;
}

}  // namespace

bool parseAllowedHost(const std::string& text, HostSpec& out, std::string& err) {
  size_t eq = text.find('=');
  if (eq == std::string::npos) {
    err = "want NAME=ADDRESS:PORT[,secret-file=FILE][,tls][,ca=FILE][,cert=FILE][,key=FILE], got \"" + text + "\"";
    return false;
  }
  HostSpec h;
  h.name = text.substr(0, eq);
  if (!validName(h.name)) {
    err = "bad host name \"" + h.name + "\"";
    return false;
  }
  std::string rest = text.substr(eq + 1);
  size_t comma = rest.find(',');
  std::string where = rest.substr(0, comma);
  client::Target t;
  if (where.empty() || !client::parseTarget(where, "", t, err) || t.kind != client::Target::Kind::Tcp) {
    err = h.name + ": bad address \"" + where + "\"" + (err.empty() ? "" : ": " + err);
    return false;
  }
  if (t.port.empty()) {
    err = h.name + ": \"" + where + "\" has no port (want ADDRESS:PORT)";
    return false;
  }
  h.address = t.host;
  h.port = t.port;
  while (comma != std::string::npos) {
    size_t next = rest.find(',', comma + 1);
    std::string item = rest.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1);
    comma = next;
    size_t ieq = item.find('=');
    std::string key = item.substr(0, ieq), value = ieq == std::string::npos ? "" : item.substr(ieq + 1);
    if (key == "tls" && ieq == std::string::npos) {
      h.tls.enabled = true;
    } else if (ieq == std::string::npos || value.empty()) {
      err = h.name + ": \"" + item + "\": want secret-file=FILE, tls, ca=FILE, cert=FILE or key=FILE";
      return false;
    } else if (key == "secret-file") {
      if (!firstLine(value, h.secret)) {
        err = h.name + ": cannot read the secret file \"" + value + "\"";
        return false;
      }
      log::redact(h.secret);
    } else if (key == "ca" || key == "cert" || key == "key") {
      (key == "ca" ? h.tls.ca : key == "cert" ? h.tls.cert : h.tls.key) = value;
      h.tls.enabled = true;
    } else {
      err = h.name + ": unknown setting \"" + key + "\": want secret-file, tls, ca, cert or key";
      return false;
    }
  }
  out = std::move(h);
  return true;
}

bool readAllowedHosts(const std::string& path, std::vector<HostSpec>& out, std::string& err) {
  std::ifstream in(path);
  if (!in) {
    err = "cannot read \"" + path + "\"";
    return false;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    size_t a = line.find_first_not_of(" \t\r"), b = line.find_last_not_of(" \t\r");
    if (a == std::string::npos || line[a] == '#') continue;
    HostSpec h;
    if (!parseAllowedHost(line.substr(a, b - a + 1), h, err)) {
      err = path + " line " + std::to_string(n) + ": " + err;
      return false;
    }
    out.push_back(std::move(h));
  }
  return true;
}

}  // namespace fail::shell

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A real SMTP server for mail notification tests: tests/common/mail_peer.py (Debian's
// aiosmtpd) on a loopback port of its own choosing, writing each message into a Maildir.
// Options: STARTTLS with a certificate of the test PKI, AUTH PLAIN/LOGIN with a user and
// password, recipients it rejects with 550, and a control file that makes it answer 451
// for a while. A test reads the Maildir with seen() and waits with waitSeen().
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "peers.hh"

namespace fail::test {

// One message as it was stored. The peer put four headers of its own first:
// X-Peer-Mail-From, X-Peer-Rcpt-To (", "-separated), X-Peer-TLS (yes/no: STARTTLS was
// done), X-Peer-Auth (the user that logged in, "" if none).
struct MailSeen {
  HeaderMap headers;     // unfolded; a repeated header: its values joined by ", "
  std::string body;      // decoded (base64 and quoted-printable), CRLF as LF
  std::string raw;       // the file as stored
  std::string file;      // its path in the Maildir
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

namespace mail_detail {

inline std::string decodeBase64(const std::string& in) {
  std::string out;
  int bits = 0, value = 0;
  for (unsigned char c : in) {
    int d = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
          : c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
    if (d < 0) continue;  // line breaks, padding
    value = (value << 6) | d;
    if ((bits += 6) >= 8) out.push_back(static_cast<char>((value >> (bits -= 8)) & 0xff));
  }
  return out;
}

inline std::string decodeQuotedPrintable(const std::string& in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '=') {
      out.push_back(in[i]);
    } else if (i + 1 < in.size() && in[i + 1] == '\n') {
      i += 1;  // a soft line break
    } else if (i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back('=');
    }
  }
  return out;
}

// Parses a stored message (CRLF or LF lines).
inline MailSeen parse(std::string raw, std::string file) {
  MailSeen m;
  m.raw = raw;
  m.file = std::move(file);
  raw.erase(std::remove(raw.begin(), raw.end(), '\r'), raw.end());
  size_t end = raw.find("\n\n");
  std::string head = raw.substr(0, end), body = end == std::string::npos ? "" : raw.substr(end + 2);
  std::istringstream in(head);
  std::string name;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    if ((line[0] == ' ' || line[0] == '\t') && !name.empty()) {  // folded
      m.headers[name] += " " + line.substr(line.find_first_not_of(" \t"));
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    name = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    auto [it, fresh] = m.headers.emplace(name, value);
    if (!fresh) it->second += ", " + value;
  }
  std::string cte = m.header("Content-Transfer-Encoding");
  std::transform(cte.begin(), cte.end(), cte.begin(), ::tolower);
  m.body = cte == "base64" ? decodeBase64(body) : cte == "quoted-printable" ? decodeQuotedPrintable(body) : body;
  m.body.erase(std::remove(m.body.begin(), m.body.end(), '\r'), m.body.end());
  return m;
}

}  // namespace mail_detail

struct MailPeerOptions {
  std::string tlsCert{}, tlsKey{}; // both: offers STARTTLS
  bool requireTls = false;         // refuses mail before STARTTLS
  std::string user{}, password{};  // requires AUTH (PLAIN or LOGIN) with them
  bool authWithoutTls = false;     // allows AUTH before STARTTLS (aiosmtpd refuses it by default)
  std::vector<std::string> reject{}; // recipients answered 550
};

class MailPeer : public ScriptPeer {
 public:
  // Files go into `dir`: the Maildir `<tag>.maildir`, <tag>.log, <tag>.port, <tag>.mode.
  explicit MailPeer(std::string dir, MailPeerOptions o = {}, std::string tag = "mail")
      : ScriptPeer(std::move(dir), std::move(tag)), o_(std::move(o)) {}

  // Starts the server (again after stop(), on the same port); true once it listens.
  // setMode("451"): every MAIL FROM is answered 451 (a server down for mail); "ok": normal.
  bool start(std::string* why = nullptr) {
    if (!pythonHas("aiosmtpd")) {
      if (why) *why = "python3-aiosmtpd is not installed";
      return false;
    }
    std::vector<std::string> args{"--maildir", maildir()};
    if (!o_.tlsCert.empty()) args.insert(args.end(), {"--tls-cert", o_.tlsCert, "--tls-key", o_.tlsKey});
    if (o_.requireTls) args.push_back("--require-tls");
    if (!o_.user.empty()) args.insert(args.end(), {"--user", o_.user, "--password", o_.password});
    if (o_.authWithoutTls) args.push_back("--auth-without-tls");
    for (auto& r : o_.reject) args.insert(args.end(), {"--reject", r});
    return launch("mail_peer.py", args, why);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port()); }
  std::string maildir() const { return dir() + "/" + tag() + ".maildir"; }

  // The messages in the Maildir (new/ and cur/), oldest first (Maildir names start with
  // the time of delivery; the file's time orders those of the same second).
  std::vector<MailSeen> seen() const {
    namespace fs = std::filesystem;
    std::vector<std::pair<fs::file_time_type, std::string>> files;
    std::error_code ec;
    for (const char* sub : {"new", "cur"})
      for (auto& e : fs::directory_iterator(maildir() + "/" + sub, ec))
        if (e.is_regular_file(ec)) files.emplace_back(e.last_write_time(ec), e.path().string());
    std::sort(files.begin(), files.end());
    std::vector<MailSeen> out;
    for (auto& [when, path] : files) out.push_back(mail_detail::parse(readAll(path), path));
    return out;
  }
  std::vector<MailSeen> waitSeen(const std::function<bool(const std::vector<MailSeen>&)>& done,
                                 std::chrono::seconds limit = std::chrono::seconds(30)) const {
    return pollSeen<std::vector<MailSeen>>([this] { return seen(); }, done, limit);
  }
  std::vector<MailSeen> waitCount(size_t count, std::chrono::seconds limit = std::chrono::seconds(30)) const {
    return waitSeen([&](const std::vector<MailSeen>& s) { return s.size() >= count; }, limit);
  }
 private:
  MailPeerOptions o_;
};

}  // namespace fail::test

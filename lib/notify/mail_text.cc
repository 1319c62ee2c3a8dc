// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A Message as RFC 5322 text: what a policy's subject may hold (a record's note, any
// bytes) must not end a header, start another or break a line limit.
#include <openssl/evp.h>

#include <cstdio>
#include <ctime>

#include "notify/senders_kinds.hh"

namespace fail::notify {
namespace {


constexpr size_t kFoldAt = 78;   // RFC 5322's "SHOULD" line length
constexpr size_t kMaxLine = 998; // its "MUST"

bool isAscii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// RFC 5322's date: "Mon, 07 Dec 2026 15:24:42 +0000" (names written out: strftime's
// follow the locale).
std::string rfc5322Date(Micros t) {
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t secs = static_cast<std::time_t>(t / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string base64(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// "Name: value" folded at spaces so that lines stay near kFoldAt; a word longer than a
// line stays whole (the caller encoded anything that could pass kMaxLine).
std::string foldHeader(const std::string& name, const std::string& value) {
  std::string out = name + ":";
  size_t lineLen = out.size();
  size_t i = 0;
  while (i < value.size()) {
    size_t sp = value.find(' ', i);
    std::string word = value.substr(i, sp == std::string::npos ? std::string::npos : sp - i);
    i = sp == std::string::npos ? value.size() : sp + 1;
    if (word.empty()) continue;
    if (lineLen + 1 + word.size() > kFoldAt && lineLen > name.size() + 1) {
      out += "\r\n";
      lineLen = 0;
    }
    out += " " + word;
    lineLen += 1 + word.size();
  }
  return out + "\r\n";
}

// RFC 2047 encoded words ("=?UTF-8?B?...?="), each at most 75 characters and never
// splitting a UTF-8 character, separated by spaces (foldHeader breaks lines there).
std::string encodedWords(std::string_view text) {
  constexpr size_t kRaw = 45;  // bytes per word: 60 base64 characters + 12 around them
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t n = std::min(kRaw, text.size() - i);
    while (n > 1 && i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) --n;
    if (!out.empty()) out += ' ';
    out += "=?UTF-8?B?" + base64(text.substr(i, n)) + "?=";
    i += n;
  }
  return out;
}

std::string subjectHeader(std::string_view subject) {
  std::string s = detail::oneLine(subject);
  bool longWord = false;
  size_t run = 0;
  for (char c : s) {
    run = c == ' ' ? 0 : run + 1;
    if (run > kMaxLine - 20) longWord = true;
  }
  return foldHeader("Subject", isAscii(s) && !longWord ? s : encodedWords(s));
}

// The body with CRLF line ends; quoted-printable (RFC 2045 6.7) when it holds non-ASCII
// bytes, control characters or a line too long for SMTP, else as it is.
std::string bodyText(std::string_view body, bool* quoted) {
  std::vector<std::string_view> lines;
  size_t i = 0;
  while (i <= body.size()) {
    size_t nl = body.find('\n', i);
    std::string_view line = body.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
    if (nl == std::string_view::npos && line.empty()) break;  // the body ended with its last line
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    i = nl + 1;
  }
  bool plain = true;
  for (auto l : lines) {
    if (l.size() > kMaxLine) plain = false;
    for (unsigned char c : l)
      if (c >= 0x80 || (c < 0x20 && c != '\t') || c == 0x7f) plain = false;
  }
  *quoted = !plain;
  std::string out;
  for (auto l : lines) {
    if (plain) {
      out.append(l);
      out += "\r\n";
      continue;
    }
    size_t col = 0;
    for (size_t k = 0; k < l.size(); ++k) {
      unsigned char c = static_cast<unsigned char>(l[k]);
      bool last = k + 1 == l.size();
      char enc[4];
      std::string_view piece;
      if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
        enc[0] = static_cast<char>(c);
        piece = std::string_view(enc, 1);
      } else {
        std::snprintf(enc, sizeof enc, "=%02X", c);
        piece = std::string_view(enc, 3);
      }
      if (col + piece.size() > 75) {  // a soft break keeps lines at 76 with its '='
        out += "=\r\n";
        col = 0;
      }
      out.append(piece);
      col += piece.size();
    }
    out += "\r\n";
  }
  return out;
}

// What may stand in a Message-ID's parts: anything else is dropped.
std::string idPart(std::string_view s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') out += c;
  return out.empty() ? "localhost" : out;
}

}  // namespace

std::string mailText(const MailSpec& spec, const Message& m, const std::string& host, Micros date) {
  bool quoted = false;
  std::string body = bodyText(m.body, &quoted);
  std::string to;
  for (const auto& a : spec.to) to += (to.empty() ? "" : ", ") + detail::oneLine(a);
  std::string out;
  out += "Date: " + rfc5322Date(date) + "\r\n";
  out += "From: " + detail::oneLine(spec.from) + "\r\n";
  out += foldHeader("To", to);
  out += subjectHeader(m.subject);
  out += "Message-ID: <" + idPart(m.key) + "@failover." + idPart(host) + ">\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += std::string("X-Failover-Event: ") + kindName(m.kind) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += std::string("Content-Transfer-Encoding: ") + (quoted ? "quoted-printable" : "7bit") + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

namespace detail {

std::string oneLine(std::string_view text) {
  std::string s(text);
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return s;
}

}  // namespace detail
}  // namespace fail::notify

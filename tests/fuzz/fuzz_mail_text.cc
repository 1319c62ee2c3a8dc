// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: a notification mail's text (lib/notify/senders.hh mailText) from an
// arbitrary subject and body (a record's note reaches both). Contract: CRLF line ends
// only; the header block holds exactly the headers mailText writes (no injected one),
// in ASCII, each line at most 998 bytes; the body's lines too, and the body decodes
// (quoted-printable when so declared) to the body given, with its line ends as CRLF.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "check.hh"
#include "notify/senders.hh"

namespace {

int hex(char c) { return c <= '9' ? c - '0' : c - 'A' + 10; }

std::string decodeQp(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '=') {
      out += in[i];
    } else if (in.substr(i + 1, 2) == "\r\n") {
      i += 2;  // a soft break
    } else {
      FUZZ_CHECK(i + 2 < in.size());
      out += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
      i += 2;
    }
  }
  return out;
}

// The body as mailText promises to carry it: each line (LF or CRLF ended) with CRLF.
std::string expectedBody(std::string_view body) {
  std::string out;
  size_t i = 0;
  while (i < body.size()) {
    size_t nl = body.find('\n', i);
    std::string_view line = body.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.append(line);
    out += "\r\n";
    if (nl == std::string_view::npos) break;
    i = nl + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t cut = in.find('\0');
  fail::notify::Message m;
  m.key = "0123456789abcdef0123456789abcdef";
  m.kind = fail::notify::Kind::Alert;
  m.subject = std::string(in.substr(0, cut));
  m.body = cut == std::string_view::npos ? "" : std::string(in.substr(cut + 1));
  fail::notify::MailSpec spec;
  spec.to = {"ops@example.com", "oncall@example.com"};
  spec.from = "failover@example.com";
  std::string text = fail::notify::mailText(spec, m, "host.example", 1'765'000'000'000'000);

  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') FUZZ_CHECK(i > 0 && text[i - 1] == '\r');
    if (text[i] == '\r') FUZZ_CHECK(i + 1 < text.size() && text[i + 1] == '\n');
  }
  size_t end = text.find("\r\n\r\n");
  FUZZ_CHECK(end != std::string::npos);
  std::string_view head(text.data(), end + 2), body(text.data() + end + 4, text.size() - end - 4);

  static const std::set<std::string> kNames = {
      "Date", "From", "To", "Subject", "Message-ID", "Auto-Submitted", "X-Failover-Event",
      "MIME-Version", "Content-Type", "Content-Transfer-Encoding"};
  std::set<std::string> names;
  std::string cte;
  for (size_t i = 0; i < head.size();) {
    size_t eol = head.find("\r\n", i);
    std::string_view line = head.substr(i, eol - i);
    FUZZ_CHECK(line.size() <= 998);
    for (unsigned char c : line) FUZZ_CHECK(c >= 0x20 && c < 0x7f);
    if (line[0] != ' ') {
      std::string name(line.substr(0, line.find(':')));
      FUZZ_CHECK(line.find(':') != std::string_view::npos && kNames.count(name) && names.insert(name).second);
      if (name == "Content-Transfer-Encoding") cte = std::string(line.substr(name.size() + 2));
    } else {
      FUZZ_CHECK(line.find_first_not_of(' ') != std::string_view::npos);  // no empty folded line
    }
    i = eol + 2;
  }
  FUZZ_CHECK(names.size() == kNames.size());

  for (size_t i = 0; i < body.size();) {
    size_t eol = body.find("\r\n", i);
    FUZZ_CHECK(eol != std::string_view::npos);
    FUZZ_CHECK(eol - i <= (cte == "quoted-printable" ? 76 : 998));
    i = eol + 2;
  }
  FUZZ_CHECK(cte == "7bit" || cte == "quoted-printable");
  std::string expected = expectedBody(m.body);
  if (cte == "7bit") {
    FUZZ_CHECK(body == expected);
  } else {
    FUZZ_CHECK(decodeQp(body) == expected);
  }
  return 0;
}

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: the SMTP/FTP reply parser and the IMAP/POP3 line parsers on arbitrary
// bytes. Checks the contracts of check/banner_parse.hh: bounded (never past `max`), a
// complete reply is stable when more bytes follow, and an SMTP reply survives a round
// trip through its own wire form.
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hh"
#include "check/banner_parse.hh"

namespace {

using namespace fail::check::banner;

void checkReply(std::string_view in, Dialect dialect, std::size_t max) {
  ReplyParse p = parseReply(in, dialect, max);
  if (p.status == Status::Incomplete) FUZZ_CHECK(in.size() < max);
  if (p.status != Status::Complete) return;
  FUZZ_CHECK(p.consumed > 0 && p.consumed <= in.size() && p.consumed <= max);
  FUZZ_CHECK(p.reply.code >= 100 && p.reply.code <= 599);
  FUZZ_CHECK(!p.reply.lines.empty());
  FUZZ_CHECK(in[p.consumed - 1] == '\n');
  for (const auto& l : p.reply.lines) {
    FUZZ_CHECK(l.find('\n') == std::string::npos);
    FUZZ_CHECK(l.find('\0') == std::string::npos);
  }
  // The reply alone parses to the same; so does the reply with anything after it.
  ReplyParse alone = parseReply(in.substr(0, p.consumed), dialect, max);
  FUZZ_CHECK(alone.status == Status::Complete && alone.consumed == p.consumed);
  FUZZ_CHECK(alone.reply.code == p.reply.code && alone.reply.lines == p.reply.lines);
  std::string more(in.substr(0, p.consumed));
  more += "999 junk";
  ReplyParse longer = parseReply(more, dialect, max + 8);
  FUZZ_CHECK(longer.status == Status::Complete && longer.consumed == p.consumed);
  FUZZ_CHECK(longer.reply.lines == p.reply.lines);
  if (dialect == Dialect::Smtp) {
    std::string wire;
    std::string code = std::to_string(p.reply.code);
    for (std::size_t i = 0; i < p.reply.lines.size(); ++i)
      wire += code + (i + 1 < p.reply.lines.size() ? "-" : " ") + p.reply.lines[i] + "\r\n";
    ReplyParse again = parseReply(wire, dialect, wire.size() + 1);
    FUZZ_CHECK(again.status == Status::Complete && again.consumed == wire.size());
    FUZZ_CHECK(again.reply.code == p.reply.code && again.reply.lines == p.reply.lines);
    ehloHas(p.reply, "STARTTLS");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (std::size_t max : {kMaxReply, size / 2 + 1}) {
    checkReply(in, Dialect::Smtp, max);
    checkReply(in, Dialect::Ftp, max);
    LineParse l = parseLine(in, max);
    if (l.status == Status::Incomplete) FUZZ_CHECK(in.size() < max);
    if (l.status == Status::Complete) {
      FUZZ_CHECK(l.consumed <= max && l.consumed <= in.size() && in[l.consumed - 1] == '\n');
      FUZZ_CHECK(l.line.size() + 2 >= l.consumed);
      parseImapGreeting(l.line);
      parsePop3Status(l.line);
    }
  }
  return 0;
}

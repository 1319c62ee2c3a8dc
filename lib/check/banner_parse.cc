// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "check/banner_parse.hh"

#include <strings.h>

namespace fail::check::banner {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// How a (possibly partial) line starts, as a reply line: "CODE", "CODE-..." or "CODE ...".
// `partial` lines may stop early; a prefix that could still become valid is Maybe.
enum class Head { Bad, Maybe, Last, More };

Head lineHead(std::string_view line, bool partial, int* code) {
  for (std::size_t i = 0; i < 3; ++i) {
    if (i == line.size()) return partial ? Head::Maybe : Head::Bad;
    char c = line[i];
    if (!isDigit(c) || (i == 0 && (c < '1' || c > '5'))) return Head::Bad;
  }
  *code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (line.size() == 3) return partial ? Head::Maybe : Head::Last;
  if (line[3] == ' ') return Head::Last;
  if (line[3] == '-') return Head::More;
  return Head::Bad;
}

std::string_view textAfterHead(std::string_view line) {
  return line.size() > 4 ? line.substr(4) : std::string_view{};
}

}  // namespace

ReplyParse parseReply(std::string_view buf, Dialect dialect, std::size_t max) {
  ReplyParse out;
  std::size_t pos = 0;
  int code = 0;  // of the first line; 0 until it is read
  for (;;) {
    std::size_t nl = buf.find('\n', pos);
    bool partial = nl == std::string_view::npos;
    std::string_view line = buf.substr(pos, partial ? std::string_view::npos : nl - pos);
    if (!partial && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\0') != std::string_view::npos) {
      out.status = Status::Malformed;
      return out;
    }
    int lineCode = 0;
    bool strict = code == 0 || dialect == Dialect::Smtp;  // must this line be "CODE[- ]"?
    Head head = lineHead(line, partial, &lineCode);
    if (strict && (head == Head::Bad || (code != 0 && head != Head::Maybe && lineCode != code))) {
      out.status = Status::Malformed;
      return out;
    }
    if (partial) {
      out.status = buf.size() >= max ? Status::TooLong : Status::Incomplete;
      return out;
    }
    if (nl + 1 > max) {
      out.status = Status::TooLong;
      return out;
    }
    pos = nl + 1;
    if (code == 0) {
      code = lineCode;
      out.reply.code = code;
      out.reply.lines.emplace_back(textAfterHead(line));
      if (head == Head::Last) break;
      continue;
    }
    bool same = head != Head::Bad && lineCode == code;
    if (same && head == Head::Last) {
      out.reply.lines.emplace_back(textAfterHead(line));
      break;
    }
    // SMTP: a "CODE-" line (checked above). FTP: any middle line, kept verbatim unless it
    // repeats the "CODE-" prefix, as many servers do.
    out.reply.lines.emplace_back(same ? textAfterHead(line) : line);
  }
  out.status = Status::Complete;
  out.consumed = pos;
  return out;
}

LineParse parseLine(std::string_view buf, std::size_t max) {
  LineParse out;
  std::string_view window = buf.substr(0, max);
  std::size_t nl = window.find('\n');
  std::string_view line = window.substr(0, nl);
  if (line.find('\0') != std::string_view::npos) {
    out.status = Status::Malformed;
    return out;
  }
  if (nl == std::string_view::npos) {
    out.status = buf.size() >= max ? Status::TooLong : Status::Incomplete;
    return out;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  out.status = Status::Complete;
  out.consumed = nl + 1;
  out.line.assign(line);
  return out;
}

ImapGreeting parseImapGreeting(std::string_view line) {
  if (line.size() < 2 || line[0] != '*' || line[1] != ' ') return ImapGreeting::Other;
  std::string_view rest = line.substr(2);
  std::string_view word = rest.substr(0, rest.find(' '));
  if (equalsNoCase(word, "OK")) return ImapGreeting::Ok;
  if (equalsNoCase(word, "PREAUTH")) return ImapGreeting::Preauth;
  if (equalsNoCase(word, "BYE")) return ImapGreeting::Bye;
  return ImapGreeting::Other;
}

Pop3Status parsePop3Status(std::string_view line) {
  std::string_view word = line.substr(0, line.find(' '));
  if (word == "+OK") return Pop3Status::Ok;
  if (word == "-ERR") return Pop3Status::Err;
  return Pop3Status::Other;
}

bool ehloHas(const Reply& ehlo, std::string_view keyword) {
  for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
    std::string_view l = ehlo.lines[i];
    if (equalsNoCase(l.substr(0, l.find(' ')), keyword)) return true;
  }
  return false;
}

}  // namespace fail::check::banner

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Parsers for the replies of line-based mail and file-transfer servers: SMTP (RFC 5321
// section 4.2), FTP (RFC 959 section 4.2), the IMAP greeting (RFC 3501 section 7.1) and
// POP3 status lines (RFC 1939 section 3). Pure functions over the bytes received so far:
// they never read, never allocate more than the reply they return, and say whether more
// bytes are needed, so a probe can feed them from a non-blocking socket.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fail::check::banner {

// Replies longer than this (all lines of one reply together) are refused: a flood is a
// Fail, never a growing buffer.
inline constexpr std::size_t kMaxReply = 8192;

enum class Status {
  Incomplete,  // no complete reply yet: read more and parse again
  Complete,    // `consumed` bytes hold one reply
  Malformed,   // not a reply of this protocol
  TooLong,     // kMaxReply bytes (or `max`) without the end of a reply
};

// SMTP: every line is "CODE-text" except the last, "CODE text" (or bare "CODE"); all lines
// carry the same code. FTP: the first line is "CODE-text" and the reply ends at a line
// that starts with the same "CODE " (lines in between may hold anything, digits included);
// a single-line reply is "CODE text".
enum class Dialect { Smtp, Ftp };

struct Reply {
  int code = 0;                    // 100..599
  std::vector<std::string> lines;  // the text of each line, after "CODE-"/"CODE " (FTP
                                   // middle lines verbatim), without the line end
};

struct ReplyParse {
  Status status = Status::Incomplete;
  std::size_t consumed = 0;  // bytes of `buf` the reply used (Complete only)
  Reply reply;               // Complete only
};

// Lines end with CRLF or a bare LF (lenient, as the common servers' clients are). A NUL
// byte anywhere is Malformed.
ReplyParse parseReply(std::string_view buf, Dialect dialect, std::size_t max = kMaxReply);

// One line, for IMAP and POP3 (which have no multi-line greetings).
struct LineParse {
  Status status = Status::Incomplete;  // Malformed never happens (a NUL is Malformed)
  std::size_t consumed = 0;
  std::string line;  // without the line end
};
LineParse parseLine(std::string_view buf, std::size_t max = kMaxReply);

// An IMAP greeting line: "* OK text", "* PREAUTH text" or "* BYE text" (keywords in any
// case). Anything else is Other.
enum class ImapGreeting { Ok, Preauth, Bye, Other };
ImapGreeting parseImapGreeting(std::string_view line);

// A POP3 status line: "+OK ..." or "-ERR ..." (exactly, or followed by a space).
enum class Pop3Status { Ok, Err, Other };
Pop3Status parsePop3Status(std::string_view line);

// Whether an EHLO reply (the lines of a 250 reply) announces a keyword, e.g. "STARTTLS"
// (case-insensitive, RFC 5321 section 4.1.1.1: the keyword is a line's first word; the
// first line is the greeting and does not count).
bool ehloHas(const Reply& ehlo, std::string_view keyword);

}  // namespace fail::check::banner

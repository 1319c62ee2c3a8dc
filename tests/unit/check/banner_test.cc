// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The banner and reply parsers (check/banner_parse.hh), table-driven.
#include "check/banner_parse.hh"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fail::check::banner {
namespace {

struct ReplyCase {
  const char* what;
  Dialect dialect;
  std::string in;
  Status status;
  int code = 0;
  std::vector<std::string> lines = {};
  std::size_t consumed = 0;  // 0: the whole input
};

class ReplyTable : public ::testing::TestWithParam<ReplyCase> {};

TEST_P(ReplyTable, Parses) {
  const ReplyCase& c = GetParam();
  ReplyParse p = parseReply(c.in, c.dialect);
  ASSERT_EQ(p.status, c.status) << c.what;
  if (c.status != Status::Complete) return;
  EXPECT_EQ(p.reply.code, c.code) << c.what;
  EXPECT_EQ(p.reply.lines, c.lines) << c.what;
  EXPECT_EQ(p.consumed, c.consumed ? c.consumed : c.in.size()) << c.what;
}

const std::string kLong(kMaxReply, 'x');

INSTANTIATE_TEST_SUITE_P(
    Smtp, ReplyTable,
    ::testing::Values(
        ReplyCase{"one line", Dialect::Smtp, "220 mail.example.test ESMTP\r\n", Status::Complete,
                  220, {"mail.example.test ESMTP"}},
        ReplyCase{"bare LF", Dialect::Smtp, "220 ready\n", Status::Complete, 220, {"ready"}},
        ReplyCase{"code alone", Dialect::Smtp, "250\r\n", Status::Complete, 250, {""}},
        ReplyCase{"multi-line", Dialect::Smtp,
                  "250-mail.example.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n",
                  Status::Complete, 250,
                  {"mail.example.test", "PIPELINING", "STARTTLS", "8BITMIME"}},
        ReplyCase{"leftover kept", Dialect::Smtp, "221 bye\r\n250 extra\r\n", Status::Complete,
                  221, {"bye"}, 9},
        ReplyCase{"code changes", Dialect::Smtp, "250-a\r\n251 b\r\n", Status::Malformed},
        ReplyCase{"middle line without code", Dialect::Smtp, "250-a\r\nfoo\r\n250 b\r\n",
                  Status::Malformed},
        ReplyCase{"letters", Dialect::Smtp, "HTTP/1.1 400 Bad Request\r\n", Status::Malformed},
        ReplyCase{"garbage before newline", Dialect::Smtp, "\x16\x03\x01", Status::Malformed},
        ReplyCase{"code 600", Dialect::Smtp, "600 no\r\n", Status::Malformed},
        ReplyCase{"code 099", Dialect::Smtp, "099 no\r\n", Status::Malformed},
        ReplyCase{"bad separator", Dialect::Smtp, "220x hi\r\n", Status::Malformed},
        ReplyCase{"two digits", Dialect::Smtp, "22\r\n", Status::Malformed},
        ReplyCase{"NUL", Dialect::Smtp, std::string("220 a\0b\r\n", 9), Status::Malformed},
        ReplyCase{"empty", Dialect::Smtp, "", Status::Incomplete},
        ReplyCase{"partial code", Dialect::Smtp, "22", Status::Incomplete},
        ReplyCase{"partial line", Dialect::Smtp, "220 mail", Status::Incomplete},
        ReplyCase{"partial multi-line", Dialect::Smtp, "250-a\r\n250-b\r\n25",
                  Status::Incomplete},
        ReplyCase{"overlong line", Dialect::Smtp, "220 " + kLong, Status::TooLong},
        ReplyCase{"overlong complete line", Dialect::Smtp, "220 " + kLong + "\r\n",
                  Status::TooLong},
        ReplyCase{"endless continuation", Dialect::Smtp,
                  [] {
                    std::string s;
                    while (s.size() < kMaxReply) s += "250-more\r\n";
                    return s;
                  }(),
                  Status::TooLong}));

INSTANTIATE_TEST_SUITE_P(
    Ftp, ReplyTable,
    ::testing::Values(
        ReplyCase{"one line", Dialect::Ftp, "220 FTP ready\r\n", Status::Complete, 220,
                  {"FTP ready"}},
        ReplyCase{"multi-line RFC 959", Dialect::Ftp,
                  "220-Welcome\r\n  to the server\r\n123 not the end\r\n220 ready\r\n",
                  Status::Complete, 220,
                  {"Welcome", "  to the server", "123 not the end", "ready"}},
        ReplyCase{"multi-line repeated prefix", Dialect::Ftp, "230-hello\r\n230-more\r\n230 ok\r\n",
                  Status::Complete, 230, {"hello", "more", "ok"}},
        ReplyCase{"other code with space does not end it", Dialect::Ftp,
                  "220-a\r\n221 b\r\n", Status::Incomplete},
        ReplyCase{"garbage first line", Dialect::Ftp, "SSH-2.0-OpenSSH_9.2\r\n",
                  Status::Malformed},
        ReplyCase{"endless multi-line", Dialect::Ftp,
                  [] {
                    std::string s = "220-start\r\n";
                    while (s.size() < kMaxReply) s += "any text\r\n";
                    return s;
                  }(),
                  Status::TooLong}));

TEST(ReplyParse, SmallMaxIsHonoured) {
  EXPECT_EQ(parseReply("220 0123456789\r\n", Dialect::Smtp, 8).status, Status::TooLong);
  EXPECT_EQ(parseReply("220 0123456789\r\n", Dialect::Smtp, 16).status, Status::Complete);
}

TEST(ReplyParse, ByteByByteGivesTheSameReply) {
  std::string in = "250-a\r\n250-b\r\n250 c\r\n";
  for (std::size_t n = 0; n < in.size(); ++n)
    EXPECT_EQ(parseReply(in.substr(0, n), Dialect::Smtp).status, Status::Incomplete) << n;
  EXPECT_EQ(parseReply(in, Dialect::Smtp).status, Status::Complete);
}

TEST(LineParse, Lines) {
  LineParse p = parseLine("* OK ready\r\nrest");
  ASSERT_EQ(p.status, Status::Complete);
  EXPECT_EQ(p.line, "* OK ready");
  EXPECT_EQ(p.consumed, 12u);
  EXPECT_EQ(parseLine("+OK").status, Status::Incomplete);
  EXPECT_EQ(parseLine(std::string("+O\0K\r\n", 6)).status, Status::Malformed);
  EXPECT_EQ(parseLine(kLong).status, Status::TooLong);
  EXPECT_EQ(parseLine(kLong + "\n").status, Status::TooLong);
  EXPECT_EQ(parseLine("abcdef\n", 4).status, Status::TooLong);
  EXPECT_EQ(parseLine("\n").line, "");
}

TEST(Imap, Greetings) {
  struct {
    const char* line;
    ImapGreeting want;
  } cases[] = {
      {"* OK [CAPABILITY IMAP4rev1] Dovecot ready.", ImapGreeting::Ok},
      {"* ok hi", ImapGreeting::Ok},
      {"* OK", ImapGreeting::Ok},
      {"* PREAUTH logged in", ImapGreeting::Preauth},
      {"* BYE too many connections", ImapGreeting::Bye},
      {"* NO go away", ImapGreeting::Other},
      {"*OK", ImapGreeting::Other},
      {"+OK POP3", ImapGreeting::Other},
      {"* OKAY", ImapGreeting::Other},
      {"", ImapGreeting::Other},
  };
  for (const auto& c : cases) EXPECT_EQ(parseImapGreeting(c.line), c.want) << c.line;
}

TEST(Pop3, Status) {
  struct {
    const char* line;
    Pop3Status want;
  } cases[] = {
      {"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>", Pop3Status::Ok},
      {"+OK", Pop3Status::Ok},
      {"-ERR too busy", Pop3Status::Err},
      {"+ok lower", Pop3Status::Other},
      {"+OKAY", Pop3Status::Other},
      {"* OK imap", Pop3Status::Other},
      {"", Pop3Status::Other},
  };
  for (const auto& c : cases) EXPECT_EQ(parsePop3Status(c.line), c.want) << c.line;
}

TEST(Ehlo, Keywords) {
  Reply r = parseReply("250-mx.example.test STARTTLS hello\r\n250-SIZE 100\r\n250 starttls\r\n",
                       Dialect::Smtp)
                .reply;
  EXPECT_TRUE(ehloHas(r, "STARTTLS"));
  EXPECT_TRUE(ehloHas(r, "size"));
  EXPECT_FALSE(ehloHas(r, "mx.example.test"));  // the greeting line is no keyword
  Reply plain = parseReply("250-mx STARTTLS\r\n250 SIZE\r\n", Dialect::Smtp).reply;
  EXPECT_FALSE(ehloHas(plain, "STARTTLS"));
}

}  // namespace
}  // namespace fail::check::banner

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/text.hh"
#include "proto/list.hh"
#include "proto/request.hh"

namespace fail::proto {
namespace {

Request ok(std::string_view line) {
  Request r;
  Error e;
  EXPECT_TRUE(parseRequest(line, r, e)) << line << ": " << formatError(e);
  return r;
}

// The error code a bad line gets (Internal when the line is accepted).
Errc code(std::string_view line) {
  Request r;
  Error e;
  if (parseRequest(line, r, e)) return Errc::Internal;
  return e.code;
}

std::string message(std::string_view line) {
  Request r;
  Error e;
  EXPECT_FALSE(parseRequest(line, r, e)) << line;
  return e.message;
}

}  // namespace

TEST(RequestParse, ArgumentCounts) {
  struct Case {
    const char* cmd;
    size_t min, max;  // max 99: unbounded
  } cases[] = {{"HELLO", 0, 2}, {"AUTH", 1, 1}, {"PING", 0, 0},  {"QUIT", 0, 0},
               {"GET", 1, 1},   {"LIST", 0, 1}, {"SET", 2, 99},  {"DEL", 1, 1},
               {"WATCH", 0, 2}, {"STATS", 0, 0}, {"DEBUG", 0, 2}};
  for (const auto& c : cases) {
    for (size_t n = 0; n <= 5; ++n) {
      std::string line = c.cmd;
      // Arguments every command takes in every position.
      const char* args[] = {"web1", "UP", "a=1", "b=2", "c=3"};
      if (std::string(c.cmd) == "WATCH") args[1] = "since=5";
      for (size_t i = 0; i < n; ++i) line += std::string(" ") + args[i];
      bool inRange = n >= c.min && n <= c.max;
      if (std::string(c.cmd) == "DEBUG" && n == 1) inRange = false;  // FACILITY needs LEVEL
      Request r;
      Error e;
      bool parsed = parseRequest(line, r, e);
      EXPECT_EQ(parsed, inRange) << line << ": " << formatError(e);
      if (!inRange) {
        EXPECT_EQ(e.code, Errc::Args) << line;
        EXPECT_EQ(e.message.rfind("usage: ", 0), 0u) << line << ": " << e.message;
      }
    }
  }
}

TEST(RequestParse, CommandWordsIgnoreCase) {
  EXPECT_EQ(ok("get web1").cmd, Cmd::Get);
  EXPECT_EQ(ok("Get web1").cmd, Cmd::Get);
  EXPECT_EQ(ok("pInG").cmd, Cmd::Ping);
  EXPECT_EQ(ok("{watch}").cmd, Cmd::Watch);
  EXPECT_EQ(code("GETS web1"), Errc::Unknown);
  EXPECT_EQ(code("GE web1"), Errc::Unknown);
  EXPECT_EQ(code(std::string_view("GET\0 web1", 9)), Errc::Unknown);
  EXPECT_EQ(code("\\x47ET web1"), Errc::Internal);  // escapes are read first: GET
  EXPECT_EQ(message("FROB x"), "unknown command 'FROB'");
  EXPECT_STREQ(cmdName(Cmd::Watch), "WATCH");
  // Only the command word: names and patterns keep their case.
  EXPECT_EQ(ok("get Web1").name, "Web1");
}

TEST(RequestParse, SyntaxErrors) {
  EXPECT_EQ(code(""), Errc::Syntax);
  EXPECT_EQ(code("   \t"), Errc::Syntax);
  EXPECT_EQ(code("GET {web1"), Errc::Syntax);
  EXPECT_EQ(code("GET \"web1"), Errc::Syntax);
  EXPECT_EQ(code("GET {web1}x"), Errc::Syntax);
  EXPECT_EQ(message("GET {web1"), "unmatched open brace in list at byte 4");
  // Invalid UTF-8, also where Tcl would read it and also inside braces.
  EXPECT_EQ(code("GET w\xffx"), Errc::Syntax);
  EXPECT_EQ(code("GET {\xc0\x80}"), Errc::Syntax);
  EXPECT_EQ(code("SET a UP note=\xed\xa0\x80"), Errc::Syntax);  // a surrogate
  EXPECT_EQ(code("SET a UP note=\xf4\x90\x80\x80"), Errc::Syntax);  // above U+10FFFF
  EXPECT_EQ(code("SET a UP note=\xe2\x82"), Errc::Syntax);  // cut short
  EXPECT_EQ(message("PING \xff"), "invalid UTF-8 at byte 5");
  EXPECT_EQ(ok("SET a UP note=\xe2\x82\xac").note, "\xe2\x82\xac");
}

TEST(RequestParse, Names) {
  EXPECT_EQ(ok("GET web1@fra").name, "web1@fra");
  EXPECT_EQ(ok("DEL a.b_c-d:e@f/g").name, "a.b_c-d:e@f/g");
  EXPECT_EQ(ok("GET " + std::string(255, 'n')).name.size(), 255u);
  EXPECT_EQ(code("GET " + std::string(256, 'n')), Errc::BadName);
  EXPECT_EQ(code("GET {}"), Errc::BadName);
  EXPECT_EQ(code("GET {a b}"), Errc::BadName);
  EXPECT_EQ(code("DEL a*"), Errc::BadName);
  EXPECT_EQ(code("SET w\xc3\xa9 UP"), Errc::BadName);
  EXPECT_EQ(code("SET a\\nb UP"), Errc::BadName);
  EXPECT_EQ(message("GET a\\x01b"),
            "invalid name 'a\\x01b': 1-255 of letters, digits and . _ - : @ / are allowed");
}

TEST(RequestParse, States) {
  EXPECT_EQ(ok("SET a UP").state, State::Up);
  EXPECT_EQ(ok("SET a recover").state, State::Recover);
  EXPECT_EQ(ok("SET a Fail").state, State::Fail);
  EXPECT_EQ(ok("SET a unknown").state, State::Unknown);
  EXPECT_EQ(code("SET a DOWN"), Errc::BadState);
  EXPECT_EQ(code("SET a {}"), Errc::BadState);
  EXPECT_EQ(code("SET a UPP"), Errc::BadState);
  EXPECT_EQ(message("SET a DOWN"), "invalid state 'DOWN': UP, RECOVER, FAIL or UNKNOWN");
}

TEST(RequestParse, SetOptions) {
  Request r = ok("SET web1 FAIL ttl=1m30s {note=HTTP 503} at=1763784000000000 latency=12ms");
  EXPECT_EQ(r.cmd, Cmd::Set);
  EXPECT_EQ(r.name, "web1");
  EXPECT_EQ(r.ttlMs, 90000);
  EXPECT_EQ(r.note, "HTTP 503");
  ASSERT_TRUE(r.at);
  EXPECT_EQ(*r.at, 1763784000000000);
  ASSERT_EQ(r.attrs.size(), 1u);
  EXPECT_EQ(r.attrs[0].first, "latency");
  EXPECT_EQ(r.attrs[0].second, "12ms");

  Request plain = ok("SET web1 UP");
  EXPECT_EQ(plain.ttlMs, 0);
  EXPECT_EQ(plain.note, "");
  EXPECT_FALSE(plain.at);
  EXPECT_TRUE(plain.attrs.empty());

  EXPECT_EQ(ok("SET a UP ttl=0").ttlMs, 0);
  EXPECT_EQ(ok("SET a UP ttl=5").ttlMs, 5000);
  EXPECT_EQ(ok("SET a UP ttl=500ms").ttlMs, 500);
  EXPECT_EQ(ok("SET a UP note=").note, "");
  EXPECT_EQ(ok("SET a UP note=a=b").note, "a=b");
  EXPECT_EQ(ok("SET a UP note=HTTP\\ 503\\nbody").note, "HTTP 503\nbody");
  EXPECT_EQ(ok("SET a UP weight=").attrs.at(0).second, "");  // empty value: remove
  EXPECT_EQ(*ok("SET a UP at=0").at, 0);

  EXPECT_EQ(code("SET a UP ttl=x"), Errc::Args);
  EXPECT_EQ(code("SET a UP ttl=-1s"), Errc::Args);
  EXPECT_EQ(code("SET a UP ttl="), Errc::Args);
  EXPECT_EQ(code("SET a UP ttl=99999999999999999999"), Errc::Args);
  EXPECT_EQ(code("SET a UP at=soon"), Errc::Args);
  EXPECT_EQ(code("SET a UP at=-5"), Errc::Args);
  EXPECT_EQ(code("SET a UP at="), Errc::Args);
  EXPECT_EQ(code("SET a UP at=99999999999999999999"), Errc::Args);
  EXPECT_EQ(code("SET a UP bare"), Errc::Args);
  EXPECT_EQ(code("SET a UP =x"), Errc::Args);
  EXPECT_EQ(code("SET a UP {we ight=1}"), Errc::Args);
  EXPECT_EQ(code("SET a UP w\xc3\xa9ight=1"), Errc::Args);
  EXPECT_EQ(code("SET a UP " + std::string(65, 'k') + "=1"), Errc::Args);
  EXPECT_EQ(ok("SET a UP " + std::string(64, 'k') + "=1").attrs.size(), 1u);
  EXPECT_EQ(message("SET a UP bare"), "argument 3 'bare' is not KEY=VALUE");
}

// Issue 10: a ttl so long that it overflowed the microsecond deadline expired at once.
// The longest ttl is 3650d; longer ones are refused with a message naming the bound.
TEST(Request, TtlIsBounded) {
  EXPECT_EQ(ok("SET a UP ttl=3650d").ttlMs, 3650LL * 86'400'000);
  EXPECT_EQ(code("SET a UP ttl=3650d1ms"), Errc::Args);
  EXPECT_EQ(code("SET a UP ttl=200000000d"), Errc::Args);
  EXPECT_NE(message("SET a UP ttl=200000000d").find("longer than 3650d"), std::string::npos)
      << message("SET a UP ttl=200000000d");
}

TEST(RequestParse, SetDuplicatesAndLimits) {
  EXPECT_EQ(code("SET a UP k=1 k=2"), Errc::Args);
  EXPECT_EQ(code("SET a UP k=1 k="), Errc::Args);
  EXPECT_EQ(code("SET a UP ttl=1 ttl=2"), Errc::Args);
  EXPECT_EQ(code("SET a UP note=x note=y"), Errc::Args);
  EXPECT_EQ(code("SET a UP at=1 at=2"), Errc::Args);
  EXPECT_EQ(message("SET a UP ttl=1 ttl=2"), "ttl= given twice");
  EXPECT_EQ(ok("SET a UP k=1 K=2").attrs.size(), 2u);  // keys are case-sensitive

  std::string line = "SET a UP";
  for (size_t i = 0; i < kMaxAttrs; ++i) line += " k" + std::to_string(i) + "=v";
  EXPECT_EQ(ok(line).attrs.size(), kMaxAttrs);
  EXPECT_EQ(code(line + " one=more"), Errc::Args);

  EXPECT_EQ(ok("SET a UP note=" + std::string(kMaxNote, 'n')).note.size(), kMaxNote);
  EXPECT_EQ(code("SET a UP note=" + std::string(kMaxNote + 1, 'n')), Errc::Args);
  EXPECT_EQ(ok("SET a UP k=" + std::string(kMaxAttrValue, 'v')).attrs[0].second.size(),
            kMaxAttrValue);
  EXPECT_EQ(code("SET a UP k=" + std::string(kMaxAttrValue + 1, 'v')), Errc::Args);
}

TEST(RequestParse, ListAndWatch) {
  EXPECT_EQ(ok("LIST").pattern, "*");
  EXPECT_EQ(ok("LIST web*").pattern, "web*");
  Request w = ok("WATCH");
  EXPECT_EQ(w.cmd, Cmd::Watch);
  EXPECT_EQ(w.pattern, "*");
  EXPECT_FALSE(w.since);
  w = ok("WATCH web*");
  EXPECT_EQ(w.pattern, "web*");
  EXPECT_FALSE(w.since);
  w = ok("WATCH since=42");
  EXPECT_EQ(w.pattern, "*");
  EXPECT_EQ(*w.since, 42u);
  w = ok("WATCH web* since=18446744073709551615");
  EXPECT_EQ(w.pattern, "web*");
  EXPECT_EQ(*w.since, 18446744073709551615u);
  w = ok("WATCH since=0 db*");
  EXPECT_EQ(w.pattern, "db*");
  EXPECT_EQ(*w.since, 0u);
  EXPECT_EQ(code("WATCH since="), Errc::Args);
  EXPECT_EQ(code("WATCH since=-1"), Errc::Args);
  EXPECT_EQ(code("WATCH since=x"), Errc::Args);
  EXPECT_EQ(code("WATCH since=18446744073709551616"), Errc::Args);
  EXPECT_EQ(code("WATCH since=1 since=2"), Errc::Args);
  EXPECT_EQ(code("WATCH a b"), Errc::Args);
}

TEST(RequestParse, HelloNameIsPrintableAndBounded) {
  EXPECT_EQ(ok("HELLO alice").client, "alice");
  EXPECT_EQ(ok("HELLO hc@fra.example").client, "hc@fra.example");
  EXPECT_EQ(ok("HELLO " + std::string(kMaxClientName, 'a')).client, std::string(kMaxClientName, 'a'));
  EXPECT_EQ(code("HELLO " + std::string(kMaxClientName + 1, 'a')), Errc::Args);
  EXPECT_EQ(code("HELLO {}"), Errc::Args);
  EXPECT_EQ(code("HELLO {two words}"), Errc::Args);
  EXPECT_EQ(code("HELLO {tab\there}"), Errc::Args);
  EXPECT_EQ(code("HELLO caf\xc3\xa9"), Errc::Args);  // printable ASCII only
  Error err;
  Request r;
  EXPECT_FALSE(parseRequest("HELLO {a b} 1.0", r, err));
  EXPECT_NE(err.message.find("invalid client name 'a b'"), std::string::npos) << err.message;
  EXPECT_TRUE(validClientName("failsh"));
  EXPECT_FALSE(validClientName(""));
}

TEST(RequestParse, HelloAuthDebug) {
  Request h = ok("HELLO failc 0.1.0");
  EXPECT_EQ(h.cmd, Cmd::Hello);
  EXPECT_EQ(h.client, "failc");
  EXPECT_EQ(h.version, "0.1.0");
  EXPECT_EQ(ok("HELLO").client, "");
  EXPECT_EQ(ok("AUTH {s3cr3t $[x] }").secret, "s3cr3t $[x] ");
  Request d = ok("DEBUG");
  EXPECT_EQ(d.cmd, Cmd::Debug);
  EXPECT_EQ(d.facility, "");
  EXPECT_EQ(d.level, "");
  d = ok("debug proto debug");
  EXPECT_EQ(d.facility, "proto");
  EXPECT_EQ(d.level, "debug");
  EXPECT_EQ(code("DEBUG proto"), Errc::Args);
  EXPECT_EQ(ok("STATS").cmd, Cmd::Stats);
  EXPECT_EQ(ok("QUIT").cmd, Cmd::Quit);
}

TEST(RequestParse, HistoryAndReport) {
  Request h = ok("HISTORY www");
  EXPECT_EQ(h.cmd, Cmd::History);
  EXPECT_EQ(h.pattern, "www");
  EXPECT_FALSE(h.from);
  EXPECT_FALSE(h.until);
  EXPECT_EQ(h.limit, 0u);
  h = ok("history web* since=1h30m until=1763784000000000 limit=50");
  EXPECT_EQ(h.pattern, "web*");
  EXPECT_EQ(h.from, (TimeArg{true, 5'400'000'000}));
  EXPECT_EQ(h.until, (TimeArg{false, 1'763'784'000'000'000}));
  EXPECT_EQ(h.from->at(10'000'000'000), 4'600'000'000);
  EXPECT_EQ(h.until->at(10'000'000'000), 1'763'784'000'000'000);
  EXPECT_EQ(h.limit, 50u);
  EXPECT_EQ(ok("HISTORY * since=0").from, (TimeArg{false, 0}));
  // The forms the HTTP API takes too (proto::parseTimeArg).
  EXPECT_EQ(ok("HISTORY * since=-5m").from, (TimeArg{true, 300'000'000}));
  EXPECT_EQ(ok("HISTORY * since=@1700000000").from, (TimeArg{false, 1'700'000'000'000'000}));
  EXPECT_EQ(ok("HISTORY * since=2026-12-07T10:00:00.25Z").from, (TimeArg{false, 1'796'637'600'250'000}));
  EXPECT_EQ(ok("REPORT * until=2026-12-07").until, (TimeArg{false, 1'796'601'600'000'000}));
  Request r = ok("REPORT * since=30d");
  EXPECT_EQ(r.cmd, Cmd::Report);
  EXPECT_EQ(r.from, (TimeArg{true, 30LL * 86'400'000'000}));
  EXPECT_EQ(code("HISTORY"), Errc::Args);                      // the pattern is required
  EXPECT_EQ(code("REPORT * limit=5"), Errc::Args);             // REPORT has no limit
  EXPECT_EQ(code("HISTORY * limit=0"), Errc::Args);
  EXPECT_EQ(code("HISTORY * limit=10001"), Errc::Args);
  EXPECT_EQ(ok("HISTORY * limit=10000").limit, 10'000u);
  EXPECT_EQ(code("HISTORY * since=1h since=2h"), Errc::Args);
  EXPECT_EQ(code("HISTORY * since=yesterday"), Errc::Args);
  EXPECT_EQ(code("HISTORY * since=-5m5"), Errc::Args);  // a duration ends in its unit
  EXPECT_EQ(code("HISTORY * since=2026-13-01"), Errc::Args);
  EXPECT_EQ(code("HISTORY * since=@"), Errc::Args);
  EXPECT_EQ(code("HISTORY * since=36501d"), Errc::Args);       // longer than 100 years
  EXPECT_EQ(code("HISTORY * since=99999999999999999999"), Errc::Args);
  EXPECT_EQ(code("HISTORY * www"), Errc::Args);                // one pattern
  EXPECT_EQ(code("REPORT * since=1d until=1h extra=1"), Errc::Args);
  Error e;
  Request x;
  EXPECT_FALSE(parseRequest("HISTORY * since=soon", x, e));
  EXPECT_NE(e.message.find("since='soon'"), std::string::npos) << e.message;
  EXPECT_FALSE(parseRequest("REPORT * limit=3", x, e));
  EXPECT_NE(e.message.find("unknown option 'limit' (since, until); usage: REPORT"), std::string::npos)
      << e.message;
  // One option at a time, as the HTTP API reads its query parameters.
  Request q;
  q.cmd = Cmd::History;
  EXPECT_TRUE(parseHistoryOption("since", "2h", q, e));
  EXPECT_TRUE(parseHistoryOption("limit", "7", q, e));
  EXPECT_EQ(q.from, (TimeArg{true, 7'200'000'000}));
  EXPECT_EQ(q.limit, 7u);
  EXPECT_FALSE(parseHistoryOption("since", "1h", q, e));  // twice
  EXPECT_FALSE(parseHistoryOption("pattern", "x", q, e));
  EXPECT_EQ(e.code, Errc::Args);
}

TEST(RequestParse, AFailedParseLeavesNoStaleFields) {
  Request r;
  Error e;
  ASSERT_TRUE(parseRequest("SET a UP note=x k=v", r, e));
  ASSERT_TRUE(parseRequest("GET b", r, e));
  EXPECT_EQ(r.note, "");
  EXPECT_TRUE(r.attrs.empty());
}

TEST(RequestError, FormatIsAListStartingWithErrCode) {
  std::vector<std::string> lines = {"", "FROB", "GET {", "GET a b", "GET a\\x01\\n",
                                    "SET a DOWN", "SET a UP \\x7fk=1", "GET \xff",
                                    "x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 y",
                                    "GET {a  {b}  \"c\"}"};
  for (const auto& line : lines) {
    Request r;
    Error e;
    ASSERT_FALSE(parseRequest(line, r, e)) << line;
    std::string out = formatError(e);
    std::vector<std::string> w;
    ASSERT_TRUE(splitList(out, w)) << out;
    ASSERT_GE(w.size(), 2u) << out;
    EXPECT_EQ(w[0], "ERR");
    EXPECT_EQ(w[1], errcName(e.code));
    EXPECT_TRUE(validUtf8(out)) << out;
    for (unsigned char c : out) EXPECT_GE(c, 0x20) << out;
    // The words after the code are the message's words.
    std::string joined;
    for (size_t i = 2; i < w.size(); ++i) joined += (i > 2 ? " " : "") + w[i];
    if (validUtf8(e.message)) {
      std::string collapsed;
      for (size_t i = 0; i < e.message.size(); ++i) {
        if (e.message[i] == ' ' && (collapsed.empty() || collapsed.back() == ' ')) continue;
        collapsed += e.message[i];
      }
      if (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
      EXPECT_EQ(joined, collapsed) << out;
    }
  }
  Error e{Errc::NotFound, "no record  'web1'"};
  EXPECT_EQ(formatError(e), "ERR NOTFOUND no record 'web1'");
  EXPECT_EQ(formatError({Errc::Busy, ""}), "ERR BUSY");
  EXPECT_EQ(formatError({Errc::Args, "a {b} \\"}), "ERR ARGS a \\{b\\} \\\\");
  const Errc all[] = {Errc::Syntax, Errc::Unknown,  Errc::Args,   Errc::BadName, Errc::BadState,
                      Errc::NotFound, Errc::NeedAuth, Errc::Denied, Errc::TooLong, Errc::Busy,
                      Errc::Gone,   Errc::Slow,     Errc::Storage, Errc::Internal,
                      Errc::Unavailable};
  const char* names[] = {"SYNTAX", "UNKNOWN",  "ARGS",   "BADNAME", "BADSTATE",
                         "NOTFOUND", "NEEDAUTH", "DENIED", "TOOLONG", "BUSY",
                         "GONE",   "SLOW",     "STORAGE", "INTERNAL",
                         "UNAVAILABLE"};
  for (size_t i = 0; i < std::size(all); ++i) EXPECT_STREQ(errcName(all[i]), names[i]);
}

// Lines without a brace, quote or backslash are split in place (the fast path); the
// same request written with list quoting (splitList) must parse to the same fields, and
// a line with more words than the fast path holds must be read as before.
TEST(RequestParse, PlainAndQuotedLinesAgree) {
  auto same = [](std::string_view plain, std::string_view quoted) {
    Request a = ok(plain), b = ok(quoted);
    EXPECT_EQ(a.cmd, b.cmd) << plain;
    EXPECT_EQ(a.name, b.name) << plain;
    EXPECT_EQ(a.pattern, b.pattern) << plain;
    EXPECT_EQ(a.state, b.state) << plain;
    EXPECT_EQ(a.ttlMs, b.ttlMs) << plain;
    EXPECT_EQ(a.note, b.note) << plain;
    EXPECT_EQ(a.attrs, b.attrs) << plain;
    EXPECT_EQ(a.since, b.since) << plain;
  };
  same("get web1", "GET {web1}");
  same("  Get\tweb1 \r", "GET \"web1\"");
  same("SET web1 up ttl=5s note=x a=1 b=", "SET web1 UP {ttl=5s} \"note=x\" a\\=1 b=");
  same("WATCH web* since=7", "WATCH {web*} since\\=7");
  same("LIST", "LIST *");
  EXPECT_EQ(code("GETX web1"), Errc::Unknown);
  EXPECT_EQ(code("GET\x01 web1"), Errc::Unknown);
  EXPECT_EQ(message("gEt"), "usage: GET NAME");
  EXPECT_EQ(code("GET w\xc3"), Errc::Syntax);
  EXPECT_EQ(code("   "), Errc::Syntax);
  std::string many = "SET web1 UP";
  for (int i = 0; i < 50; ++i) many += " k" + std::to_string(i) + "=v";
  EXPECT_EQ(message(many), "more than 32 attributes");
  std::string fits = "SET web1 UP";
  for (int i = 0; i < 32; ++i) fits += " k" + std::to_string(i) + "=v";
  EXPECT_EQ(ok(fits + " ttl=1s note=n at=5").attrs.size(), 32u);
}

// The fast path against splitList on random lines: each word of a plain line wrapped in
// braces is read by splitList as the same word, so both must give the same request (or
// the same error, where the message names no byte offset).
TEST(RequestParse, FastPathMatchesSplitList) {
  const std::vector<std::string> pieces = {
      "GET", "get", "SET", "DEL", "WATCH", "LIST", "HELLO", "PING", "STATS", "DEBUG", "AUTH",
      "web1", "a.b-c", "UP", "fail", "RECOVER", "ttl=5s", "ttl=x", "note=hi", "note=",
      "at=12", "since=3", "since=x", "k=v", "k=", "=v", "*", "w-*", "x\xc3\xa9", "\xff",
      "bad!name", "\x01", "main", "debug", "n\xe2\x82\xac"};
  const std::string seps[] = {" ", "  ", "\t", " \r "};
  std::uint32_t seed = 12345;
  auto next = [&](std::uint32_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % n;
  };
  for (int round = 0; round < 5000; ++round) {
    std::string plain, braced;
    size_t words = 1 + next(6);
    for (size_t i = 0; i < words; ++i) {
      const std::string& sep = seps[next(4)];
      const std::string& w = pieces[next(static_cast<std::uint32_t>(pieces.size()))];
      plain += sep + w;
      braced += sep + "{" + w + "}";
    }
    Request a, b;
    Error ea, eb;
    bool oa = parseRequest(plain, a, ea), ob = parseRequest(braced, b, eb);
    ASSERT_EQ(oa, ob) << plain << " | " << ea.message << " | " << eb.message;
    if (!oa) {
      EXPECT_EQ(ea.code, eb.code) << plain;
      if (ea.message.find("at byte") == std::string::npos) {
        EXPECT_EQ(ea.message, eb.message) << plain;
      }
      continue;
    }
    EXPECT_EQ(a.cmd, b.cmd) << plain;
    EXPECT_EQ(a.name, b.name) << plain;
    EXPECT_EQ(a.pattern, b.pattern) << plain;
    EXPECT_EQ(a.state, b.state) << plain;
    EXPECT_EQ(a.ttlMs, b.ttlMs) << plain;
    EXPECT_EQ(a.note, b.note) << plain;
    EXPECT_EQ(a.at, b.at) << plain;
    EXPECT_EQ(a.attrs, b.attrs) << plain;
    EXPECT_EQ(a.since, b.since) << plain;
    EXPECT_EQ(a.secret, b.secret) << plain;
    EXPECT_EQ(a.client, b.client) << plain;
    EXPECT_EQ(a.facility, b.facility) << plain;
    EXPECT_EQ(a.level, b.level) << plain;
  }
}

}  // namespace fail::proto

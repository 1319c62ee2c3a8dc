// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The HTTP/1.x response parser and URL helpers behind the http probe: framing, bounds,
// malformed input, and feeding in arbitrary pieces.
#include "check/http_parse.hh"

#include <gtest/gtest.h>

#include <string>

namespace fail::check::http {
namespace {

using Result = ResponseParser::Result;

// Feeds `text` whole, then (when `eof`) the close.
Result parseAll(ResponseParser& p, std::string_view text, bool eof = false, bool head = false,
                std::size_t maxBody = 65536) {
  p.reset(head, maxBody, true);
  Result r = p.feed(text);
  if (r == Result::NeedMore && eof) r = p.finish();
  return r;
}

// Feeds `text` in pieces of `step` bytes; the outcome must be the same as whole.
Result parsePieces(ResponseParser& p, std::string_view text, std::size_t step, bool eof = false) {
  p.reset(false, 65536, true);
  Result r = Result::NeedMore;
  for (std::size_t i = 0; i < text.size() && r == Result::NeedMore; i += step)
    r = p.feed(text.substr(i, step));
  if (r == Result::NeedMore && eof) r = p.finish();
  return r;
}

TEST(HttpParse, ContentLength) {
  ResponseParser p;
  std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello";
  EXPECT_EQ(parseAll(p, resp), Result::Done);
  EXPECT_EQ(p.status(), 200);
  EXPECT_EQ(p.minorVersion(), 1);
  EXPECT_EQ(p.body(), "hello");
  EXPECT_FALSE(p.truncated());
  for (std::size_t step : {1, 2, 3, 7, 16}) {
    EXPECT_EQ(parsePieces(p, resp, step), Result::Done) << step;
    EXPECT_EQ(p.body(), "hello") << step;
  }
  // Bytes after the end are ignored.
  EXPECT_EQ(parseAll(p, resp + "HTTP/1.1 500 x\r\n"), Result::Done);
  EXPECT_EQ(p.status(), 200);
  EXPECT_EQ(p.feed("more"), Result::Done);
}

TEST(HttpParse, NeedsTheWholeBody) {
  ResponseParser p;
  EXPECT_EQ(parseAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"), Result::NeedMore);
  EXPECT_TRUE(p.headersDone());
  EXPECT_EQ(p.finish(), Result::Error);
  EXPECT_STREQ(p.error(), "response cut short");
}

TEST(HttpParse, CloseDelimitedAndLfOnly) {
  ResponseParser p;
  EXPECT_EQ(parseAll(p, "HTTP/1.0 200 OK\nServer: old\n\nsome body", true), Result::Done);
  EXPECT_EQ(p.minorVersion(), 0);
  EXPECT_EQ(p.body(), "some body");
}

TEST(HttpParse, Chunked) {
  ResponseParser p;
  std::string resp =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\n";
  EXPECT_EQ(parseAll(p, resp), Result::Done);
  EXPECT_EQ(p.body(), "helloabcdefghijklmnopqrstuvwxyz");
  for (std::size_t step : {1, 2, 5, 9}) {
    EXPECT_EQ(parsePieces(p, resp, step), Result::Done) << step;
    EXPECT_EQ(p.body(), "helloabcdefghijklmnopqrstuvwxyz") << step;
  }
  // Transfer-Encoding wins over Content-Length.
  EXPECT_EQ(parseAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "2\r\nok\r\n0\r\n\r\n"),
            Result::Done);
  EXPECT_EQ(p.body(), "ok");
  // A coding other than chunked last: delimited by the close.
  EXPECT_EQ(parseAll(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nzz", true), Result::Done);
  EXPECT_EQ(p.body(), "zz");
}

TEST(HttpParse, BadChunks) {
  ResponseParser p;
  std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(parseAll(p, head + "zz\r\n"), Result::Error);
  EXPECT_EQ(parseAll(p, head + "2\r\nokX\r\n"), Result::Error);
  EXPECT_EQ(parseAll(p, head + "fffffffffffffffffff\r\n"), Result::Error);
  EXPECT_EQ(parseAll(p, head + std::string(2000, '1')), Result::Error);
  EXPECT_EQ(parseAll(p, head + "5\r\nhel", true), Result::Error);
}

TEST(HttpParse, NoBody) {
  ResponseParser p;
  EXPECT_EQ(parseAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", false, true), Result::Done);
  EXPECT_EQ(p.bodyBytes(), 0u);
  EXPECT_EQ(parseAll(p, "HTTP/1.1 204 No Content\r\n\r\n"), Result::Done);
  EXPECT_EQ(parseAll(p, "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"), Result::Done);
  EXPECT_EQ(parseAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), Result::Done);
}

TEST(HttpParse, InterimResponsesAreSkipped) {
  ResponseParser p;
  EXPECT_EQ(parseAll(p, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
                        "HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n"),
            Result::Done);
  EXPECT_EQ(p.status(), 302);
  EXPECT_EQ(p.location(), "/next");
}

TEST(HttpParse, StatusLines) {
  ResponseParser p;
  EXPECT_EQ(parseAll(p, "HTTP/1.1 503\r\n\r\n", true), Result::Done);
  EXPECT_EQ(p.status(), 503);
  EXPECT_EQ(parseAll(p, "HTTP/1.1 404 \r\n\r\n", true), Result::Done);
  for (const char* bad : {"HTTP/2.0 200 OK\r\n", "HTTP/1.1 20 OK\r\n", "HTTP/1.1 600 X\r\n",
                          "HTTP/1.1 099 X\r\n", "HTTP/1.1 2000 X\r\n", "HTTP/1.1  200 X\r\n",
                          "http/1.1 200 OK\r\n", "HTTP/1.1\r\n", "\r\n"}) {
    EXPECT_EQ(parseAll(p, bad), Result::Error) << bad;
    EXPECT_EQ(p.status() != 0 && p.headersDone(), false);
  }
}

TEST(HttpParse, GarbageIsRefusedAtOnce) {
  ResponseParser p;
  p.reset(false, 65536, false);
  EXPECT_EQ(p.feed("HT"), Result::NeedMore);
  EXPECT_EQ(p.feed("X"), Result::Error);
  EXPECT_STREQ(p.error(), "not an HTTP response");
  EXPECT_EQ(p.feed("HTTP/1.1 200 OK\r\n\r\n"), Result::Error);  // final
  EXPECT_EQ(parseAll(p, "SSH-2.0-OpenSSH_9.2\r\n"), Result::Error);
}

TEST(HttpParse, BadHeaders) {
  ResponseParser p;
  for (const char* bad : {"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "HTTP/1.1 200 OK\r\n: empty\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n"})
    EXPECT_EQ(parseAll(p, bad), Result::Error) << bad;
  EXPECT_EQ(parseAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok"), Result::Done);
  EXPECT_EQ(parseAll(p, "HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 2\r\n\r\nok"), Result::Done);
}

TEST(HttpParse, HeaderSizeIsBounded) {
  ResponseParser p;
  std::string big = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(ResponseParser::kMaxHeaderBytes, 'a');
  EXPECT_EQ(parseAll(p, big), Result::Error);
  EXPECT_STREQ(p.error(), "header too large");
  EXPECT_EQ(parsePieces(p, big, 100), Result::Error);
  // Many small fields add up too.
  std::string many = "HTTP/1.1 200 OK\r\n";
  while (many.size() < ResponseParser::kMaxHeaderBytes + 100) many += "X-Field: value\r\n";
  EXPECT_EQ(parseAll(p, many), Result::Error);
  // Just under the bound is fine.
  std::string fits = "HTTP/1.1 200 OK\r\nX: ";
  fits += std::string(ResponseParser::kMaxHeaderBytes - fits.size() - 4, 'b') + "\r\n\r\n";
  EXPECT_EQ(parseAll(p, fits, true), Result::Done);
  std::string over = fits;
  over.insert(20, "b");  // one byte more
  EXPECT_EQ(parseAll(p, over, true), Result::Error);
}

TEST(HttpParse, BodyIsBounded) {
  ResponseParser p;
  std::string big(100000, 'x');
  EXPECT_EQ(parseAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + big, false, false, 1000),
            Result::Done);
  EXPECT_TRUE(p.truncated());
  EXPECT_EQ(p.body().size(), 1000u);
  EXPECT_EQ(parseAll(p, "HTTP/1.1 200 OK\r\n\r\n" + big, false, false, 1000), Result::Done);
  EXPECT_TRUE(p.truncated());
  EXPECT_EQ(parseAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + big, false, false, 1000),
            Result::Done);
  EXPECT_FALSE(p.truncated());
  EXPECT_EQ(parseAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false, false, 0), Result::Done);
  EXPECT_TRUE(p.truncated());
  // Not kept: only counted.
  p.reset(false, 50, false);
  EXPECT_EQ(p.feed("HTTP/1.1 200 OK\r\n\r\n" + big), Result::Done);
  EXPECT_EQ(p.bodyBytes(), 50u);
  EXPECT_TRUE(p.body().empty());
}

TEST(HttpParse, EndOfStream) {
  ResponseParser p;
  p.reset(false, 100, false);
  EXPECT_EQ(p.finish(), Result::Error);
  EXPECT_EQ(p.received(), 0u);
  EXPECT_STREQ(p.error(), "no response");
  EXPECT_EQ(parseAll(p, "HTTP/1.1 200 OK\r\nServer", true), Result::Error);
  EXPECT_STREQ(p.error(), "response cut short");
}

TEST(HttpUrl, Parse) {
  Url u;
  ASSERT_TRUE(parseUrl("http://Example.COM/health?x=1#frag", u));
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 80);
  EXPECT_EQ(u.target, "/health?x=1");
  EXPECT_EQ(u.authority(), "example.com");
  ASSERT_TRUE(parseUrl("HTTPS://www.example.com:8443", u));
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.target, "/");
  EXPECT_EQ(u.authority(), "www.example.com:8443");
  ASSERT_TRUE(parseUrl("https://[::1]:443?q", u));
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.target, "/?q");
  EXPECT_EQ(u.authority(), "[::1]");
  ASSERT_TRUE(parseUrl("http://127.0.0.1:80/", u));
  EXPECT_TRUE(u.defaultPort);

  std::string why;
  for (const char* bad : {"ftp://x/", "example.com/", "http://", "http://:80/", "http://x:0/", "http://x:70000/",
                          "http://x:/", "http://user:pw@x/", "http://x/a b", "http://[::1/", "http://a!b/"}) {
    EXPECT_FALSE(parseUrl(bad, u, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(HttpUrl, Location) {
  Url base, out;
  ASSERT_TRUE(parseUrl("http://h:8080/a/b?x", base));
  ASSERT_TRUE(resolveLocation(base, "/c", out));
  EXPECT_TRUE(out.sameOrigin(base));
  EXPECT_EQ(out.target, "/c");
  ASSERT_TRUE(resolveLocation(base, "d?y", out));
  EXPECT_EQ(out.target, "/a/d?y");
  ASSERT_TRUE(resolveLocation(base, "?z", out));
  EXPECT_EQ(out.target, "/a/b?z");
  ASSERT_TRUE(resolveLocation(base, "http://H:8080/e", out));
  EXPECT_TRUE(out.sameOrigin(base));
  EXPECT_EQ(out.target, "/e");
  ASSERT_TRUE(resolveLocation(base, "https://h:8080/e", out));
  EXPECT_FALSE(out.sameOrigin(base));
  ASSERT_TRUE(resolveLocation(base, "//other:8080/f", out));
  EXPECT_FALSE(out.sameOrigin(base));
  ASSERT_TRUE(resolveLocation(base, "http://h/e", out));
  EXPECT_FALSE(out.sameOrigin(base));  // port 80
  EXPECT_FALSE(resolveLocation(base, "", out));
  EXPECT_FALSE(resolveLocation(base, "/with space", out));
}

}  // namespace
}  // namespace fail::check::http

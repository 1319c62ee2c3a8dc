// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: the http probe's response parser (and its URL helpers) on arbitrary
// bytes. The first three bytes choose the settings: flags (bit 0 HEAD, bit 1 keep the
// body, bit 2 end with the peer's close), the body bound, and the size of the pieces fed;
// the rest is the response. Checked: the bounds hold, the result does not depend on how
// the bytes were split, a final state stays final, and URLs that parse are well formed.
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hh"
#include "check/http_parse.hh"

namespace {

using fail::check::http::ResponseParser;
using fail::check::http::Url;
using Result = ResponseParser::Result;

struct Outcome {
  Result result;
  int status;
  bool truncated;
  std::size_t bodyBytes;
  std::string body, location, error;
};

Outcome run(ResponseParser& p, std::string_view in, std::size_t step, bool head, bool keep,
            std::size_t maxBody, bool eof) {
  p.reset(head, maxBody, keep);
  Result r = Result::NeedMore;
  std::size_t fed = 0;
  for (std::size_t i = 0; i < in.size(); i += step) {
    std::string_view piece = in.substr(i, step);
    Result before = p.result();
    r = p.feed(piece);
    if (before != Result::NeedMore) FUZZ_CHECK(r == before);  // final stays final
    if (before == Result::NeedMore) fed += piece.size();
  }
  FUZZ_CHECK(p.received() == fed);
  if (eof) r = p.finish();
  FUZZ_CHECK(r == p.result());
  FUZZ_CHECK(p.bodyBytes() <= maxBody);
  FUZZ_CHECK(keep ? p.body().size() == p.bodyBytes() : p.body().empty());
  FUZZ_CHECK(p.location().size() <= ResponseParser::kMaxHeaderBytes);
  if (r == Result::Done) {
    FUZZ_CHECK(p.headersDone());
    FUZZ_CHECK(p.status() == 101 || (p.status() >= 200 && p.status() <= 599));
    FUZZ_CHECK(p.minorVersion() >= 0 && p.minorVersion() <= 9);
    if (head) FUZZ_CHECK(p.bodyBytes() == 0);
    if (p.truncated()) FUZZ_CHECK(p.bodyBytes() == maxBody);
    FUZZ_CHECK(std::string_view(p.error()).empty());
  } else if (r == Result::Error) {
    FUZZ_CHECK(!std::string_view(p.error()).empty());
  }
  return {r, p.status(), p.truncated(), p.bodyBytes(), std::string(p.body()), std::string(p.location()),
          p.error()};
}

void checkUrl(const Url& u) {
  FUZZ_CHECK(!u.host.empty());
  FUZZ_CHECK(u.port >= 1);
  FUZZ_CHECK(!u.target.empty() && u.target.front() == '/');
  for (char c : u.target) FUZZ_CHECK(c > ' ' && c < 0x7f && c != '#');
  // The request line and Host header built from it read back as the same URL.
  Url again;
  std::string text = std::string(u.tls ? "https://" : "http://") + u.authority() + u.target;
  FUZZ_CHECK(fail::check::http::parseUrl(text, again));
  FUZZ_CHECK(again.sameOrigin(u) && again.target == u.target && again.defaultPort == u.defaultPort);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const bool head = data[0] & 1, keep = data[0] & 2, eof = data[0] & 4;
  const std::size_t maxBody = data[1] == 255 ? 65536 : data[1] * 7u;
  const std::size_t step = 1 + data[2] % 64;
  std::string_view in(reinterpret_cast<const char*>(data + 3), size - 3);

  static ResponseParser whole, pieces;  // reused, as a probe reuses its parser
  Outcome a = run(whole, in, in.size() + 1, head, keep, maxBody, eof);
  Outcome b = run(pieces, in, step, head, keep, maxBody, eof);
  FUZZ_CHECK(a.result == b.result);
  FUZZ_CHECK(a.status == b.status && a.truncated == b.truncated && a.bodyBytes == b.bodyBytes);
  FUZZ_CHECK(a.body == b.body && a.location == b.location && a.error == b.error);
  whole.shrink(64);

  Url base, out;
  if (fail::check::http::parseUrl(in, out)) checkUrl(out);
  if (fail::check::http::parseUrl("http://h:81/a/b?c", base) &&
      fail::check::http::resolveLocation(base, a.location.empty() ? in : a.location, out))
    checkUrl(out);
  return 0;
}

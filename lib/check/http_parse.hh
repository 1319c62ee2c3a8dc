// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// HTTP/1.x for the http and https probes: an incremental, bounded response parser
// (RFC 9112) and the URL forms the probe meets (-url, Location). No I/O here, no
// dependency beyond the standard library (the fuzz target compiles this file alone).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fail::check::http {

// Parses the response to one request, fed in pieces as they arrive. Memory is bounded:
// a line split across two feeds (at most kMaxHeaderBytes), the Location value, and the
// body when asked to keep it (at most maxBody). reset() keeps the buffers' capacity, so a
// parser reused by one probe does not allocate per attempt once warmed up.
//
// Framing follows RFC 9112 section 6.3 for a response: no body after HEAD, 1xx, 204 and
// 304; chunked when Transfer-Encoding ends in "chunked"; close-delimited for any other
// Transfer-Encoding; else Content-Length (conflicting values are an error); else until
// the peer closes. Interim 1xx responses (but 101) are skipped. Lines may end in LF or
// CRLF. Obsolete line folding is accepted and ignored.
class ResponseParser {
 public:
  enum class Result : std::uint8_t { NeedMore, Done, Error };
  // Status line, header fields and trailer fields together, interim responses included.
  static constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
  static constexpr std::size_t kMaxChunkLine = 1024;  // chunk size and extensions

  ResponseParser() { reset(false, 64 * 1024, false); }

  // Prepares for a new response. `head`: the request was HEAD, so no body follows.
  // `maxBody`: body bytes to take at most; reaching it ends the response (truncated()).
  // `keepBody`: keep the body bytes for body(); otherwise they are only counted.
  void reset(bool head, std::size_t maxBody, bool keepBody);

  // Takes the next bytes. Done once the response is complete (or maxBody reached); later
  // bytes are ignored. Error is final, with error() saying why.
  Result feed(std::string_view bytes);
  // The peer closed the connection: ends a close-delimited body (Done); a response cut
  // short is an Error.
  Result finish();

  Result result() const;
  int status() const { return status_; }         // the final status code, 0 until read
  int minorVersion() const { return minor_; }    // HTTP/1.x
  bool headersDone() const;                      // the final response's header is read
  bool truncated() const { return truncated_; }  // Done because maxBody was reached
  std::string_view location() const { return location_; }  // "" when absent
  std::string_view body() const { return body_; }          // kept bytes (keepBody)
  std::size_t bodyBytes() const { return bodyBytes_; }     // body bytes taken (kept or not)
  std::size_t received() const { return received_; }       // every byte fed so far
  const char* error() const { return error_; }             // "" unless Error; for logs

  // Frees buffers grown beyond `keep` bytes by a large response (between attempts, so
  // that an idle check holds little memory).
  void shrink(std::size_t keep);

 private:
  enum class State : std::uint8_t {
    StatusLine, Headers, Body, BodyToClose, ChunkSize, ChunkData, ChunkEnd, Trailers, Done, Error
  };
  enum class Line : std::uint8_t { Got, More, TooLong };

  Result fail(const char* why);
  Line takeLine(std::string_view& in, std::string_view& line, std::size_t limit);
  bool statusLine(std::string_view line);
  bool headerLine(std::string_view line);
  bool contentLength(std::string_view value);
  void transferEncoding(std::string_view value);
  Result endOfHeaders();
  bool chunkSize(std::string_view line);
  void takeBody(std::string_view& in);
  void startResponse();

  State state_ = State::StatusLine;
  bool head_ = false, keepBody_ = false;
  bool hasTe_ = false, chunked_ = false, truncated_ = false;
  int status_ = 0, minor_ = 0;
  std::int64_t contentLength_ = -1;
  std::uint64_t remaining_ = 0;  // bytes of the body (Body) or chunk (ChunkData) to come
  std::size_t maxBody_ = 0, bodyBytes_ = 0, headerBytes_ = 0, received_ = 0;
  std::size_t lineBytes_ = 0;  // the raw length of the line takeLine() returned last
  std::string line_;  // the start of a line whose end has not arrived yet
  std::string location_, body_;
  const char* error_ = "";
};

// An http:// or https:// URL, split for a request.
struct Url {
  bool tls = false;
  std::string host;           // lower case, IPv6 without brackets
  std::uint16_t port = 0;     // given, or the scheme's default
  bool defaultPort = true;    // no port was given, or the scheme's own
  std::string target;         // path and query, "/" at least; the fragment dropped

  // The Host header's value: "host", "[v6]", with ":port" unless defaultPort.
  std::string authority() const;
  // Same scheme, host and port.
  bool sameOrigin(const Url& o) const { return tls == o.tls && host == o.host && port == o.port; }
};

// Parses an absolute http:// or https:// URL. On failure returns false and sets *why
// (when given) to words for a configuration error. User information ("user:pw@") is
// refused: credentials belong in a -header.
bool parseUrl(std::string_view text, Url& out, std::string* why = nullptr);

// Resolves a Location field against the URL of the request that got it: an absolute
// URL, "//authority/path", "/path" or a relative path (RFC 3986 section 5.2, without
// dot-segment removal). False when the value is not something a probe should follow.
bool resolveLocation(const Url& base, std::string_view location, Url& out);

}  // namespace fail::check::http

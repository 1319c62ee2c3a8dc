// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "check/http_parse.hh"

#include <algorithm>

namespace fail::check::http {
namespace {

constexpr std::string_view kHttp = "HTTP/";

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lowerChar(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// RFC 9110 section 5.6.2.
bool isTchar(char c) {
  return isDigit(c) || isAlpha(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool equalsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lowerChar(a[i]) != lowerChar(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits off the next comma-separated element of a field value.
std::string_view nextElement(std::string_view& list) {
  auto comma = list.find(',');
  std::string_view e = list.substr(0, comma);
  list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  return trim(e);
}

int hexValue(char c) {
  if (isDigit(c)) return c - '0';
  c = lowerChar(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

void ResponseParser::reset(bool head, std::size_t maxBody, bool keepBody) {
  head_ = head;
  maxBody_ = maxBody;
  keepBody_ = keepBody;
  received_ = 0;
  headerBytes_ = 0;
  bodyBytes_ = 0;
  truncated_ = false;
  body_.clear();
  error_ = "";
  startResponse();
}

void ResponseParser::shrink(std::size_t keep) {
  for (std::string* s : {&line_, &location_, &body_})
    if (s->capacity() > keep) std::string().swap(*s);
}

void ResponseParser::startResponse() {
  state_ = State::StatusLine;
  status_ = 0;
  minor_ = 0;
  contentLength_ = -1;
  remaining_ = 0;
  hasTe_ = chunked_ = false;
  line_.clear();
  location_.clear();
}

ResponseParser::Result ResponseParser::result() const {
  if (state_ == State::Done) return Result::Done;
  if (state_ == State::Error) return Result::Error;
  return Result::NeedMore;
}

bool ResponseParser::headersDone() const {
  switch (state_) {
    case State::StatusLine:
    case State::Headers:
    case State::Error: return false;
    default: return true;
  }
}

ResponseParser::Result ResponseParser::fail(const char* why) {
  state_ = State::Error;
  error_ = why;
  line_.clear();
  return Result::Error;
}

// Takes one line ending in LF (the CR before it dropped) from `in`. A line longer than
// `limit` bytes, terminator included, is TooLong. An unfinished line is kept in line_
// (More); `line` may then point into line_, valid until the caller clears it.
ResponseParser::Line ResponseParser::takeLine(std::string_view& in, std::string_view& line,
                                              std::size_t limit) {
  auto nl = in.find('\n');
  if (nl == std::string_view::npos) {
    if (line_.size() + in.size() >= limit) return Line::TooLong;
    line_.append(in);
    in = {};
    return Line::More;
  }
  if (line_.size() + nl + 1 > limit) return Line::TooLong;
  lineBytes_ = line_.size() + nl + 1;
  if (line_.empty()) {
    line = in.substr(0, nl);
  } else {
    line_.append(in.substr(0, nl));
    line = line_;
  }
  in.remove_prefix(nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return Line::Got;
}

// "HTTP/1.1 200 OK" (RFC 9112 section 4); the reason phrase may be empty or absent.
bool ResponseParser::statusLine(std::string_view line) {
  if (line.size() < 12 || line.substr(0, 5) != kHttp || line[5] != '1' || line[6] != '.' ||
      !isDigit(line[7]) || line[8] != ' ' || !isDigit(line[9]) || !isDigit(line[10]) ||
      !isDigit(line[11]) || (line.size() > 12 && line[12] != ' '))
    return false;
  minor_ = line[7] - '0';
  status_ = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  return status_ >= 100 && status_ <= 599;
}

bool ResponseParser::contentLength(std::string_view value) {
  // A list of identical values is allowed (RFC 9110 section 8.6); anything else is not.
  if (trim(value).empty()) return false;
  while (!value.empty()) {
    std::string_view e = nextElement(value);
    if (e.empty() || e.size() > 18) return false;
    std::int64_t n = 0;
    for (char c : e) {
      if (!isDigit(c)) return false;
      n = n * 10 + (c - '0');
    }
    if (contentLength_ >= 0 && contentLength_ != n) return false;
    contentLength_ = n;
  }
  return true;
}

void ResponseParser::transferEncoding(std::string_view value) {
  // Only the last coding matters: chunked there frames the body, anything else leaves
  // it delimited by the close (RFC 9112 section 6.3, item 4).
  while (!value.empty()) {
    std::string_view e = nextElement(value);
    if (e.empty()) continue;
    hasTe_ = true;
    e = trim(e.substr(0, e.find(';')));
    chunked_ = equalsNoCase(e, "chunked");
  }
}

bool ResponseParser::headerLine(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') return true;  // obs-fold: ignored
  auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view name = line.substr(0, colon);
  if (!std::all_of(name.begin(), name.end(), isTchar)) return false;
  std::string_view value = trim(line.substr(colon + 1));
  if (equalsNoCase(name, "content-length")) return contentLength(value);
  if (equalsNoCase(name, "transfer-encoding")) transferEncoding(value);
  else if (equalsNoCase(name, "location")) location_.assign(value);
  return true;
}

ResponseParser::Result ResponseParser::endOfHeaders() {
  if (status_ < 200 && status_ != 101) {  // interim: the real response follows
    startResponse();
    return Result::NeedMore;
  }
  if (head_ || status_ < 200 || status_ == 204 || status_ == 304) {
    state_ = State::Done;
    return Result::Done;
  }
  if (hasTe_) {
    state_ = chunked_ ? State::ChunkSize : State::BodyToClose;
  } else if (contentLength_ == 0) {
    state_ = State::Done;
    return Result::Done;
  } else if (contentLength_ > 0) {
    remaining_ = static_cast<std::uint64_t>(contentLength_);
    state_ = State::Body;
  } else {
    state_ = State::BodyToClose;
  }
  if (maxBody_ == 0) {
    truncated_ = true;
    state_ = State::Done;
    return Result::Done;
  }
  return Result::NeedMore;
}

bool ResponseParser::chunkSize(std::string_view line) {
  std::size_t i = 0;
  std::uint64_t n = 0;
  while (i < line.size() && hexValue(line[i]) >= 0) {
    if (n >> 56) return false;  // over 2^60: nobody sends that
    n = n * 16 + static_cast<std::uint64_t>(hexValue(line[i]));
    ++i;
  }
  if (i == 0) return false;
  std::string_view rest = trim(line.substr(i));
  if (!rest.empty() && rest.front() != ';') return false;  // chunk extensions are ignored
  remaining_ = n;
  return true;
}

// Takes body bytes from `in`, as many as the framing and maxBody allow.
void ResponseParser::takeBody(std::string_view& in) {
  std::size_t n = std::min(in.size(), maxBody_ - bodyBytes_);
  if (state_ != State::BodyToClose && remaining_ < n) n = static_cast<std::size_t>(remaining_);
  if (keepBody_) body_.append(in.data(), n);
  in.remove_prefix(n);
  bodyBytes_ += n;
  if (state_ != State::BodyToClose) remaining_ -= n;
  if (state_ != State::BodyToClose && remaining_ == 0) {
    state_ = state_ == State::Body ? State::Done : State::ChunkEnd;
  } else if (bodyBytes_ == maxBody_) {
    truncated_ = true;
    state_ = State::Done;
  }
}

ResponseParser::Result ResponseParser::feed(std::string_view in) {
  if (state_ == State::Done || state_ == State::Error) return result();
  received_ += in.size();
  while (!in.empty()) {
    std::string_view line;
    switch (state_) {
      case State::StatusLine: {
        // Garbage is refused at its first byte, not after 16 KiB of it.
        for (std::size_t i = 0; line_.size() + i < kHttp.size() && i < in.size(); ++i)
          if (in[i] != kHttp[line_.size() + i]) return fail("not an HTTP response");
        Line got = takeLine(in, line, kMaxHeaderBytes - headerBytes_);
        if (got == Line::TooLong) return fail("header too large");
        if (got == Line::More) return Result::NeedMore;
        headerBytes_ += lineBytes_;
        if (!statusLine(line)) return fail("bad status line");
        line_.clear();
        state_ = State::Headers;
        break;
      }
      case State::Headers:
      case State::Trailers: {
        Line got = takeLine(in, line, kMaxHeaderBytes - headerBytes_);
        if (got == Line::TooLong) return fail("header too large");
        if (got == Line::More) return Result::NeedMore;
        headerBytes_ += lineBytes_;
        if (line.empty()) {
          line_.clear();
          if (state_ == State::Trailers) {
            state_ = State::Done;
          } else if (endOfHeaders() == Result::Error) {
            return Result::Error;
          }
          break;
        }
        bool ok = state_ == State::Trailers || headerLine(line);
        line_.clear();
        if (!ok) return fail("bad header field");
        break;
      }
      case State::Body:
      case State::BodyToClose:
      case State::ChunkData:
        takeBody(in);
        break;
      case State::ChunkSize: {
        Line got = takeLine(in, line, kMaxChunkLine);
        if (got == Line::TooLong) return fail("chunk size line too long");
        if (got == Line::More) return Result::NeedMore;
        bool ok = chunkSize(line);
        line_.clear();
        if (!ok) return fail("bad chunk size");
        state_ = remaining_ == 0 ? State::Trailers : State::ChunkData;
        break;
      }
      case State::ChunkEnd: {
        Line got = takeLine(in, line, kMaxChunkLine);
        if (got == Line::TooLong) return fail("chunk not followed by a line end");
        if (got == Line::More) return Result::NeedMore;
        bool ok = line.empty();
        line_.clear();
        if (!ok) return fail("chunk not followed by a line end");
        state_ = State::ChunkSize;
        break;
      }
      case State::Done:
      case State::Error: return result();
    }
    if (state_ == State::Done) return Result::Done;
  }
  return result();
}

ResponseParser::Result ResponseParser::finish() {
  switch (state_) {
    case State::BodyToClose: state_ = State::Done; return Result::Done;
    case State::Done:
    case State::Error: return result();
    default: return fail(received_ == 0 ? "no response" : "response cut short");
  }
}

// --- URLs -----------------------------------------------------------------------------

std::string Url::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (!defaultPort) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

namespace {

bool setErr(std::string* why, const char* text) {
  if (why) *why = text;
  return false;
}

// A request target: visible ASCII only (RFC 9112 section 3.2), the fragment dropped.
bool setTarget(std::string_view rest, std::string& target) {
  rest = rest.substr(0, rest.find('#'));
  for (char c : rest)
    if (c <= ' ' || c >= 0x7f) return false;
  if (rest.empty() || rest.front() == '?') {
    target = "/";
    target.append(rest);
  } else {
    target.assign(rest);
  }
  return true;
}

// "host", "host:port", "[v6]", "[v6]:port".
bool parseAuthority(std::string_view auth, Url& out, std::string* why) {
  if (auth.find('@') != std::string_view::npos)
    return setErr(why, "credentials in the URL are not supported (send an Authorization -header)");
  std::string_view host = auth, port;
  if (!auth.empty() && auth.front() == '[') {
    auto close = auth.find(']');
    if (close == std::string_view::npos) return setErr(why, "unclosed [ in the host");
    host = auth.substr(1, close - 1);
    std::string_view rest = auth.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return setErr(why, "bad host");
      port = rest.substr(1);
      if (port.empty()) return setErr(why, "empty port");
    }
    if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
      return setErr(why, "bad IPv6 address");
  } else {
    auto colon = auth.find(':');
    if (colon != std::string_view::npos) {
      host = auth.substr(0, colon);
      port = auth.substr(colon + 1);
      if (port.empty()) return setErr(why, "empty port");
    }
    if (host.empty()) return setErr(why, "no host");
    for (char c : host)
      if (!isDigit(c) && !isAlpha(c) && c != '-' && c != '.' && c != '_') return setErr(why, "bad host name");
  }
  out.host.clear();
  for (char c : host) out.host += lowerChar(c);
  std::uint16_t dflt = out.tls ? 443 : 80;
  if (port.empty()) {
    out.port = dflt;
  } else {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), isDigit)) return setErr(why, "bad port");
    int p = 0;
    for (char c : port) p = p * 10 + (c - '0');
    if (p < 1 || p > 65535) return setErr(why, "port out of range 1-65535");
    out.port = static_cast<std::uint16_t>(p);
  }
  out.defaultPort = out.port == dflt;
  return true;
}

}  // namespace

bool parseUrl(std::string_view text, Url& out, std::string* why) {
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return setErr(why, "not an absolute http:// or https:// URL");
  std::string_view scheme = text.substr(0, sep);
  Url u;
  if (equalsNoCase(scheme, "https")) u.tls = true;
  else if (!equalsNoCase(scheme, "http")) return setErr(why, "scheme is not http or https");
  std::string_view rest = text.substr(sep + 3);
  auto end = rest.find_first_of("/?#");
  if (!parseAuthority(rest.substr(0, end), u, why)) return false;
  if (!setTarget(end == std::string_view::npos ? std::string_view() : rest.substr(end), u.target))
    return setErr(why, "spaces, control or non-ASCII characters in the path (percent-encode them)");
  out = std::move(u);
  return true;
}

bool resolveLocation(const Url& base, std::string_view loc, Url& out) {
  loc = trim(loc);
  if (loc.empty()) return false;
  if (loc.find("://") != std::string_view::npos && loc.find("://") < loc.find_first_of("/?#"))
    return parseUrl(loc, out);
  Url u;
  u.tls = base.tls;
  if (loc.substr(0, 2) == "//") {
    std::string_view rest = loc.substr(2);
    auto end = rest.find_first_of("/?#");
    if (!parseAuthority(rest.substr(0, end), u, nullptr)) return false;
    if (!setTarget(end == std::string_view::npos ? std::string_view() : rest.substr(end), u.target))
      return false;
    out = std::move(u);
    return true;
  }
  u.host = base.host;
  u.port = base.port;
  u.defaultPort = base.defaultPort;
  if (loc.front() == '#') {
    u.target = base.target;
  } else if (loc.front() == '/') {
    if (!setTarget(loc, u.target)) return false;
  } else if (loc.front() == '?') {
    std::string path = base.target.substr(0, base.target.find('?'));
    if (!setTarget(loc, u.target)) return false;
    u.target.replace(0, 1, path);
  } else {
    // Merge with the base path up to its last slash (RFC 3986 section 5.2.3).
    std::string path = base.target.substr(0, base.target.find('?'));
    path.erase(path.rfind('/') + 1);
    std::string rel;
    if (!setTarget(loc, rel)) return false;
    u.target = path + rel;
  }
  out = std::move(u);
  return true;
}

}  // namespace fail::check::http

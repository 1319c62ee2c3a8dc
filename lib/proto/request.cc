// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "proto/request.hh"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>

#include "base/text.hh"
#include "base/time.hh"
#include "proto/list.hh"

namespace fail::proto {
namespace {

struct CmdDesc {
  Cmd cmd;
  const char* name;
  size_t minArgs, maxArgs;  // words after the command word; SIZE_MAX: unbounded
  const char* usage;
};

constexpr size_t kAny = static_cast<size_t>(-1);

constexpr CmdDesc kCommands[] = {
    {Cmd::Hello, "HELLO", 0, 2, "HELLO ?CLIENT? ?VERSION?"},
    {Cmd::Auth, "AUTH", 1, 1, "AUTH SECRET"},
    {Cmd::Ping, "PING", 0, 0, "PING"},
    {Cmd::Quit, "QUIT", 0, 0, "QUIT"},
    {Cmd::Get, "GET", 1, 1, "GET NAME"},
    {Cmd::List, "LIST", 0, 1, "LIST ?PATTERN?"},
    {Cmd::Set, "SET", 2, kAny, "SET NAME STATE ?ttl=D? ?note=TEXT? ?at=TIME? ?KEY=VALUE ...?"},
    {Cmd::Del, "DEL", 1, 1, "DEL NAME"},
    {Cmd::Watch, "WATCH", 0, 2, "WATCH ?PATTERN? ?since=SERIAL?"},
    {Cmd::Stats, "STATS", 0, 0, "STATS"},
    {Cmd::Debug, "DEBUG", 0, 2, "DEBUG ?FACILITY LEVEL?"},
    {Cmd::History, "HISTORY", 1, 4, "HISTORY PATTERN ?since=TIME|DURATION? ?until=TIME|DURATION? ?limit=N?"},
    {Cmd::Report, "REPORT", 1, 3, "REPORT PATTERN ?since=TIME|DURATION? ?until=TIME|DURATION?"},
};

constexpr const char* kErrcNames[] = {"SYNTAX",  "UNKNOWN",  "ARGS",   "BADNAME", "BADSTATE",
                                      "NOTFOUND", "NEEDAUTH", "DENIED", "TOOLONG", "BUSY",
                                      "GONE",     "SLOW",     "STORAGE", "INTERNAL", "UNAVAILABLE"};

bool fail(Error& err, Errc code, std::string message) {
  err.code = code;
  err.message = std::move(message);
  return false;
}

bool checkName(const std::string& name, Error& err) {
  if (validName(name)) return true;
  return fail(err, Errc::BadName,
              "invalid name '" + printable(name) +
                  "': 1-255 of letters, digits and . _ - : @ / are allowed");
}

bool checkClientName(const std::string& name, Error& err) {
  if (validClientName(name)) return true;
  return fail(err, Errc::Args,
              "invalid client name '" + printable(name, 80) + "': 1-" + std::to_string(kMaxClientName) +
                  " printable characters, no spaces");
}

using Words = std::span<const std::string_view>;

bool parseSet(Words w, Request& r, Error& err) {
  r.name = w[1];
  if (!checkName(r.name, err)) return false;
  auto st = parseState(w[2]);
  if (!st)
    return fail(err, Errc::BadState,
                "invalid state '" + printable(w[2]) + "': UP, RECOVER, FAIL or UNKNOWN");
  r.state = *st;
  bool haveTtl = false, haveNote = false;
  for (size_t i = 3; i < w.size(); ++i) {
    std::string_view word = w[i];
    size_t eq = word.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail(err, Errc::Args, "argument " + std::to_string(i) + " '" + printable(word) +
                                       "' is not KEY=VALUE");
    std::string_view key(word.data(), eq);
    std::string_view value(word.data() + eq + 1, word.size() - eq - 1);
    if (key == "ttl") {
      if (haveTtl) return fail(err, Errc::Args, "ttl= given twice");
      haveTtl = true;
      auto ms = parseDurationMs(value);
      if (!ms) return fail(err, Errc::Args, "ttl='" + printable(value) + "' is not a duration");
      if (*ms > kMaxTtlMs)
        return fail(err, Errc::Args, "ttl='" + printable(value) + "' is longer than " +
                                         formatDurationMs(kMaxTtlMs) + ", the longest ttl");
      r.ttlMs = *ms;
    } else if (key == "note") {
      if (haveNote) return fail(err, Errc::Args, "note= given twice");
      haveNote = true;
      if (value.size() > kMaxNote)
        return fail(err, Errc::Args, "note is longer than " + std::to_string(kMaxNote) + " bytes");
      r.note.assign(value);
    } else if (key == "at") {
      if (r.at) return fail(err, Errc::Args, "at= given twice");
      auto t = parseInt(value);
      if (!t) return fail(err, Errc::Args, "at='" + printable(value) + "' is not a time in microseconds");
      r.at = *t;
    } else {
      if (!validAttrKey(key))
        return fail(err, Errc::Args, "attribute key '" + printable(key) +
                                         "': 1-64 of letters, digits and _ . -");
      if (value.size() > kMaxAttrValue)
        return fail(err, Errc::Args, "attribute " + std::string(key) + " is longer than " +
                                         std::to_string(kMaxAttrValue) + " bytes");
      bool dup = std::any_of(r.attrs.begin(), r.attrs.end(),
                             [&](const auto& kv) { return kv.first == key; });
      if (dup) return fail(err, Errc::Args, "attribute " + std::string(key) + " given twice");
      r.attrs.emplace_back(std::string(key), std::string(value));
      if (r.attrs.size() > kMaxAttrs)
        return fail(err, Errc::Args, "more than " + std::to_string(kMaxAttrs) + " attributes");
    }
  }
  return true;
}

bool parseWatch(Words w, Request& r, Error& err) {
  r.pattern = "*";
  bool havePattern = false;
  for (size_t i = 1; i < w.size(); ++i) {
    if (w[i].starts_with("since=")) {
      if (r.since) return fail(err, Errc::Args, "since= given twice");
      auto s = parseUint(w[i].substr(6));
      if (!s) return fail(err, Errc::Args, "'" + printable(w[i]) + "' is not since=SERIAL");
      r.since = *s;
    } else {
      if (havePattern) return fail(err, Errc::Args, "usage: WATCH ?PATTERN? ?since=SERIAL?");
      r.pattern = w[i];
      havePattern = true;
    }
  }
  return true;
}

// HISTORY PATTERN ?since=? ?until=? ?limit=?; REPORT PATTERN ?since=? ?until=?.
bool parseHistory(Words w, Request& r, Error& err, const char* usage) {
  r.pattern = w[1];
  for (size_t i = 2; i < w.size(); ++i) {
    std::string_view word = w[i];
    size_t eq = word.find('=');
    if (eq == std::string_view::npos)
      return fail(err, Errc::Args, "argument " + std::to_string(i) + " '" + printable(word, 80) +
                                       "' is not KEY=VALUE; usage: " + usage);
    if (!parseHistoryOption(word.substr(0, eq), word.substr(eq + 1), r, err)) {
      if (err.message.starts_with("unknown")) err.message += std::string("; usage: ") + usage;
      return false;
    }
  }
  return true;
}

}  // namespace

bool parseHistoryOption(std::string_view key, std::string_view v, Request& r, Error& err) {
  bool history = r.cmd == Cmd::History;
  if (key == "limit" && history) {
    if (r.limit) return fail(err, Errc::Args, "limit= given twice");
    auto n = parseUint(v);
    if (!n || *n == 0 || *n > kMaxHistoryLimit)
      return fail(err, Errc::Args, "limit='" + printable(v, 80) + "': a number from 1 to " +
                                       std::to_string(kMaxHistoryLimit) + " is needed");
    r.limit = *n;
    return true;
  }
  if (key != "since" && key != "until")
    return fail(err, Errc::Args, "unknown option '" + printable(key, 80) + "' (" +
                                     (history ? "since, until, limit" : "since, until") + ")");
  std::optional<TimeArg>& slot = key == "since" ? r.from : r.until;
  if (slot) return fail(err, Errc::Args, std::string(key) + "= given twice");
  slot = parseTimeArg(v);
  if (!slot)
    return fail(err, Errc::Args, std::string(key) + "='" + printable(v) +
                                     "' is not a time: microseconds, @SECONDS, 2026-12-07T10:00:00Z "
                                     "or a duration back from now such as 30d or 1h (at most 36500d)");
  return true;
}

std::optional<TimeArg> parseTimeArg(std::string_view v) {
  if (v.empty()) return std::nullopt;
  if (v.find_first_not_of("0123456789") == std::string_view::npos) {
    auto t = parseInt(v);
    if (!t) return std::nullopt;
    return TimeArg{false, *t};
  }
  if (v[0] == '@') {
    auto s = parseInt(v.substr(1));
    if (!s || *s > 100'000'000'000LL) return std::nullopt;  // beyond the year 5000
    return TimeArg{false, *s * 1'000'000};
  }
  if (v.size() >= 10 && v[4] == '-') {
    auto t = parseIsoTime(v);
    if (!t) return std::nullopt;
    return TimeArg{false, *t};
  }
  if (v[0] == '-') v.remove_prefix(1);
  if (v.empty() || v.back() < 'a' || v.back() > 'z') return std::nullopt;  // a unit is needed
  auto ms = parseDurationMs(v);
  if (!ms || *ms > kMaxAgoMs) return std::nullopt;
  return TimeArg{true, *ms * 1000};
}

namespace {

}  // namespace

const char* errcName(Errc code) { return kErrcNames[static_cast<int>(code)]; }

const char* cmdName(Cmd cmd) {
  for (const auto& d : kCommands)
    if (d.cmd == cmd) return d.name;
  return "?";
}

std::string formatError(const Error& e) {
  std::string out = "ERR ";
  out += errcName(e.code);
  // The message is free text: written as list words so any client can read it. Replies
  // are UTF-8, so a byte that is not (a message quoting cut input) is shown as \xHH.
  std::string clean;
  std::string_view rest = e.message;
  while (!rest.empty()) {
    size_t bad = 0;
    if (validUtf8(rest, &bad)) bad = rest.size();
    clean.append(rest.substr(0, bad));
    if (bad < rest.size()) {
      static const char kHex[] = "0123456789abcdef";
      unsigned char c = rest[bad];
      clean += "\\x";
      clean += kHex[c >> 4];
      clean += kHex[c & 15];
      ++bad;
    }
    rest.remove_prefix(bad);
  }
  std::string_view m = clean;
  size_t i = 0;
  while (i < m.size()) {
    size_t sp = m.find(' ', i);
    if (sp == std::string_view::npos) sp = m.size();
    if (sp > i) {
      out += ' ';
      appendWord(out, m.substr(i, sp - i));
    }
    i = sp + 1;
  }
  return out;
}

bool validClientName(std::string_view name) {
  if (name.empty() || name.size() > kMaxClientName) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

namespace {

// What a byte is to the fast path: an ordinary byte, white space to Tcl's list rules,
// a byte that only splitList reads right (brace, quote, backslash), or not ASCII.
enum ByteClass : unsigned char { kPlain, kSpace, kSpecial, kHigh };

constexpr auto kByteClass = [] {
  std::array<ByteClass, 256> t{};
  for (int c : {' ', '\t', '\n', '\r', '\v', '\f'}) t[static_cast<unsigned char>(c)] = kSpace;
  for (int c : {'{', '"', '\\'}) t[static_cast<unsigned char>(c)] = kSpecial;
  for (int c = 0x80; c < 0x100; ++c) t[c] = kHigh;
  return t;
}();

enum class Plain { Split, NotPlain, HasHigh };

// The words of a line in which no byte is special to Tcl's list rules (no brace, quote
// or backslash): runs of bytes between white space, as splitList would read them, as
// views into the line. NotPlain when the line has such a byte or more words than
// `words` holds; HasHigh when split but a byte is not ASCII (the UTF-8 check is due).
Plain splitPlain(std::string_view line, std::span<std::string_view> words, size_t& n) {
  n = 0;
  bool high = false;
  const char* p = line.data();
  const char* end = p + line.size();
  while (true) {
    while (p < end && kByteClass[static_cast<unsigned char>(*p)] == kSpace) ++p;
    if (p >= end) return high ? Plain::HasHigh : Plain::Split;
    const char* start = p;
    for (; p < end; ++p) {
      ByteClass c = kByteClass[static_cast<unsigned char>(*p)];
      if (c == kSpace) break;
      if (c == kSpecial) return Plain::NotPlain;
      high |= c == kHigh;
    }
    if (n == words.size()) return Plain::NotPlain;
    words[n++] = std::string_view(start, static_cast<size_t>(p - start));
  }
}

// ASCII letters compared without regard to case; `upper` is a command's name.
bool sameVerb(std::string_view word, const char* upper) {
  size_t i = 0;
  for (; i < word.size(); ++i) {
    char c = word[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (upper[i] == '\0' || c != upper[i]) return false;
  }
  return upper[i] == '\0';
}

// Every field as in Request{}, keeping the strings' buffers.
void resetRequest(Request& r) {
  r.name.clear();
  r.pattern.clear();
  r.state = State::Unknown;
  r.ttlMs = 0;
  r.note.clear();
  r.at.reset();
  r.attrs.clear();
  r.since.reset();
  r.secret.clear();
  r.client.clear();
  r.version.clear();
  r.facility.clear();
  r.level.clear();
  r.from.reset();
  r.until.reset();
  r.limit = 0;
}

bool parseWords(Words w, Request& r, Error& err) {
  if (w.empty()) return fail(err, Errc::Syntax, "empty request");
  const CmdDesc* desc = nullptr;
  for (const auto& d : kCommands)
    if (sameVerb(w[0], d.name)) desc = &d;
  if (!desc) return fail(err, Errc::Unknown, "unknown command '" + printable(w[0], 32) + "'");
  size_t nargs = w.size() - 1;
  if (nargs < desc->minArgs || (desc->maxArgs != kAny && nargs > desc->maxArgs))
    return fail(err, Errc::Args, std::string("usage: ") + desc->usage);
  resetRequest(r);
  r.cmd = desc->cmd;
  switch (r.cmd) {
    case Cmd::Hello:
      if (nargs > 0) r.client = w[1];
      if (nargs > 1) r.version = w[2];
      return nargs == 0 || checkClientName(r.client, err);
    case Cmd::Auth:
      r.secret = w[1];
      return true;
    case Cmd::Get:
    case Cmd::Del:
      r.name = w[1];
      return checkName(r.name, err);
    case Cmd::List:
      r.pattern = nargs ? w[1] : "*";
      return true;
    case Cmd::Set:
      return parseSet(w, r, err);
    case Cmd::Watch:
      return parseWatch(w, r, err);
    case Cmd::Debug:
      if (nargs == 1) return fail(err, Errc::Args, std::string("usage: ") + desc->usage);
      if (nargs == 2) {
        r.facility = w[1];
        r.level = w[2];
      }
      return true;
    case Cmd::History:
    case Cmd::Report:
      return parseHistory(w, r, err, desc->usage);
    case Cmd::Ping:
    case Cmd::Quit:
    case Cmd::Stats:
      return true;
  }
  return true;
}

}  // namespace

bool parseRequest(std::string_view line, Request& r, Error& err) {
  // The common line (no brace, quote or backslash) is split in place, allocating nothing.
  std::string_view plain[kMaxAttrs + 8];
  size_t n = 0;
  Plain how = splitPlain(line, plain, n);
  size_t bad = 0;
  if (how != Plain::Split && !validUtf8(line, &bad))
    return fail(err, Errc::Syntax, "invalid UTF-8 at byte " + std::to_string(bad));
  if (how != Plain::NotPlain) return parseWords(Words(plain, n), r, err);
  std::vector<std::string> w;
  ListError le;
  if (!splitList(line, w, &le))
    return fail(err, Errc::Syntax, le.message + " at byte " + std::to_string(le.offset));
  std::vector<std::string_view> views(w.begin(), w.end());
  return parseWords(views, r, err);
}

}  // namespace fail::proto

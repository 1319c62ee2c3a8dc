// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "state/journal_format.hh"

#include <zlib.h>

#include "base/text.hh"
#include "base/time.hh"
#include "proto/list.hh"
#include "state/slots.hh"

namespace fail::state::format {
namespace {

// Lower case only, as written: one spelling per checksum.
int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string encodeAttrs(const Attrs& attrs) {
  std::string out;
  for (const auto& [k, v] : attrs) {
    proto::appendElement(out, k);
    proto::appendElement(out, v);
  }
  return out;
}

std::string quoted(std::string_view name) { return "'" + printable(name, 64) + "'"; }

// The value after `key` + `sep` in `text`, up to the next separator or backslash.
std::string_view fieldAfter(std::string_view text, std::string_view key, std::string_view sep) {
  std::string needle = std::string(key) + std::string(sep);
  size_t p = text.find(needle);
  if (p == std::string_view::npos) return {};
  p += needle.size();
  size_t e = p;
  while (e < text.size() && text[e] != ' ' && text[e] != '\\') ++e;
  return text.substr(p, e - p);
}

std::string describe(char kind, std::string_view name, std::optional<std::uint64_t> serial) {
  std::string s;
  switch (kind) {
    case 'S': s = "the change to " + quoted(name); break;
    case 'R': s = "the record " + quoted(name); break;
    case 'D': s = "the deletion of " + quoted(name); break;
    case 'A': return "the refreshed attributes of " + quoted(name);
    default: s = "an entry about " + quoted(name); break;
  }
  if (serial) s += " serial " + std::to_string(*serial);
  return s;
}

// A guess at what a damaged line held, for the problem message ("" if none).
std::string guessLost(std::string_view line) {
  std::string_view payload = line.size() > 9 && line[8] == ' ' ? line.substr(9) : line;
  char kind = payload.size() >= 2 && payload[1] == ' ' ? payload[0] : 0;
  std::vector<std::string> w;
  std::string_view dict = payload;  // where to look for "name" and "serial"
  std::string_view sep = "\\ ";     // how they are separated there
  if (proto::splitList(payload, w) && w.size() >= 2 && w[0].size() == 1) {
    kind = w[0][0];
    if (kind == 'D' && w.size() >= 3 && validName(w[2]) && parseUint(w[1]))
      return describe('D', w[2], parseUint(w[1]));
    if (kind == 'A' && validName(w[1])) return describe('A', w[1], std::nullopt);
    if (kind == 'S' || kind == 'R') {  // the dict may be cut short: look for its fields
      dict = w[1];
      sep = " ";
    }
  }
  std::string_view name = fieldAfter(dict, "name", sep);
  if (!validName(name)) return "";
  return describe(kind, name, parseUint(fieldAfter(dict, "serial", sep)));
}

// A record name the protocol rejects (doc/protocol.md, "Names, states, times"): such a
// record could never be set, read by name or deleted, so recovery treats its entry as
// damage (logged once, moved aside with the damaged file).
std::string badName(std::string_view name) {
  return "a record name the protocol rejects (" + quoted(name) + ")";
}

// Checks one line (without its newline): its checksum. Returns "" when sound (and its
// payload in *payload), else the reason.
std::string checkLine(std::string_view line, std::string_view* payload) {
  if (line.empty()) return "empty line";
  if (line.size() < 10 || line[8] != ' ') return "not an entry (no checksum)";
  std::uint32_t want = 0;
  for (size_t i = 0; i < 8; ++i) {
    int d = hexDigit(line[i]);
    if (d < 0) return "not an entry (no checksum)";
    want = (want << 4) | static_cast<std::uint32_t>(d);
  }
  *payload = line.substr(9);
  if (crc32(*payload) != want) return "checksum mismatch";
  return "";
}

// Splits a sound line's payload into its words. Returns "" or the reason it cannot.
std::string splitPayload(std::string_view payload, std::vector<std::string>& words) {
  proto::ListError le;
  if (!proto::splitList(payload, words, &le)) return "unreadable entry: " + le.message;
  if (words.empty()) return "empty entry";
  return "";
}

// The payload's record word when it is "R WORD" or "S WORD" with WORD one bare word (as
// the encoder writes it), else "".
std::string_view recordWord(std::string_view payload) {
  if (payload.size() < 3 || (payload[0] != 'R' && payload[0] != 'S') || payload[1] != ' ')
    return {};
  std::string_view w = payload.substr(2);
  if (w[0] == '{' || w[0] == '"') return {};
  for (size_t i = 0; i < w.size(); ++i) {
    char c = w[i];
    if (c == '\\') {
      ++i;  // an escaped byte, a space too
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      return {};
    }
  }
  return w;
}

// Collects problems, summing up those beyond kMaxProblems in one message.
class Problems {
 public:
  Problems(std::vector<std::string>& out, const std::string& path) : out_(out), path_(path) {}

  void note(size_t offset, const std::string& what) { add(offset, 0, what); }
  void lost(size_t offset, size_t bytes, const std::string& reason, std::string_view line) {
    std::string msg = reason + "; lost " + std::to_string(bytes) + " bytes";
    std::string guess = guessLost(line);
    if (!guess.empty()) msg += " (probably " + guess + ")";
    add(offset, bytes, msg);
  }
  void plain(const std::string& msg) { out_.push_back(path_ + ": " + msg); }
  void finish() {
    if (more_ == 0) return;
    out_.push_back(path_ + ": " + std::to_string(more_) + " more problems between offset " +
                   std::to_string(moreFrom_) + " and offset " + std::to_string(moreTo_) +
                   ", not listed one by one; " + std::to_string(moreBytes_) +
                   " bytes lost among them");
  }

 private:
  void add(size_t offset, size_t bytes, const std::string& msg) {
    if (out_.size() < kMaxProblems) {
      out_.push_back(path_ + ": offset " + std::to_string(offset) + ": " + msg);
      return;
    }
    if (more_++ == 0) moreFrom_ = offset;
    moreTo_ = offset + bytes;
    moreBytes_ += bytes;
  }

  std::vector<std::string>& out_;
  const std::string& path_;
  size_t more_ = 0, moreFrom_ = 0, moreTo_ = 0, moreBytes_ = 0;
};

class Reader {
 public:
  Reader(Contents& c, const std::string& path) : c_(c), problems_(c.problems, path) {}

  void run(std::string_view data) {
    if (data.empty()) problems_.plain("the file is empty: no FAILD-STATE header");
    records_.reserve(data.size() / 256);  // about a record per line
    size_t off = 0;
    while (off < data.size()) {
      size_t nl = data.find('\n', off);
      bool truncated = nl == std::string_view::npos;
      size_t end = truncated ? data.size() : nl;
      std::string_view line = data.substr(off, end - off);
      size_t len = end - off + (truncated ? 0 : 1);
      std::string_view payload;
      std::string reason = truncated ? "the file ends in the middle of an entry (no newline)"
                                     : checkLine(line, &payload);
      if (off == 0) {
        if (reason.empty()) reason = splitPayload(payload, words_);
        if (!reason.empty()) {
          reason = "damaged header: " + reason;
        } else if (words_[0] == kMagic) {
          reason = header(words_);
          if (c_.otherVersion) return;
        } else {
          problems_.note(0, "no FAILD-STATE header; the base is taken as 0");
          reason = apply(off, payload);
        }
      } else if (reason.empty()) {
        reason = apply(off, payload);
      }
      if (!reason.empty()) problems_.lost(off, len, reason, line);
      off += len;
    }
    problems_.finish();
    c_.records.reserve(records_.size());
    records_.forEach([&](const Slot& s) { c_.records.push_back(std::move(s.version)); });
  }

 private:
  std::string header(const std::vector<std::string>& w) {
    if (w.size() >= 2 && w[1] != std::to_string(kVersion)) {
      c_.otherVersion = w[1];
      return "";
    }
    std::optional<std::uint64_t> base;
    if (w.size() == 4 && w[2] == "base") base = parseUint(w[3]);
    if (!base) return "bad header (want FAILD-STATE 1 base SERIAL)";
    c_.base = c_.highest = lastChange_ = *base;
    return "";
  }

  void seen(std::uint64_t serial) { c_.highest = std::max(c_.highest, serial); }

  void changed(size_t off, const VersionRef& v) {
    std::uint64_t s = v->serial();
    if (s <= lastChange_)
      problems_.note(off, "serial " + std::to_string(s) + " of the change to " +
                              quoted(v->name()) + " does not follow serial " +
                              std::to_string(lastChange_) +
                              "; the change history is not trusted");
    lastChange_ = std::max(lastChange_, s);
    seen(s);
    c_.changes.push_back(v);
  }

  void put(VersionRef v) {
    if (Slot* s = records_.find(v->name()))
      s->version = std::move(v);
    else
      records_.insert(std::move(v));
  }

  // A record entry: its version, read straight from its word when written as the
  // encoder writes it. Returns "" or why it was not used.
  std::string record(size_t off, char kind, std::string_view word) {
    std::string err;
    VersionRef v = Version::fromWord(word, &err);
    if (!v) return std::string("bad ") + kind + " entry: " + err;
    return take(off, kind, std::move(v));
  }

  std::string take(size_t off, char kind, VersionRef v) {
    if (!validName(v->name())) return badName(v->name());
    if (kind == 'R')
      seen(v->serial());
    else
      changed(off, v);
    put(std::move(v));
    return "";
  }

  // Applies one sound line's payload. Returns "" or why it was not used.
  std::string apply(size_t off, std::string_view payload) {
    if (std::string_view word = recordWord(payload); !word.empty())
      return record(off, payload[0], word);
    if (std::string why = splitPayload(payload, words_); !why.empty()) return why;
    const std::vector<std::string>& w = words_;
    const std::string& kind = w[0];
    if (kind == "R" || kind == "S") {
      if (w.size() != 2) return "bad " + kind + " entry (" + std::to_string(w.size()) + " words)";
      Record r;
      std::string err;
      if (!decodeRecord(w[1], r, &err)) return "bad " + kind + " entry: " + err;
      return take(off, kind[0], Version::make(r));
    }
    if (kind == "D") {
      std::optional<std::uint64_t> serial;
      std::optional<std::int64_t> time;
      if (w.size() == 4) {
        serial = parseUint(w[1]);
        time = parseInt(w[3], true);
      }
      if (!serial || !time || w[2].empty()) return "bad D entry (want D SERIAL NAME TIME)";
      if (!validName(w[2])) return badName(w[2]);
      changed(off, Version::tombstone(w[2], *serial, *time));
      if (Slot* s = records_.find(w[2])) records_.erase(s);
      return "";
    }
    if (kind == "A") {
      std::vector<std::string> kv;
      if (w.size() != 3 || !proto::splitList(w[2], kv) || kv.size() % 2)
        return "bad A entry (want A NAME ATTRS-DICT)";
      if (!validName(w[1])) return badName(w[1]);
      Slot* s = records_.find(w[1]);
      if (!s) return "";  // deleted since
      Record r = s->version->record();
      r.attrs.clear();
      for (size_t i = 0; i < kv.size(); i += 2) mergeAttr(r.attrs, kv[i], kv[i + 1]);
      put(Version::make(r));
      return "";
    }
    return "unknown entry type '" + printable(kind, 16) + "'";
  }

  Contents& c_;
  Problems problems_;
  SlotTable records_;  // the current records, found by name (no copied key)
  std::vector<std::string> words_;
  std::uint64_t lastChange_ = 0;
};

}  // namespace

std::uint32_t crc32(std::string_view data) {
  return static_cast<std::uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(data.data()), data.size()));
}

namespace {

// "CRC32HEX8 " for `crc`.
void appendCrc(std::string& out, std::uint32_t crc) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[9];
  for (int i = 7; i >= 0; --i, crc >>= 4) buf[i] = kHex[crc & 15];
  buf[8] = ' ';
  out.append(buf, 9);
}

// appendLine(out, prefix + word) without joining them first.
void appendLine(std::string& out, std::string_view prefix, std::string_view word) {
  uLong c = crc32_z(0, reinterpret_cast<const Bytef*>(prefix.data()), prefix.size());
  c = crc32_z(c, reinterpret_cast<const Bytef*>(word.data()), word.size());
  appendCrc(out, static_cast<std::uint32_t>(c));
  out.append(prefix);
  out.append(word);
  out += '\n';
}

}  // namespace

void appendLine(std::string& out, std::string_view payload) {
  appendCrc(out, crc32(payload));
  out.append(payload);
  out += '\n';
}

void appendHeader(std::string& out, std::uint64_t base) {
  appendLine(out, std::string(kMagic) + " " + std::to_string(kVersion) + " base " +
                      std::to_string(base));
}

void appendRecordEntry(std::string& out, const Version& v) { appendLine(out, "R ", v.word()); }

void appendChangeEntry(std::string& out, const Version& v) {
  if (!v.deleted()) return appendLine(out, "S ", v.word());
  std::string payload = "D " + std::to_string(v.serial());
  proto::appendElement(payload, v.name());
  payload += ' ';
  payload += std::to_string(v.since());
  appendLine(out, payload);
}

void appendAttrsEntry(std::string& out, std::string_view name, const Attrs& attrs) {
  std::string payload = "A";
  proto::appendElement(payload, name);
  proto::appendElement(payload, encodeAttrs(attrs));
  appendLine(out, payload);
}

std::string compacted(const std::vector<VersionRef>& records, std::uint64_t base,
                      const std::vector<VersionRef>& changes) {
  std::string out;
  size_t bytes = 64;
  for (const VersionRef& v : records) bytes += v->word().size() + 12;
  for (const VersionRef& v : changes) bytes += v->word().size() + 12;
  out.reserve(bytes);
  appendHeader(out, base);
  for (const VersionRef& v : changes) appendChangeEntry(out, *v);
  for (const VersionRef& v : records) appendLine(out, "R ", v->word());
  return out;
}

Contents parse(std::string_view data, const std::string& path) {
  Contents c;
  Reader(c, path).run(data);
  return c;
}

}  // namespace fail::state::format

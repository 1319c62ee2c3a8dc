// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "access/access.hh"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "base/text.hh"
#include "base/unique_fd.hh"

namespace fail::access {
namespace {

// An access file is a few lines; anything this large is a mistake (a wrong path).
constexpr size_t kMaxFileSize = 1 << 20;

bool isBlank(char c) { return c == ' ' || c == '\t'; }

// Printable ASCII without white space: what a pattern may hold.
bool validPattern(std::string_view p) {
  if (p.empty()) return false;
  return std::all_of(p.begin(), p.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

std::optional<Level> parseLevel(std::string_view w) {
  if (w.size() != 2) return std::nullopt;
  if (strncasecmp(w.data(), "RO", 2) == 0) return Level::Ro;
  if (strncasecmp(w.data(), "RW", 2) == 0) return Level::Rw;
  return std::nullopt;
}

[[noreturn]] void lineError(const std::string& path, int line, const std::string& what) {
  throw std::runtime_error(path + ":" + std::to_string(line) + ": " + what);
}

// Splits one line (without its LF) into blank-separated fields. A `#` that begins the
// line's first field, or any field after the secret, starts a comment (a secret may hold
// or begin with `#`; a level or NAME never does).
std::vector<std::string_view> splitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t p = 0;
  while (true) {
    while (p < line.size() && isBlank(line[p])) ++p;
    if (p >= line.size()) break;
    if (line[p] == '#' && fields.size() != 1) break;
    size_t start = p;
    while (p < line.size() && !isBlank(line[p])) ++p;
    fields.push_back(line.substr(start, p - start));
  }
  return fields;
}

}  // namespace

// --- Grant -----------------------------------------------------------------------------

Grant Grant::full(std::string name) {
  Grant g;
  g.full_ = true;
  g.fullName_ = std::move(name);
  return g;
}

Grant::Grant(std::vector<Entry> entries) : entries_(std::move(entries)) {}

Level Grant::levelFor(std::string_view recordName) const {
  if (full_) return Level::Rw;
  Level best = Level::None;
  for (const auto& e : entries_)
    if (e.level > best && globMatch(e.pattern, recordName)) best = e.level;
  return best;
}

bool Grant::canDebug() const {
  if (full_) return true;
  return std::any_of(entries_.begin(), entries_.end(),
                     [](const Entry& e) { return e.level == Level::Rw && e.pattern == "*"; });
}

Level Grant::best() const {
  if (full_) return Level::Rw;
  Level best = Level::None;
  for (const auto& e : entries_) best = std::max(best, e.level);
  return best;
}

const std::string& Grant::name() const {
  if (full_ && !fullName_.empty()) return fullName_;
  for (const auto& e : entries_)
    if (!e.name.empty()) return e.name;
  return fullName_;  // empty here
}

// --- AccessFile ------------------------------------------------------------------------

AccessFile AccessFile::parse(std::string_view text, const std::string& path) {
  AccessFile file;
  int lineNo = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    for (unsigned char c : line)
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        lineError(path, lineNo, "control character " + printable(std::string(1, char(c))) +
                                    " in line");
    auto f = splitFields(line);
    if (f.empty()) continue;
    if (f.size() < 3)
      lineError(path, lineNo, "too few fields (" + std::to_string(f.size()) +
                                  "): expected PATTERN SECRET RO|RW ?NAME?");
    if (f.size() > 4)
      lineError(path, lineNo, "too many fields (" + std::to_string(f.size()) +
                                  "): expected PATTERN SECRET RO|RW ?NAME?");
    Entry e;
    if (!validPattern(f[0]))
      lineError(path, lineNo, "bad pattern '" + printable(f[0]) +
                                  "': a glob of printable ASCII characters");
    e.pattern.assign(f[0]);
    if (!validUtf8(f[1])) lineError(path, lineNo, "secret is not valid UTF-8");
    e.secret.assign(f[1]);
    auto level = parseLevel(f[2]);
    if (!level)
      lineError(path, lineNo, "bad level '" + printable(f[2]) + "': expected RO or RW");
    e.level = *level;
    if (f.size() == 4) {
      if (!validName(f[3]))
        lineError(path, lineNo, "bad NAME '" + printable(f[3]) +
                                    "': 1-255 of letters, digits and . _ - : @ /");
      e.name.assign(f[3]);
    }
    e.line = lineNo;
    file.entries_.push_back(std::move(e));
  }
  return file;
}

AccessFile AccessFile::load(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw std::runtime_error(path + ": " + std::strerror(errno));
  std::string text;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxFileSize)
      throw std::runtime_error(path + ": larger than " + std::to_string(kMaxFileSize) +
                               " bytes");
  }
  return parse(text, path);
}

std::optional<Grant> AccessFile::authenticate(std::string_view secret) const {
  std::vector<Entry> matched;
  // Every entry is compared, whatever has matched so far: the time taken depends on the
  // number and lengths of the entries, never on which one matches.
  for (const auto& e : entries_) {
    bool eq = secretEquals(e.secret, secret);
    if (eq) matched.push_back(e);
  }
  if (matched.empty()) return std::nullopt;
  return Grant(std::move(matched));
}

std::optional<Grant> AccessFile::byName(std::string_view name) const {
  if (name.empty()) return std::nullopt;
  std::vector<Entry> matched;
  for (const auto& e : entries_)
    if (e.name == name) matched.push_back(e);
  if (matched.empty()) return std::nullopt;
  return Grant(std::move(matched));
}

bool secretEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    // Spend the same work as an equal-length comparison, then say no.
    volatile int sink = CRYPTO_memcmp(b.data(), b.data(), b.size());
    (void)sink;
    return false;
  }
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace fail::access

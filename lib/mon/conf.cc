// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "mon/conf.hh"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "base/text.hh"
#include "base/time.hh"
#include "client/options.hh"

namespace fail::mon {

namespace {

constexpr std::size_t kMaxTargets = 1000;
constexpr std::size_t kMaxTitle = 200;
constexpr std::size_t kMaxFileSize = 1 << 20;

struct LineError {
  std::string what;
};

bool isBlank(char c) { return c == ' ' || c == '\t'; }

std::vector<std::string_view> splitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t p = 0;
  while (true) {
    while (p < line.size() && isBlank(line[p])) ++p;
    if (p >= line.size() || line[p] == '#') break;
    std::size_t start = p;
    while (p < line.size() && !isBlank(line[p])) ++p;
    fields.push_back(line.substr(start, p - start));
  }
  return fields;
}

std::string quoted(std::string_view word) { return "'" + printable(word) + "'"; }

// A word shown in a message only when it looks like an option's name: anything else in
// a target line might be a secret written where it does not belong.
std::string shownWord(std::string_view word) {
  bool optionLike = !word.empty() && word.size() <= 16;
  for (char c : word) optionLike = optionLike && ((c >= 'a' && c <= 'z') || c == '-');
  return optionLike ? quoted(word) : "(not shown: it may be a secret)";
}

std::string resolve(std::string_view file, const std::string& confPath) {
  if (file.starts_with("/")) return std::string(file);
  std::size_t slash = confPath.rfind('/');
  if (slash == std::string::npos) return std::string(file);
  return confPath.substr(0, slash + 1) + std::string(file);
}

std::chrono::milliseconds duration(const std::vector<std::string_view>& f, std::int64_t minMs, std::int64_t maxMs,
                                   bool zeroOk) {
  if (f.size() != 2) throw LineError{quoted(f[0]) + " takes one DURATION (\"500ms\", \"5s\", \"1m\")"};
  auto ms = parseDurationMs(f[1]);
  if (!ms) throw LineError{"bad DURATION " + quoted(f[1]) + " for " + quoted(f[0]) + " (\"500ms\", \"5s\", \"1m\")"};
  if (!(zeroOk && *ms == 0) && (*ms < minMs || *ms > maxMs))
    throw LineError{quoted(f[0]) + " " + quoted(f[1]) + " is out of range (" + formatDurationMs(minMs) + " to " +
                    formatDurationMs(maxMs) + (zeroOk ? ", or 0" : "") + ")"};
  return std::chrono::milliseconds(*ms);
}

// The text after the keyword, for `title` (blanks inside kept).
std::string restOfLine(std::string_view line, std::string_view keyword) {
  std::size_t p = line.find(keyword) + keyword.size();
  while (p < line.size() && isBlank(line[p])) ++p;
  std::size_t e = line.size();
  while (e > p && isBlank(line[e - 1])) --e;
  return std::string(line.substr(p, e - p));
}

// A file option's value: one field after it.
std::string_view fileValue(const std::vector<std::string_view>& f, std::size_t& i) {
  if (i + 1 >= f.size()) throw LineError{quoted(f[i]) + " needs a FILE"};
  return f[++i];
}

CgiConf::Target parseTargetLine(const std::vector<std::string_view>& f, const std::string& path,
                                const std::string& defaultPort) {
  if (f.size() < 3) throw LineError{"'target' needs NAME ADDRESS[:PORT]"};
  CgiConf::Target t;
  if (!validName(f[1])) throw LineError{"bad target NAME " + quoted(f[1]) + ": 1-255 of letters, digits and . _ - : @ /"};
  t.spec.name.assign(f[1]);
  t.spec.link.name = t.spec.name;
  std::string err;
  if (!client::parseTarget(f[2], defaultPort, t.spec.link.target, err))
    throw LineError{"bad ADDRESS " + quoted(f[2]) + ": " + printable(err, 200)};
  std::set<std::string_view> seen;
  client::TlsOptions& tls = t.spec.link.tls;
  for (std::size_t i = 3; i < f.size(); ++i) {
    std::string_view opt = f[i];
    if (!seen.insert(opt).second) throw LineError{"option " + quoted(opt) + " given twice"};
    if (opt == "tls") {
      tls.enabled = true;
    } else if (opt == "secret-file") {
      t.secretFile = resolve(fileValue(f, i), path);
    } else if (opt == "ca") {
      tls.ca = resolve(fileValue(f, i), path);
    } else if (opt == "cert") {
      tls.cert = resolve(fileValue(f, i), path);
    } else if (opt == "key") {
      tls.key = resolve(fileValue(f, i), path);
    } else if (opt == "secret") {
      throw LineError{"'secret' is not taken here: a secret comes only from a file ('secret-file FILE')"};
    } else {
      throw LineError{"unknown target option " + shownWord(opt) +
                      " (secret-file FILE, tls, ca FILE, cert FILE, key FILE)"};
    }
  }
  if (!tls.enabled && (!tls.ca.empty() || !tls.cert.empty() || !tls.key.empty()))
    throw LineError{"'ca', 'cert' and 'key' need 'tls'"};
  if (!tls.key.empty() && tls.cert.empty()) throw LineError{"'key' needs 'cert'"};
  return t;
}

void parseLine(std::string_view line, int lineNo, const std::string& path, const std::string& defaultPort,
               CgiConf& out, std::set<std::string, std::less<>>& once) {
  for (unsigned char c : line)
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      throw LineError{"control character " + quoted(std::string(1, static_cast<char>(c))) + " in line"};
  if (!validUtf8(line)) throw LineError{"line is not valid UTF-8"};
  auto f = splitFields(line);
  if (f.empty()) return;
  std::string_view key = f[0];
  if (key != "target" && !once.emplace(key).second) throw LineError{quoted(key) + " given twice"};
  if (key == "title") {
    std::string title = restOfLine(line, key);
    if (title.empty()) throw LineError{"'title' needs TEXT"};
    if (title.size() > kMaxTitle) throw LineError{"'title' is longer than " + std::to_string(kMaxTitle) + " bytes"};
    out.title = std::move(title);
  } else if (key == "refresh") {
    out.refresh = duration(f, 1000, 86'400'000, true);
  } else if (key == "timeout") {
    out.timeout = duration(f, 100, 60'000, false);
  } else if (key == "target") {
    CgiConf::Target t = parseTargetLine(f, path, defaultPort);
    t.line = lineNo;
    for (const auto& other : out.targets)
      if (other.spec.name == t.spec.name)
        throw LineError{"target " + quoted(t.spec.name) + " already named on line " + std::to_string(other.line)};
    if (out.targets.size() >= kMaxTargets)
      throw LineError{"more than " + std::to_string(kMaxTargets) + " targets"};
    out.targets.push_back(std::move(t));
  } else {
    throw LineError{"unknown keyword " + shownWord(key) + " (title, refresh, timeout, target)"};
  }
}

}  // namespace

bool parseConf(std::string_view text, const std::string& path, const std::string& defaultPort, CgiConf& out,
               std::string& err) {
  out = CgiConf{};
  std::set<std::string, std::less<>> once;
  int lineNo = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    try {
      parseLine(line, lineNo, path, defaultPort, out, once);
    } catch (const LineError& e) {
      err = path + ":" + std::to_string(lineNo) + ": " + e.what;
      return false;
    }
  }
  if (out.targets.empty()) {
    err = path + ": no 'target' line: nothing to show";
    return false;
  }
  return true;
}

bool loadConf(const std::string& path, const std::string& defaultPort, CgiConf& out, std::string& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return err = path + ": cannot read: " + std::strerror(errno), false;
  std::string text(kMaxFileSize + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return err = path + ": cannot read: " + std::strerror(errno), false;
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxFileSize) return err = path + ": larger than 1 MiB", false;
  if (!parseConf(text, path, defaultPort, out, err)) return false;
  for (auto& t : out.targets) {
    if (t.secretFile.empty()) continue;
    std::ifstream s(t.secretFile, std::ios::binary);
    std::string secret;
    if (!s || !std::getline(s, secret)) {
      err = path + ":" + std::to_string(t.line) + ": cannot read secret file " + quoted(t.secretFile) +
            (s ? ": empty" : std::string(": ") + std::strerror(errno));
      return false;
    }
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (secret.empty()) {
      err = path + ":" + std::to_string(t.line) + ": secret file " + quoted(t.secretFile) + " is empty";
      return false;
    }
    t.spec.link.secret = std::move(secret);
  }
  return true;
}

}  // namespace fail::mon

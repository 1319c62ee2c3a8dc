// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/tsig_key.hh"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/log.hh"
#include "base/text.hh"
#include "dns/name.hh"

namespace fail::dns {

namespace {

constexpr std::size_t kMaxKeyFile = 64 * 1024;
constexpr const char* kAlgorithms = "hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha224, hmac-sha1 or hmac-md5";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A key as read, before it is checked; `line` is where it starts.
struct RawKey {
  std::string name, algorithm, secret;
  int line = 0;
  bool hasAlgorithm = false, hasSecret = false;
};

bool fail(std::string* err, std::string_view where, int line, const std::string& what) {
  if (err) *err = std::string(where) + (line > 0 ? ":" + std::to_string(line) : "") + ": " + what;
  return false;
}

// Checks one key and fills `key`. Messages quote the name and algorithm, never the secret.
bool finish(const RawKey& raw, std::string_view where, TsigKey& key, std::string* err) {
  std::string name, why;
  if (!parseName(raw.name, name, &why) || name.empty())
    return fail(err, where, raw.line, "bad key name: " + (name.empty() && why.empty() ? "the root" : why));
  std::string alg = raw.hasAlgorithm ? tsigAlgorithm(raw.algorithm) : "hmac-sha256.";
  if (alg.empty())
    return fail(err, where, raw.line,
                "unknown TSIG algorithm \"" + printable(raw.algorithm) + "\" for key " + name + " (" + kAlgorithms + ")");
  if (!raw.hasSecret) return fail(err, where, raw.line, "key " + name + " has no secret");
  std::vector<std::uint8_t> bytes;
  if (!decodeTsigSecret(raw.secret, bytes))
    return fail(err, where, raw.line, "the secret of key " + name + " is not base64");
  key.name = name;
  key.algorithm = alg;
  key.secret = raw.secret;
  key.origin = std::string(where) + (raw.line > 0 ? ":" + std::to_string(raw.line) : "");
  return true;
}

// Picks the wanted key among those read.
bool choose(const std::vector<RawKey>& keys, std::string_view where, std::string_view wanted, TsigKey& key,
            std::string* err) {
  if (keys.empty()) return fail(err, where, 0, "no TSIG key in the file");
  if (wanted.empty()) {
    if (keys.size() > 1)
      return fail(err, where, 0, "holds " + std::to_string(keys.size()) + " keys: name the one to use");
    return finish(keys[0], where, key, err);
  }
  std::string want;
  parseName(wanted, want);
  for (const auto& k : keys) {
    std::string n;
    if (parseName(k.name, n) && n == want) return finish(k, where, key, err);
  }
  return fail(err, where, 0, "no key named " + printable(wanted));
}

// BIND's syntax: `key "NAME" { algorithm ALG; secret "SECRET"; };`, with #, // and /* */
// comments. Nothing else may be in the file.
struct Token {
  std::string text;
  int line;
  bool quoted;
};

bool tokenize(std::string_view text, std::string_view where, std::vector<Token>& out, std::string* err) {
  int line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') ++line;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { ++i; continue; }
    if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      std::size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos) return fail(err, where, line, "unterminated /* comment");
      for (std::size_t j = i; j < end; ++j) line += text[j] == '\n';
      i = end + 2;
      continue;
    }
    if (c == '{' || c == '}' || c == ';') {
      out.push_back({std::string(1, c), line, false});
      ++i;
      continue;
    }
    if (c == '"') {
      std::size_t end = text.find('"', i + 1);
      if (end == std::string_view::npos) return fail(err, where, line, "unterminated quoted string");
      std::string_view body = text.substr(i + 1, end - i - 1);
      if (body.find('\n') != std::string_view::npos) return fail(err, where, line, "quoted string spans lines");
      out.push_back({std::string(body), line, true});
      i = end + 1;
      continue;
    }
    std::size_t start = i;
    // Not strchr: it finds a NUL byte in the delimiters (the fuzzer did).
    while (i < text.size() && std::string_view(" \t\r\n{};\"#").find(text[i]) == std::string_view::npos) ++i;
    if (i == start) return fail(err, where, line, "unexpected byte");
    out.push_back({std::string(text.substr(start, i - start)), line, false});
  }
  return true;
}

bool expect(const std::vector<Token>& t, std::size_t i, const char* what, std::string_view where, std::string* err) {
  if (i < t.size() && !t[i].quoted && t[i].text == what) return true;
  int line = i < t.size() ? t[i].line : (t.empty() ? 0 : t.back().line);
  // The token found is not quoted: it could be part of a secret.
  return fail(err, where, line, std::string("expected '") + what + "'" + (i < t.size() ? "" : " at the end"));
}

bool parseBind(std::string_view text, std::string_view where, std::vector<RawKey>& keys, std::string* err) {
  std::vector<Token> t;
  if (!tokenize(text, where, t, err)) return false;
  std::size_t i = 0;
  while (i < t.size()) {
    if (t[i].quoted || lower(t[i].text) != "key")
      return fail(err, where, t[i].line, "expected a key statement (key \"NAME\" { ... };)");
    RawKey k;
    k.line = t[i].line;
    if (++i >= t.size() || t[i].text == "{") return fail(err, where, k.line, "key without a name");
    k.name = t[i++].text;
    if (!expect(t, i++, "{", where, err)) return false;
    while (i < t.size() && !(t[i].text == "}" && !t[i].quoted)) {
      std::string field = lower(t[i].text);
      int line = t[i].line;
      if (t[i].quoted || (field != "algorithm" && field != "secret"))
        return fail(err, where, line, "unknown key clause \"" + printable(t[i].quoted ? "..." : t[i].text) + "\"");
      if (++i >= t.size() || (!t[i].quoted && (t[i].text == ";" || t[i].text == "}")))
        return fail(err, where, line, field + " without a value");
      (field == "algorithm" ? k.algorithm : k.secret) = t[i++].text;
      (field == "algorithm" ? k.hasAlgorithm : k.hasSecret) = true;
      if (!expect(t, i++, ";", where, err)) return false;
    }
    if (!expect(t, i++, "}", where, err) || !expect(t, i++, ";", where, err)) return false;
    keys.push_back(std::move(k));
  }
  return true;
}

std::string unquote(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\'')))
    v = v.substr(1, v.size() - 2);
  return std::string(v);
}

// Knot's `key:` section: `- id: NAME`, `algorithm: ALG`, `secret: SECRET` (# comments).
bool parseKnot(std::string_view text, std::string_view where, std::vector<RawKey>& keys, std::string* err) {
  std::istringstream in{std::string(text)};
  std::string raw;
  int line = 0;
  bool inKey = false;
  while (std::getline(in, raw)) {
    ++line;
    std::string_view l = raw;
    std::size_t hash = l.find('#');
    if (hash != std::string_view::npos) l = l.substr(0, hash);  // base64 has no '#'
    bool top = !l.empty() && l[0] != ' ' && l[0] != '\t' && l[0] != '-';
    l = trim(l);
    if (l.empty()) continue;
    if (top) {
      if (l != "key:")
        return fail(err, where, line,
                    "unexpected section \"" + printable(l.substr(0, l.find(':'))) + "\" (a Knot key file has only key:)");
      inKey = true;
      continue;
    }
    if (!inKey) return fail(err, where, line, "expected key:");
    if (l.front() == '-') {
      keys.push_back(RawKey{});
      keys.back().line = line;
      l = trim(l.substr(1));
      if (l.empty()) continue;
    }
    std::size_t colon = l.find(':');
    if (colon == std::string_view::npos) return fail(err, where, line, "expected FIELD: VALUE");
    std::string field = lower(trim(l.substr(0, colon)));
    std::string value = unquote(l.substr(colon + 1));
    if (keys.empty()) return fail(err, where, line, "a key field before \"- id:\"");
    RawKey& k = keys.back();
    if (field == "id") k.name = value;
    else if (field == "algorithm") { k.algorithm = value; k.hasAlgorithm = true; }
    else if (field == "secret") { k.secret = value; k.hasSecret = true; }
    else return fail(err, where, line, "unknown key field \"" + printable(field) + "\"");
  }
  for (const auto& k : keys)
    if (k.name.empty()) return fail(err, where, k.line, "key without an id");
  return true;
}

// ALGORITHM:NAME:SECRET or NAME:SECRET.
bool parseColonForm(std::string_view text, std::string_view where, int line, RawKey& k, std::string* err) {
  text = trim(text);
  std::size_t a = text.find(':');
  if (a == std::string_view::npos) return fail(err, where, line, "expected ALGORITHM:NAME:SECRET");
  std::size_t b = text.find(':', a + 1);
  k.line = line;
  if (b == std::string_view::npos) {
    k.name = std::string(text.substr(0, a));
    k.secret = std::string(text.substr(a + 1));
  } else {
    k.algorithm = std::string(text.substr(0, a));
    k.hasAlgorithm = true;
    k.name = std::string(text.substr(a + 1, b - a - 1));
    k.secret = std::string(text.substr(b + 1));
  }
  k.hasSecret = true;
  if (k.name.empty()) return fail(err, where, line, "key without a name (expected ALGORITHM:NAME:SECRET)");
  return true;
}

}  // namespace

std::string TsigKey::algorithmName() const {
  if (algorithm == "hmac-md5.sig-alg.reg.int.") return "hmac-md5";
  return algorithm.empty() ? "" : algorithm.substr(0, algorithm.size() - 1);
}

std::string tsigAlgorithm(std::string_view written) {
  std::string a = lower(trim(written));
  if (!a.empty() && a.back() == '.') a.pop_back();
  if (a == "hmac-md5" || a == "hmac-md5.sig-alg.reg.int") return "hmac-md5.sig-alg.reg.int.";
  for (const char* ok : {"hmac-sha256", "hmac-sha512", "hmac-sha384", "hmac-sha224", "hmac-sha1"})
    if (a == ok) return a + ".";
  return "";
}

bool decodeTsigSecret(std::string_view b64, std::vector<std::uint8_t>& out) {
  out.clear();
  unsigned acc = 0;
  int bits = 0, pad = 0;
  for (char c : b64) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') { ++pad; continue; }
    else return false;
    if (pad) return false;  // data after padding
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (pad > 2 || (b64.size() % 4) != 0) return false;
  return !out.empty();
}

bool parseTsigKeyText(std::string_view text, std::string_view where, TsigKey& key, std::string* err,
                      std::string_view wanted) {
  // The format is told by the first line that is not blank or a comment.
  std::istringstream in{std::string(text)};
  std::string raw;
  int line = 0, first = 0, lines = 0;
  std::string firstText;
  while (std::getline(in, raw)) {
    ++line;
    std::string_view l = trim(raw);
    if (l.empty() || l[0] == '#' || l.substr(0, 2) == "//") continue;
    ++lines;
    if (!first) {
      first = line;
      firstText = std::string(l);
    }
  }
  if (!first) return fail(err, where, 0, "no TSIG key in the file");
  std::vector<RawKey> keys;
  std::string lowFirst = lower(firstText);
  if (lowFirst.rfind("key:", 0) == 0) {
    if (!parseKnot(text, where, keys, err)) return false;
  } else if (lines > 1 || firstText.find_first_of("{}\" \t/") != std::string::npos) {
    // BIND's syntax (or garbage): several lines, or braces, quotes, blanks or comments.
    if (lines > 1 && lowFirst.rfind("key", 0) != 0 && firstText.find_first_of("{}\" \t/") == std::string::npos)
      return fail(err, where, first, "expected one ALGORITHM:NAME:SECRET line, a BIND key or a Knot key:");
    if (!parseBind(text, where, keys, err)) return false;
  } else {
    RawKey k;
    if (!parseColonForm(firstText, where, first, k, err)) return false;
    keys.push_back(std::move(k));
  }
  return choose(keys, where, wanted, key, err);
}

bool readTsigKeyFile(const std::string& path, TsigKey& key, std::string* err, std::string_view wanted) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(err, path, 0, std::string("cannot read the key file: ") + std::strerror(errno));
  std::string text(kMaxKeyFile + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxKeyFile) return fail(err, path, 0, "larger than 64 KiB: not a key file");
  if (!parseTsigKeyText(text, path, key, err, wanted)) return false;
  log::redact(key.secret);
  return true;
}

bool parseTsigKeyInline(std::string_view text, TsigKey& key, std::string* err) {
  RawKey k;
  if (!parseColonForm(text, "-key", 0, k, err) || !finish(k, "-key", key, err)) return false;
  log::redact(key.secret);
  return true;
}

}  // namespace fail::dns

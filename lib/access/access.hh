// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The access file (failover-access(5)): the original's community file.
//
//   # comment
//   PATTERN SECRET RO|RW [NAME]
//
// Read by this small reader, never by Tcl, so `$` or `[` in a secret is a character.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fail::access {

enum class Level { None = 0, Ro = 1, Rw = 2 };

struct Entry {
  std::string pattern;  // glob over record names, "*" for all
  std::string secret;
  Level level = Level::Ro;
  std::string name;  // origin of what this client sets; may be empty
  int line = 0;      // where it stands in the file
};

// What one connection may do: the entries its secret (or certificate) matched.
class Grant {
 public:
  static Grant full(std::string name = {});  // RW on "*" (no access file, trusted socket)
  Grant() = default;
  explicit Grant(std::vector<Entry> entries);

  Level levelFor(std::string_view recordName) const;  // the highest level that applies
  bool any() const { return !entries_.empty() || full_; }
  bool canDebug() const;            // RW on exactly "*"
  Level best() const;               // the highest level of any entry
  const std::string& name() const;  // NAME of the first entry that has one, else ""

 private:
  std::vector<Entry> entries_;
  bool full_ = false;
  std::string fullName_;
};

class AccessFile {
 public:
  // Parses the text of an access file; `path` is used in messages only. Throws
  // std::runtime_error("PATH:LINE: what is wrong") on the first bad line.
  static AccessFile parse(std::string_view text, const std::string& path);
  // Reads and parses a file. Throws std::runtime_error naming the file.
  static AccessFile load(const std::string& path);

  // The grant for a secret: every entry whose secret equals it, compared in constant
  // time (every entry is compared, whatever matches). nullopt when none matches.
  std::optional<Grant> authenticate(std::string_view secret) const;
  // The grant for a verified TLS client certificate's common name: entries whose NAME
  // equals it. nullopt when none.
  std::optional<Grant> byName(std::string_view name) const;

  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
};

// Constant-time equality for secrets (length may leak, content does not).
bool secretEquals(std::string_view a, std::string_view b);

}  // namespace fail::access

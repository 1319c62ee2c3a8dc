// A record in a faild: what doc/design.md's state model calls a record, and its wire form
// (doc/protocol.md, "Records").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/time.hh"

namespace fail::state {

enum class State : std::uint8_t { Unknown = 0, Up, Recover, Fail };

const char* stateName(State s);
// Case-insensitive: "up", "UP", "Fail"...
std::optional<State> parseState(std::string_view word);

// The longest ttl a record may have: 3650 days. The protocol refuses longer ones
// (doc/protocol.md); a longer one read from an older state file is clamped.
inline constexpr std::int64_t kMaxTtlMs = 3650LL * 86'400'000;

using Attrs = std::vector<std::pair<std::string, std::string>>;  // sorted by key

struct Record {
  std::string name;
  State state = State::Unknown;
  std::uint64_t serial = 0;
  Micros since = 0;
  std::int64_t ttlMs = 0;  // 0: never expires
  std::string origin;
  std::string note;
  Attrs attrs;
};

// Attribute keys: 1-64 of a-z A-Z 0-9 _ . -
bool validAttrKey(std::string_view key);
// Sets (or with an empty value removes) one attribute, keeping the vector sorted.
// Returns true if anything changed.
bool mergeAttr(Attrs& attrs, std::string_view key, std::string_view value);

// The record dict as one word's content: "name www state UP serial 42 ...".
std::string encodeRecord(const Record& r);
// Appends encodeRecord(r) to `out` as one list element.
void appendRecord(std::string& out, const Record& r);
// Parses a record dict (the inverse). Returns false with a message on malformed input.
bool decodeRecord(std::string_view dict, Record& out, std::string* err = nullptr);

}  // namespace fail::state

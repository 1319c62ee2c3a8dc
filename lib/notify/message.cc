// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "notify/message.hh"

namespace fail::notify {

namespace {
constexpr const char* kNames[] = {"alert", "repeat", "resolved", "digest", "send"};
}

const char* kindName(Kind k) { return kNames[static_cast<int>(k)]; }

std::optional<Kind> parseKind(std::string_view text) {
  for (int i = 0; i < 5; ++i)
    if (text == kNames[i]) return static_cast<Kind>(i);
  return std::nullopt;
}

}  // namespace fail::notify

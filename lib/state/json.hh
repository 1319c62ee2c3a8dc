// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Records as JSON: the one encoding of failc --json, failmon's JSON and faild's HTTP API,
// so that their field names always agree.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "state/record.hh"

namespace fail::state {

// {"name":…,"state":"UP","serial":42,"since":1763784000000000,
//  "since_iso":"2025-11-22T04:00:00.000000Z","ttl":"3s","ttl_ms":3000,"origin":…,
//  "note":…,"attrs":{…}}
nlohmann::ordered_json recordJson(const Record& r);
// Compact JSON on one line; invalid UTF-8 in strings replaced by U+FFFD, never thrown.
std::string dumpJson(const nlohmann::ordered_json& j);

}  // namespace fail::state

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// History as JSON: the one encoding of a change and of an availability row, used by
// failc history --json, failc report --json and the HTTP API (GET /v1/history,
// GET /v1/availability), so that their field names always agree. Times are written as
// microseconds and as ISO 8601 (*_iso), durations as milliseconds (*_ms) and as text
// ("90s"), as state/json.hh writes records.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "history/availability.hh"
#include "history/change.hh"

namespace fail::history {

// {"serial":42,"name":"www","state":"FAIL","prev":"UP","since":1763784000000000,
//  "since_iso":"2025-11-22T04:00:00.000000Z","origin":"hc","note":"HTTP 503",
//  "attrs":{"latency":"12ms"}}; a deletion has "state":"DELETED".
nlohmann::ordered_json changeJson(const Change& c);

// {"name":"www","from":…,"from_iso":…,"to":…,"to_iso":…,"up_percent":99.5 (null when
//  neither up nor down was seen),"unknown_percent":0.2 (null when the record did not
//  exist in the window),"up":"…","up_ms":…, the same for recover, down, unknown and
//  absent,"outages":2,"longest":"…","longest_ms":…,"recoveries":2,"mttr":"…","mttr_ms":…}
nlohmann::ordered_json availabilityJson(std::string_view name, const Availability& a,
                                        Micros from, Micros to);

// The share of the time the record existed in the window that it was UNKNOWN, in
// percent; -1 when it did not exist then. Shown apart from upPercent(), which UNKNOWN
// does not enter.
double unknownPercent(const Availability& a);

}  // namespace fail::history

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A check as configured (`check NAME KIND -option value ...` in an Hcfile), validated
// against its kind's option schema (doc/design.md, "Code layout and rules": tables over code).
#pragma once

#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "check/probe.hh"

namespace fail::ev {
class Loop;
}

namespace fail::check {

// A configuration error: the message names file, line, check and option.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class OptType {
  String,    // any text
  Int,       // a decimal integer (range in the description)
  Duration,  // "500ms", "5s"
  Bool,      // 1/0, yes/no, true/false, on/off
  List,      // a Tcl list of words (e.g. -status {200 204}, -depends {dns1 gw})
};

struct OptionDesc {
  const char* name;          // without the leading '-'
  OptType type;
  const char* defaultValue;  // nullptr: no default (absent unless given)
  const char* help;          // one line, for hc(8), Hcfile(5) and `hc --list-probes`
  bool required = false;
};

struct CheckSpec;
struct ProbeContext {
  ev::Loop* loop = nullptr;  // the probe's loop (its event_base, wheel and clock)
};

struct KindDesc {
  const char* kind;     // "tcp"
  const char* summary;  // one line
  std::vector<OptionDesc> options;
  // Builds the probe; may throw ConfigError for option values that parse but make no sense.
  std::unique_ptr<Probe> (*make)(const ProbeContext& ctx, const CheckSpec& spec);
};

// Options every check takes, whatever its kind (handled by the Session, not the probe):
// interval timeout rise fall depends retry warn-latency.
const std::vector<OptionDesc>& commonOptions();

struct CheckSpec {
  std::string name;
  std::string kind;
  std::string file;  // where it was declared
  int line = 0;
  std::map<std::string, std::string> options;  // given ones, plus defaults filled in
  // Resolved common options.
  std::chrono::milliseconds interval{5000}, timeout{2000}, retry{0}, warnLatency{0};
  int rise = 2, fall = 3;
  std::vector<std::string> depends;

  bool has(const std::string& opt) const { return options.count(opt) != 0; }
  // Typed getters; they throw ConfigError naming this check and option when absent or bad.
  std::string str(const std::string& opt) const;
  std::int64_t integer(const std::string& opt, std::int64_t min, std::int64_t max) const;
  std::chrono::milliseconds duration(const std::string& opt) const;
  bool flag(const std::string& opt) const;
  std::vector<std::string> list(const std::string& opt) const;
  // "FILE:LINE: check NAME: -OPT: " for messages.
  std::string where(const std::string& opt = {}) const;
};

// Checks `spec.options` against the kind's schema and the common options: unknown
// options, bad values and missing required ones are errors, all of them reported in one
// ConfigError, one per line. Fills in defaults and the resolved common fields (timeout:
// the smaller of 2 s and half the interval unless given; an explicit timeout not below
// the interval is an error).
void validate(CheckSpec& spec, const KindDesc& kind);

}  // namespace fail::check

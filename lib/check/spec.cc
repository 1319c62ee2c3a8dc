// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "check/spec.hh"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "base/text.hh"
#include "base/time.hh"
#include "proto/list.hh"

namespace fail::check {
namespace {

constexpr std::int64_t kMaxCount = 1000;  // rise, fall

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<bool> parseBool(std::string_view text) {
  std::string w = lower(text);
  if (w == "1" || w == "yes" || w == "true" || w == "on") return true;
  if (w == "0" || w == "no" || w == "false" || w == "off") return false;
  return std::nullopt;
}

const char* typeWords(OptType t) {
  switch (t) {
    case OptType::String: return "text";
    case OptType::Int: return "an integer";
    case OptType::Duration: return "a duration such as 500ms, 5s or 2m";
    case OptType::Bool: return "a boolean (1/0, yes/no, true/false, on/off)";
    case OptType::List: return "a Tcl list";
  }
  return "?";
}

// Checks that `value` has the shape `type` asks for.
bool wellFormed(OptType type, const std::string& value) {
  switch (type) {
    case OptType::String: return true;
    case OptType::Int: return parseInt(value, true).has_value();
    case OptType::Duration: return parseDurationMs(value).has_value();
    case OptType::Bool: return parseBool(value).has_value();
    case OptType::List: {
      std::vector<std::string> words;
      return proto::splitList(value, words);
    }
  }
  return false;
}

const OptionDesc* findOption(const std::vector<OptionDesc>& table, const std::string& name) {
  for (const OptionDesc& o : table)
    if (name == o.name) return &o;
  return nullptr;
}

std::string validList(const KindDesc& kind) {
  std::string out;
  for (const auto* table : {&commonOptions(), &kind.options})
    for (const OptionDesc& o : *table) {
      if (!out.empty()) out += ' ';
      out += '-';
      out += o.name;
    }
  return out;
}

}  // namespace

const std::vector<OptionDesc>& commonOptions() {
  static const std::vector<OptionDesc> table = {
      {"interval", OptType::Duration, "5s", "time between two probes"},
      {"timeout", OptType::Duration, nullptr,
       "how long one probe may take (default: the smaller of 2s and half the interval; "
       "must be below the interval)"},
      {"rise", OptType::Int, "2", "consecutive successes that make a FAIL check UP (1-1000)"},
      {"fall", OptType::Int, "3", "consecutive failures that make an UP check FAIL (1-1000)"},
      {"depends", OptType::List, "",
       "checks this one depends on: while any is FAIL, this one is FAIL without probing"},
      {"retry", OptType::Duration, "0",
       "after a first failure of an UP check, probe again after this delay instead of the "
       "interval (0: off; below the interval)"},
      {"warn-latency", OptType::Duration, "0",
       "a successful probe slower than this gets a warning attribute; the state stays UP (0: off)"},
  };
  return table;
}

std::string CheckSpec::where(const std::string& opt) const {
  std::string out = file.empty() ? "(config)" : file;
  out += ':';
  out += std::to_string(line);
  out += ": check ";
  out += name;
  out += ": ";
  if (!opt.empty()) {
    out += '-';
    out += opt;
    out += ": ";
  }
  return out;
}

std::string CheckSpec::str(const std::string& opt) const {
  auto it = options.find(opt);
  if (it == options.end()) throw ConfigError(where(opt) + "missing");
  return it->second;
}

std::int64_t CheckSpec::integer(const std::string& opt, std::int64_t min, std::int64_t max) const {
  std::string v = str(opt);
  auto n = parseInt(v, true);
  if (!n || *n < min || *n > max)
    throw ConfigError(where(opt) + "expected an integer from " + std::to_string(min) + " to " +
                      std::to_string(max) + ", got \"" + printable(v) + "\"");
  return *n;
}

std::chrono::milliseconds CheckSpec::duration(const std::string& opt) const {
  std::string v = str(opt);
  auto ms = parseDurationMs(v);
  if (!ms) throw ConfigError(where(opt) + "expected " + typeWords(OptType::Duration) + ", got \"" +
                             printable(v) + "\"");
  // The longest a check's interval, timeout or retry may be: the longest ttl (3650d), so
  // the arithmetic on it (the stagger at start, three intervals of ttl) cannot overflow.
  constexpr std::int64_t kMaxMs = 3650LL * 86'400'000;
  if (*ms > kMaxMs) throw ConfigError(where(opt) + "\"" + printable(v) + "\" is longer than 3650d");
  return std::chrono::milliseconds(*ms);
}

bool CheckSpec::flag(const std::string& opt) const {
  std::string v = str(opt);
  auto b = parseBool(v);
  if (!b) throw ConfigError(where(opt) + "expected " + typeWords(OptType::Bool) + ", got \"" +
                            printable(v) + "\"");
  return *b;
}

std::vector<std::string> CheckSpec::list(const std::string& opt) const {
  std::string v = str(opt);
  std::vector<std::string> words;
  proto::ListError err;
  if (!proto::splitList(v, words, &err))
    throw ConfigError(where(opt) + "not a Tcl list: " + err.message);
  return words;
}

namespace {

// The common options resolved into spec's fields; each error is added to `errors` and
// its option to `bad`, and an option whose value is bad is not looked at again.
void resolveCommon(CheckSpec& spec, std::vector<std::string>& errors, std::set<std::string>& bad) {
  using std::chrono::milliseconds;
  auto step = [&](const char* opt, const std::function<void()>& fn) {
    if (bad.count(opt)) return;
    try {
      fn();
    } catch (const ConfigError& e) {
      errors.push_back(e.what());
      bad.insert(opt);
    }
  };
  step("interval", [&] {
    spec.interval = spec.duration("interval");
    if (spec.interval <= milliseconds(0)) throw ConfigError(spec.where("interval") + "must be above 0");
  });
  bool intervalGood = !bad.count("interval");
  step("timeout", [&] {
    if (spec.has("timeout")) {
      spec.timeout = spec.duration("timeout");
      if (spec.timeout <= milliseconds(0)) throw ConfigError(spec.where("timeout") + "must be above 0");
      if (intervalGood && spec.timeout >= spec.interval)
        throw ConfigError(spec.where("timeout") + "must be below the interval (" +
                          formatDurationMs(spec.interval.count()) + ")");
    } else {
      spec.timeout = std::min(milliseconds(2000), spec.interval / 2);
      if (spec.timeout <= milliseconds(0)) spec.timeout = milliseconds(1);  // interval of 1ms
    }
  });
  step("rise", [&] { spec.rise = static_cast<int>(spec.integer("rise", 1, kMaxCount)); });
  step("fall", [&] { spec.fall = static_cast<int>(spec.integer("fall", 1, kMaxCount)); });
  step("retry", [&] {
    spec.retry = spec.duration("retry");
    if (intervalGood && spec.retry >= spec.interval)
      throw ConfigError(spec.where("retry") + "must be below the interval (" +
                        formatDurationMs(spec.interval.count()) + "); 0 turns it off");
  });
  step("warn-latency", [&] { spec.warnLatency = spec.duration("warn-latency"); });
  step("depends", [&] {
    spec.depends = spec.list("depends");
    for (const std::string& dep : spec.depends) {
      if (!validName(dep)) throw ConfigError(spec.where("depends") + "not a check name: \"" + printable(dep) + "\"");
      if (dep == spec.name) throw ConfigError(spec.where("depends") + "a check cannot depend on itself");
    }
  });
}

}  // namespace

void validate(CheckSpec& spec, const KindDesc& kind) {
  // Keys are option names without the dash; accept "-name" too, as the Tcl reader sees it.
  std::map<std::string, std::string> given;
  for (auto& [key, value] : spec.options) {
    std::string k = (!key.empty() && key.front() == '-') ? key.substr(1) : key;
    given[k] = value;
  }
  spec.options = std::move(given);

  if (spec.kind.empty()) spec.kind = kind.kind;
  std::vector<std::string> errors;
  std::set<std::string> bad;  // options already reported
  for (const auto& [key, value] : spec.options) {
    const OptionDesc* d = findOption(commonOptions(), key);
    if (!d) d = findOption(kind.options, key);
    if (!d) {
      errors.push_back(spec.where() + "unknown option -" + key + " for kind " + kind.kind + " (valid: " +
                       validList(kind) + ")");
      bad.insert(key);
    } else if (!wellFormed(d->type, value)) {
      errors.push_back(spec.where(key) + "expected " + typeWords(d->type) + ", got \"" + printable(value) + "\"");
      bad.insert(key);
    }
  }
  for (const auto* table : {&commonOptions(), &kind.options})
    for (const OptionDesc& o : *table) {
      if (spec.has(o.name)) continue;
      if (o.required) errors.push_back(spec.where(o.name) + "required for kind " + kind.kind);
      else if (o.defaultValue) spec.options[o.name] = o.defaultValue;
    }
  resolveCommon(spec, errors, bad);
  if (errors.empty()) return;
  std::string all;
  for (const std::string& e : errors) all += (all.empty() ? "" : "\n") + e;
  throw ConfigError(all);
}

}  // namespace fail::check

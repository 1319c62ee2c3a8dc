// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/status.hh"

#include <nlohmann/json.hpp>

#include "base/time.hh"
#include "client/format.hh"
#include "state/json.hh"

namespace fail::client {

namespace {
constexpr const char* kProgram = "failstat";
}  // namespace

const Program kFailstat = {
    "failstat",
    "[OPTIONS] [TARGET...]",
    "Prints the records of one or more servers (faild, or anything that speaks its\n"
    "protocol) as one table. A TARGET is HOST, HOST:PORT, [IPV6]:PORT or unix:PATH;\n"
    "without one, the server given by -h/-p/-u (default 127.0.0.1:1847).",
    {
        {"match", 'm', "PATTERN", "only records whose names match PATTERN (a glob)"},
        {"verbose", 'v', nullptr, "add an ATTRS column"},
    },
    nullptr,
};

TargetStatus fetchStatus(const ClientOptions& opts, const Target& target,
                         const std::string& pattern) {
  TargetStatus ts;
  ts.target = target;
  Session s(opts, target, kProgram);
  Reply reply;
  std::vector<std::string> words{"LIST"};
  if (!pattern.empty()) words.push_back(pattern);
  if (!s.open(ts.failure) || !s.request(words, "list", reply, ts.failure)) return ts;
  std::optional<std::uint64_t> serial;
  if (!reply.words.empty()) serial = parseUint(reply.words[0]);
  std::string why = "no serial";
  if (serial) {
    ts.records.resize(reply.words.size() - 1);
    for (size_t i = 1; i < reply.words.size(); ++i) {
      if (!state::decodeRecord(reply.words[i], ts.records[i - 1], &why)) {
        serial.reset();
        break;
      }
    }
  }
  if (!serial) {
    ts.records.clear();
    ts.failure = {Exit::Failed, "list at " + s.where() + ": malformed reply: " + why};
    return ts;
  }
  Failure ignored;
  s.sendLine({"QUIT"}, ignored);
  ts.serial = *serial;
  ts.ok = true;
  return ts;
}

Exit combineExits(const std::vector<Exit>& exits) {
  static const Exit order[] = {Exit::Unreachable, Exit::Denied, Exit::Failed, Exit::NotFound,
                               Exit::Usage};
  for (Exit e : order)
    for (Exit x : exits)
      if (x == e) return e;
  return Exit::Ok;
}

std::string renderStatus(const std::vector<TargetStatus>& all, bool json, bool withTarget,
                         bool withAttrs, Micros now) {
  if (json) {
    nlohmann::ordered_json targets = nlohmann::ordered_json::array();
    for (const auto& ts : all) {
      nlohmann::ordered_json t{{"target", ts.target.display()}};
      if (ts.ok) {
        nlohmann::ordered_json records = nlohmann::ordered_json::array();
        for (const auto& r : ts.records) records.push_back(state::recordJson(r));
        t["serial"] = ts.serial;
        t["records"] = records;
      } else {
        t["error"] = ts.failure.message;
        t["exit"] = static_cast<int>(ts.failure.exit);
      }
      targets.push_back(t);
    }
    return state::dumpJson({{"targets", targets}}) + "\n";
  }
  std::vector<std::string> headers = recordHeaders(withAttrs);
  if (withTarget) headers.insert(headers.begin(), "TARGET");
  Table table(headers);
  for (const auto& ts : all) {
    for (const auto& r : ts.records) {
      std::vector<std::string> cells = recordCells(r, now, withAttrs);
      if (withTarget) cells.insert(cells.begin(), ts.target.display());
      table.addRow(std::move(cells));
    }
  }
  return table.render();
}

int runFailstat(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const ClientOptions& opts = args.opts;
  std::vector<Target> targets;
  if (args.operands.empty()) {
    targets.push_back(opts.target);
  } else {
    if (opts.targetGiven) {
      return report(err, kProgram, {Exit::Usage, "give targets either as operands or with -h/-u, not both"}, opts.json);
    }
    for (const auto& text : args.operands) {
      Target t;
      std::string why;
      if (!parseTarget(text, opts.target.port, t, why)) {
        return report(err, kProgram, {Exit::Usage, why}, opts.json);
      }
      targets.push_back(std::move(t));
    }
  }
  std::string pattern = args.last("match").value_or("");
  std::vector<TargetStatus> all;
  std::vector<Exit> exits;
  for (const auto& t : targets) {
    all.push_back(fetchStatus(opts, t, pattern));
    if (!all.back().ok) report(err, kProgram, all.back().failure, opts.json);
    exits.push_back(all.back().ok ? Exit::Ok : all.back().failure.exit);
  }
  bool anyOk = false;
  for (const auto& ts : all) anyOk = anyOk || ts.ok;
  if (anyOk || opts.json)
    out << renderStatus(all, opts.json, targets.size() > 1, args.has("verbose"), wallNow());
  out.flush();
  return static_cast<int>(combineExits(exits));
}

}  // namespace fail::client

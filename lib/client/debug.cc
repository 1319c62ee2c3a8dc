// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/debug.hh"

#include <nlohmann/json.hpp>

#include "base/log.hh"
#include "base/text.hh"
#include "client/format.hh"
#include "client/session.hh"
#include "state/json.hh"

namespace fail::client {

namespace {

constexpr const char* kProgram = "faildebug";

int usageError(std::ostream& err, const std::string& msg, bool json) {
  return report(err, kProgram, {Exit::Usage, msg}, json);
}

// Sends `words` (a DEBUG request) and reads the pairs of its reply.
bool askLevels(Session& s, const std::vector<std::string>& words, Levels& levels, Failure& f) {
  Reply reply;
  std::string what = words.size() > 1 ? "debug " + printable(words[1]) : "debug";
  if (!s.request(words, what, reply, f)) return false;
  if (!parseLevels(reply.words, levels)) {
    f = {Exit::Failed,
         what + " at " + s.where() + ": malformed reply: " + printable(reply.line, 80)};
    return false;
  }
  return true;
}

const std::pair<std::string, std::string>* findFacility(const Levels& levels,
                                                        std::string_view name) {
  for (const auto& p : levels)
    if (p.first == name) return &p;
  return nullptr;
}

Failure noSuchFacility(const Session& s, const std::string& name, const Levels& levels) {
  std::string known;
  for (const auto& p : levels) known += (known.empty() ? "" : " ") + p.first;
  return {Exit::NotFound, "debug at " + s.where() + ": no facility '" + printable(name) +
                              "' (known: " + known + ")"};
}

}  // namespace

const Program kFaildebug = {
    "faildebug",
    "[OPTIONS] [FACILITY [LEVEL]]",
    "Prints or changes the log levels of a running faild, failsh or hc. Without\n"
    "operands, prints every facility's level; with FACILITY, that one's; with a LEVEL\n"
    "(err, warning, notice, info, debug; + or - for one step more or less), sets it.\n"
    "FACILITY 'all' sets every facility. Needs RW access on '*'.",
    {},
    nullptr,
};

bool parseLevels(const std::vector<std::string>& words, Levels& out) {
  out.clear();
  if (words.size() % 2) return false;
  for (size_t i = 0; i < words.size(); i += 2) out.emplace_back(words[i], words[i + 1]);
  return true;
}

std::string stepLevel(std::string_view current, char direction) {
  log::Level level;
  if (!log::parseLevel(current, level)) return {};
  int v = static_cast<int>(level) + (direction == '+' ? 1 : -1);
  v = std::clamp(v, static_cast<int>(log::Level::Err), static_cast<int>(log::Level::Debug));
  return log::levelName(static_cast<log::Level>(v));
}

std::string renderLevels(const Levels& levels, bool json) {
  if (json) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [fac, level] : levels) j[fac] = level;
    return state::dumpJson(j) + "\n";
  }
  Table t({"FACILITY", "LEVEL"});
  for (const auto& [fac, level] : levels) t.addRow({escapeControls(fac), escapeControls(level)});
  return t.render();
}

int runFaildebug(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  const auto& ops = args.operands;
  if (ops.size() > 2) return usageError(err, "usage: faildebug [OPTIONS] [FACILITY [LEVEL]]", args.opts.json);
  std::string level;
  if (ops.size() == 2) {
    level = ops[1];
    log::Level parsed;
    bool step = level == "+" || level == "-";
    if (!step && !log::parseLevel(level, parsed))
      return usageError(err, "bad level '" + printable(level) + "' (err, warning, notice, info, debug, + or -)", args.opts.json);
    if (step && ops[0] == "all") return usageError(err, "'all' takes a level name, not + or -", args.opts.json);
  }

  Session s(args.opts, args.opts.target, kProgram);
  Failure f;
  Levels levels;
  if (!s.open(f)) return report(err, kProgram, f, args.opts.json);
  if (ops.empty() || level.empty() || level == "+" || level == "-") {
    if (!askLevels(s, {"DEBUG"}, levels, f)) return report(err, kProgram, f, args.opts.json);
    if (!ops.empty() && !(ops[0] == "all" && level.empty())) {
      const auto* p = findFacility(levels, ops[0]);
      if (!p) return report(err, kProgram, noSuchFacility(s, ops[0], levels), args.opts.json);
      if (!level.empty()) {
        level = stepLevel(p->second, level[0]);
        if (level.empty()) {
          f = {Exit::Failed, "debug at " + s.where() + ": unknown level '" + printable(p->second) +
                                 "' for " + p->first};
          return report(err, kProgram, f, args.opts.json);
        }
      } else {
        levels = {*p};
      }
    }
  }
  if (!level.empty()) {
    if (!askLevels(s, {"DEBUG", ops[0], level}, levels, f)) return report(err, kProgram, f, args.opts.json);
    // "all" answers "all LEVEL": show what every facility is now instead.
    if (ops[0] == "all" && !askLevels(s, {"DEBUG"}, levels, f)) return report(err, kProgram, f, args.opts.json);
  }
  Failure ignored;
  s.sendLine({"QUIT"}, ignored);
  out << renderLevels(levels, args.opts.json);
  out.flush();
  return static_cast<int>(Exit::Ok);
}

}  // namespace fail::client

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/commands.hh"

#include <ctime>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/text.hh"
#include "client/format.hh"
#include "client/history.hh"
#include "client/session.hh"
#include "client/watch.hh"
#include "proto/list.hh"
#include "proto/request.hh"
#include "state/record.hh"
#include "state/json.hh"

namespace fail::client {

namespace {

constexpr const char* kProgram = "failc";

// What a subcommand's run needs: the arguments, its operands (after the subcommand
// word), the streams.
struct Context {
  const ParsedArgs& args;
  std::vector<std::string> operands;
  std::ostream& out;
  std::ostream& err;
  bool verbose() const { return args.has("verbose"); }
  bool json() const { return args.opts.json; }
};

// Prints a successful reply; a reply that does not parse is a Failed failure.
using Printer = bool (*)(Context& ctx, Session& s, const Reply& reply, Failure& f);

struct Subcommand {
  const char* name;
  const char* operands;  // for help: "NAME STATE"
  const char* help;
  size_t minOperands;
  size_t maxOperands;
  std::vector<std::string_view> options;  // program options it takes (besides -v)
  Printer print;                          // null: watch, which streams
};

Failure malformed(const Session& s, std::string_view what, const std::string& why) {
  return {Exit::Failed, std::string(what) + " at " + s.where() + ": malformed reply: " + why};
}

bool decodeOrFail(const Session& s, std::string_view what, const std::string& dict,
                  state::Record& r, Failure& f) {
  std::string why;
  if (state::decodeRecord(dict, r, &why)) return true;
  f = malformed(s, what, why);
  return false;
}

// "OK CHANGE 42", "OK REFRESH 42", "OK DELETED 42".
bool printSerialResult(Context& ctx, Session& s, const Reply& reply, Failure& f) {
  std::optional<std::uint64_t> serial;
  if (reply.words.size() >= 2) serial = parseUint(reply.words[1]);
  if (!serial) {
    f = malformed(s, ctx.args.operands[0], printable(reply.line, 80));
    return false;
  }
  std::string result = reply.words[0];
  for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ctx.json())
    ctx.out << state::dumpJson({{"result", result}, {"serial", *serial}}) << "\n";
  else if (ctx.verbose())
    ctx.out << result << " serial " << *serial << "\n";
  return true;
}

bool printGet(Context& ctx, Session& s, const Reply& reply, Failure& f) {
  state::Record r;
  if (reply.words.size() != 1) {
    f = malformed(s, "get", printable(reply.line, 80));
    return false;
  }
  if (!decodeOrFail(s, "get", reply.words[0], r, f)) return false;
  if (ctx.json())
    ctx.out << state::dumpJson(recordJson(r)) << "\n";
  else
    ctx.out << recordLine(r, wallNow()) << "\n";
  return true;
}

bool printList(Context& ctx, Session& s, const Reply& reply, Failure& f) {
  std::optional<std::uint64_t> serial;
  if (!reply.words.empty()) serial = parseUint(reply.words[0]);
  if (!serial) {
    f = malformed(s, "list", printable(reply.line, 80));
    return false;
  }
  std::vector<state::Record> records(reply.words.size() - 1);
  for (size_t i = 1; i < reply.words.size(); ++i)
    if (!decodeOrFail(s, "list", reply.words[i], records[i - 1], f)) return false;
  if (ctx.json()) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& r : records) arr.push_back(state::recordJson(r));
    ctx.out << state::dumpJson({{"serial", *serial}, {"records", arr}}) << "\n";
    return true;
  }
  Micros now = wallNow();
  Table t(recordHeaders(ctx.verbose()));
  for (const auto& r : records) t.addRow(recordCells(r, now, ctx.verbose()));
  ctx.out << t.render();
  return true;
}

bool printStats(Context& ctx, Session& s, const Reply& reply, Failure& f) {
  if (reply.words.size() % 2) {
    f = malformed(s, "stats", printable(reply.line, 80));
    return false;
  }
  if (ctx.json()) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (size_t i = 0; i < reply.words.size(); i += 2) {
      auto n = parseInt(reply.words[i + 1], true);
      if (n)
        j[reply.words[i]] = *n;
      else
        j[reply.words[i]] = reply.words[i + 1];
    }
    ctx.out << state::dumpJson(j) << "\n";
    return true;
  }
  Table t({"KEY", "VALUE"});
  for (size_t i = 0; i < reply.words.size(); i += 2)
    t.addRow({escapeControls(reply.words[i]), escapeControls(reply.words[i + 1])});
  ctx.out << t.render();
  return true;
}

bool printPing(Context& ctx, Session& s, const Reply& reply, Failure& f) {
  std::string server;
  for (size_t i = 0; i < s.hello().size() && i < 2; ++i) server += (i ? " " : "") + s.hello()[i];
  if (ctx.json())
    ctx.out << state::dumpJson({{"result", "pong"}, {"target", s.where()}, {"server", server}}) << "\n";
  else
    ctx.out << "PONG from " << s.where() << (server.empty() ? "" : " (" + server + ")") << "\n";
  return true;
}

Output outputOf(const Context& ctx) {
  return ctx.json() ? Output::Json : ctx.args.has("csv") ? Output::Csv : Output::Table;
}

bool printHistory(Context& ctx, Session& s, const Reply& reply, Failure& f) {
  bool more = false;
  std::string why;
  if (!writeHistory(reply.words, outputOf(ctx), wallNow(), ctx.out, more, why)) {
    f = malformed(s, "history", why);
    return false;
  }
  if (more && !ctx.json())
    ctx.err << "failc: older changes were left out (the newest " << reply.words.size() - 1
            << " are shown): narrow --since or raise --limit (at most "
            << proto::kMaxHistoryLimit << ")\n";
  return true;
}

bool printReport(Context& ctx, Session& s, const Reply& reply, Failure& f) {
  std::string why;
  if (writeReport(reply.words, outputOf(ctx), ctx.out, why)) return true;
  f = malformed(s, "report", why);
  return false;
}

const std::vector<Subcommand> kSubcommands = {
    {"set",
     "NAME STATE",
     "set a record's state: UP, RECOVER, FAIL or UNKNOWN",
     2,
     2,
     {"ttl", "note", "attr", "at"},
     printSerialResult},
    {"get", "NAME", "print one record", 1, 1, {}, printGet},
    {"list",
     "[PATTERN]",
     "print the records whose names match PATTERN (a glob)",
     0,
     1,
     {},
     printList},
    {"del", "NAME", "delete a record", 1, 1, {}, printSerialResult},
    {"watch",
     "[PATTERN]",
     "print the matching records, then every change, until interrupted",
     0,
     1,
     {"since", "reconnect"},
     nullptr},
    {"history",
     "PATTERN",
     "print the changes of the records whose names match PATTERN, oldest first",
     1,
     1,
     {"since", "until", "limit", "csv"},
     printHistory},
    {"report",
     "PATTERN",
     "print each matching record's availability: time UP, outages, mean time to recovery",
     1,
     1,
     {"since", "until", "csv"},
     printReport},
    {"stats", "", "print the server's counters", 0, 0, {}, printStats},
    {"ping", "", "check that the server answers", 0, 0, {}, printPing},
    // RFC 2136: runs in failc's own update runner (lib/dns), not against a faild.
    {"update",
     "NAME TYPE ADDRESS...",
     "replace NAME's A or AAAA records in a name server (RFC 2136, TSIG)",
     3,
     1000,
     {"server", "zone", "tsig-file", "expect", "ttl"},
     nullptr},
};

const Subcommand* findSubcommand(std::string_view name) {
  for (const auto& sc : kSubcommands)
    if (name == sc.name) return &sc;
  return nullptr;
}

std::string subcommandHelp() {
  std::ostringstream out;
  out << "Subcommands:\n";
  for (const auto& sc : kSubcommands) {
    std::string left = std::string(sc.name) + (*sc.operands ? " " : "") + sc.operands;
    out << "  " << left << std::string(left.size() < 18 ? 18 - left.size() : 1, ' ') << sc.help
        << "\n";
  }
  return out.str();
}

// Checks the operand count and that every given option applies to the subcommand.
bool checkUsage(const Subcommand& sc, const ParsedArgs& args, std::string& err) {
  size_t n = args.operands.size() - 1;
  if (n < sc.minOperands || n > sc.maxOperands) {
    err = std::string("usage: failc ") + sc.name + (*sc.operands ? " " : "") + sc.operands;
    return false;
  }
  for (const auto& [opt, value] : args.extra) {
    if (opt == "verbose" || opt == "as") continue;  // every subcommand takes these
    bool ok = false;
    for (auto o : sc.options) ok = ok || o == opt;
    if (!ok) {
      err = "option --" + opt + " does not apply to '" + sc.name + "'";
      return false;
    }
  }
  return true;
}

bool checkName(const std::string& name, std::string& err) {
  if (validName(name)) return true;
  err = "bad name '" + printable(name) + "' (1-255 of letters, digits and . _ - : @ /)";
  return false;
}

bool buildSet(const ParsedArgs& args, std::vector<std::string>& words, std::string& err) {
  const std::string& name = args.operands[1];
  if (!checkName(name, err)) return false;
  auto st = state::parseState(args.operands[2]);
  if (!st) {
    err = "bad state '" + printable(args.operands[2]) + "' (UP, RECOVER, FAIL or UNKNOWN)";
    return false;
  }
  words = {"SET", name, state::stateName(*st)};
  if (auto ttl = args.last("ttl")) {
    auto ms = parseDurationMs(*ttl);
    if (!ms) return err = "bad duration '" + printable(*ttl) + "' for --ttl", false;
    if (*ms > state::kMaxTtlMs)
      return err = "--ttl " + printable(*ttl) + " is longer than " +
                   formatDurationMs(state::kMaxTtlMs) + ", the longest ttl",
             false;
    words.push_back("ttl=" + formatDurationMs(*ms));
  }
  if (auto note = args.last("note")) words.push_back("note=" + *note);
  if (auto at = args.last("at")) {
    auto t = parseAtTime(*at, wallNow());
    if (!t) {
      err = "bad time '" + printable(*at) +
            "' for --at (say -5m, @1763784000, '2026-11-22 04:05:59' or microseconds)";
      return false;
    }
    words.push_back("at=" + std::to_string(*t));
  }
  for (const std::string& kv : args.all("attr")) {
    size_t eq = kv.find('=');
    std::string key = kv.substr(0, eq);
    if (eq == std::string::npos || !state::validAttrKey(key) || key == "ttl" || key == "note" ||
        key == "at") {
      err = "bad attribute '" + printable(kv) +
            "' (say KEY=VALUE, KEY 1-64 of a-z A-Z 0-9 _ . -, not ttl, note or at)";
      return false;
    }
    words.push_back(kv);
  }
  return true;
}

// failc history PATTERN and failc report PATTERN, with --since, --until, --limit.
bool buildHistory(const ParsedArgs& args, std::vector<std::string>& words, std::string& err) {
  bool history = args.operands[0] == "history";
  if (args.opts.json && args.has("csv")) return err = "--json and --csv exclude each other", false;
  words = {history ? "HISTORY" : "REPORT", args.operands[1]};
  Micros now = wallNow();
  for (const char* key : {"since", "until"}) {
    auto v = args.last(key);
    if (!v) continue;
    auto arg = historyTimeArg(*v, now);
    if (!arg)
      return err = "bad time '" + printable(*v) + "' for --" + key +
                   " (say 1h or 30d for that long ago, @1763784000, '2026-11-22 04:05' or microseconds)",
             false;
    words.push_back(std::string(key) + "=" + *arg);
  }
  if (auto v = args.last("limit")) {
    auto n = parseUint(*v);
    if (!n || *n == 0 || *n > proto::kMaxHistoryLimit)
      return err = "bad --limit '" + printable(*v) + "' (1 to " +
                   std::to_string(proto::kMaxHistoryLimit) + ")",
             false;
    words.push_back("limit=" + std::to_string(*n));
  }
  return true;
}

}  // namespace

const Program kFailc = {
    "failc",
    "[OPTIONS] SUBCOMMAND [ARGS]",
    "Changes and inspects the records held by a faild (or anything that speaks its\n"
    "protocol).",
    {
        {"ttl", 0, "DURATION",
         "set: turn UNKNOWN unless set again within DURATION (at most 3650d); update: the records' TTL "
         "(default 60s)"},
        {"note", 0, "TEXT", "set: the record's note (default: none)"},
        {"attr", 0, "KEY=VALUE", "set: an attribute (repeatable; KEY= removes it)"},
        {"at", 0, "TIME", "set: when the change really happened (-5m, @SECONDS, a date)"},
        {"since", 0, "SERIAL|TIME",
         "watch: resume after SERIAL instead of listing first; history, report: from TIME, or "
         "DURATION ago (1h, 30d; report's default 30d)"},
        {"until", 0, "TIME", "history, report: up to TIME, or DURATION ago (default now)"},
        {"limit", 0, "N", "history: the newest N changes (default 1000, at most 10000)"},
        {"csv", 0, nullptr, "history, report: print CSV (RFC 4180) with a header row"},
        {"reconnect", 0, nullptr, "watch: reconnect and resume when the connection drops"},
        {"verbose", 'v', nullptr, "say what set and del did; list: add an ATTRS column"},
        {"as", 0, "NAME", "name this client NAME in HELLO: the origin of what it sets (default failc)"},
        {"server", 0, "ADDRESS[:PORT]", "update: the primary name server (port 53 by default)"},
        {"zone", 0, "ZONE", "update: the zone NAME is in"},
        {"tsig-file", 0, "FILE", "update: the TSIG key (tsig-keygen's or Knot's format, or ALGORITHM:NAME:SECRET)"},
        {"expect", 0, "ADDRESS", "update: only if NAME holds exactly these records now (repeatable; none: no records)"},
    },
    subcommandHelp,
};

std::optional<Micros> parseAtTime(std::string_view text, Micros now) {
  if (text.empty()) return std::nullopt;
  if (text[0] == '-') {
    auto ms = parseDurationMs(text.substr(1));
    if (!ms) return std::nullopt;
    return now - *ms * 1000;
  }
  if (text[0] == '@') {
    std::string_view s = text.substr(1);
    size_t dot = s.find('.');
    auto secs = parseInt(s.substr(0, dot));
    if (!secs || *secs > 9'000'000'000'000LL) return std::nullopt;
    Micros t = *secs * 1'000'000;
    if (dot != std::string_view::npos) {
      std::string frac(s.substr(dot + 1));
      if (frac.empty() || frac.size() > 6 || !parseInt(frac)) return std::nullopt;
      frac.resize(6, '0');
      t += *parseInt(frac);
    }
    return t;
  }
  if (auto n = parseInt(text)) {
    if (*n < 1'000'000'000'000'000LL) return std::nullopt;  // seconds, surely: say @S
    return *n;
  }
  std::string s(text);
  bool utc = !s.empty() && (s.back() == 'Z' || s.back() == 'z');
  if (utc) s.pop_back();
  for (char& c : s)
    if (c == 'T') c = ' ';
  struct tm tm {};
  const char* end = strptime(s.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
  if (!end || *end) {
    tm = {};
    end = strptime(s.c_str(), "%Y-%m-%d %H:%M", &tm);
    if (!end || *end) return std::nullopt;
  }
  tm.tm_isdst = -1;
  time_t t = utc ? timegm(&tm) : mktime(&tm);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  return static_cast<Micros>(t) * 1'000'000;
}

bool buildRequest(const ParsedArgs& args, std::vector<std::string>& words, std::string& err) {
  if (args.operands.empty()) return err = "no subcommand (try failc --help)", false;
  const Subcommand* sc = findSubcommand(args.operands[0]);
  if (!sc) return err = "unknown subcommand '" + printable(args.operands[0]) + "'", false;
  if (!checkUsage(*sc, args, err)) return false;
  std::string_view name = sc->name;
  if (name == "set") return buildSet(args, words, err);
  if (name == "get" || name == "del") {
    if (!checkName(args.operands[1], err)) return false;
    words = {name == "get" ? "GET" : "DEL", args.operands[1]};
  } else if (name == "list") {
    words = {"LIST"};
    if (args.operands.size() > 1) words.push_back(args.operands[1]);
  } else if (name == "history" || name == "report") {
    return buildHistory(args, words, err);
  } else if (name == "stats") {
    words = {"STATS"};
  } else if (name == "ping") {
    words = {"PING"};
  } else {
    return err = "'" + std::string(name) + "' streams; it builds no single request", false;
  }
  return true;
}

bool helloName(const ParsedArgs& args, std::string& name, std::string& err) {
  name = args.last("as").value_or(kProgram);
  if (proto::validClientName(name)) return true;
  err = "bad name '" + printable(name, 80) + "' for --as: 1-" + std::to_string(proto::kMaxClientName) +
        " printable characters, no spaces";
  return false;
}

int runFailc(const ParsedArgs& args, std::ostream& out, std::ostream& err) {
  return runFailc(args, out, err, nullptr);
}

int runFailc(const ParsedArgs& args, std::ostream& out, std::ostream& err, UpdateRunner update) {
  auto usageError = [&](const std::string& msg) { return report(err, kProgram, {Exit::Usage, msg}, args.opts.json); };
  if (args.operands.empty()) return usageError("no subcommand (try failc --help)");
  const Subcommand* sc = findSubcommand(args.operands[0]);
  if (!sc) return usageError("unknown subcommand '" + printable(args.operands[0]) + "'");
  std::string msg, name;
  if (!helloName(args, name, msg)) return usageError(msg);
  if (!sc->print) {  // watch, update
    if (!checkUsage(*sc, args, msg)) return usageError(msg);
    if (std::string_view(sc->name) == "update")
      return update ? update(args, out, err) : usageError("update is not built into this program");
    return runWatch(args, out, err);
  }
  std::vector<std::string> words;
  if (!buildRequest(args, words, msg)) return usageError(msg);

  Context ctx{args, {args.operands.begin() + 1, args.operands.end()}, out, err};
  Session session(args.opts, args.opts.target, name);
  Failure f;
  std::string what = sc->name;
  if (!ctx.operands.empty()) what += " " + printable(ctx.operands[0]);
  Reply reply;
  if (!session.open(f) || !session.request(words, what, reply, f) ||
      !sc->print(ctx, session, reply, f))
    return report(err, kProgram, f, args.opts.json);
  session.sendLine({"QUIT"}, f);  // courtesy; the reply is not awaited
  out.flush();
  return static_cast<int>(Exit::Ok);
}

}  // namespace fail::client

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "base/cli.hh"

#include <getopt.h>

#include <algorithm>
#include <string>

#include "base/log.hh"

namespace fail::cli {

namespace {

// Values getopt_long returns for long options: kLongBase + index in the table (above
// every short option character).
constexpr int kLongBase = 256;

}  // namespace

std::vector<std::string> parse(int argc, char** argv, const std::vector<Option>& options) {
  std::vector<option> longs;
  std::string shorts = ":";  // leading ':' : missing arguments reported as ':'
  for (size_t i = 0; i < options.size(); ++i) {
    const Option& o = options[i];
    longs.push_back({o.longName, o.argName ? required_argument : no_argument, nullptr,
                     static_cast<int>(kLongBase + i)});
    if (o.shortName) {
      shorts += o.shortName;
      if (o.argName) shorts += ':';
    }
  }
  longs.push_back({nullptr, 0, nullptr, 0});
  optind = 0;  // glibc: full reinitialisation, so a program (or a test) may parse twice
  opterr = 0;
  std::vector<std::string> operands;
  while (true) {
    int c = getopt_long(argc, argv, shorts.c_str(), longs.data(), nullptr);
    if (c == -1) break;
    if (c == '?' || c == ':') {
      std::string what = optopt > 0 && optopt < kLongBase ? std::string("-") + static_cast<char>(optopt)
                                                          : std::string(argv[optind - 1]);
      if (optopt >= kLongBase) what = std::string("--") + options[static_cast<size_t>(optopt - kLongBase)].longName;
      throw UsageError(c == '?' ? "unknown option '" + what + "'" : "option '" + what + "' needs an argument");
    }
    const Option* o = nullptr;
    if (c >= kLongBase) {
      o = &options[static_cast<size_t>(c - kLongBase)];
    } else {
      for (const auto& opt : options)
        if (opt.shortName == c) o = &opt;
    }
    if (!o) throw UsageError("unknown option");
    o->apply(o->argName && optarg ? std::string(optarg) : std::string());
  }
  for (int i = optind; i < argc; ++i) operands.emplace_back(argv[i]);
  return operands;
}

std::string help(const std::vector<Row>& rows) {
  std::vector<std::string> left;
  size_t width = 0;
  for (const auto& o : rows) {
    std::string l = o.shortName ? std::string("  -") + o.shortName + ", " : std::string("      ");
    l += "--";
    l += o.longName;
    if (o.argName) {
      l += ' ';
      l += o.argName;
    }
    width = std::max(width, l.size());
    left.push_back(std::move(l));
  }
  std::string out;
  for (size_t i = 0; i < rows.size(); ++i) {
    out += left[i];
    out.append(width + 2 - left[i].size(), ' ');
    out += rows[i].help;
    out += '\n';
  }
  return out;
}

std::string help(const std::vector<Option>& options) {
  std::vector<Row> rows;
  for (const auto& o : options) rows.push_back(o.row());
  return help(rows);
}

void setUpLogging(const char* program, const std::vector<const char*>& facilities, const LogSettings& s) {
  for (const char* f : facilities) log::facility(f);
  if (s.logTo == "syslog" || (s.logTo.empty() && s.daemon))
    log::openSink(log::Sink::Syslog, program);
  else if (!s.logTo.empty() && s.logTo != "stderr")
    log::openSink(log::Sink::File, program, s.logTo);
  else
    log::openSink(log::Sink::Stderr, program);
  for (const auto& [fac, lvl] : s.levels) {
    log::Level level;
    if (!log::parseLevel(lvl, level)) throw UsageError("-d " + fac + "=" + lvl + ": unknown level");
    if (!log::setLevel(fac, level)) throw UsageError("-d " + fac + ": unknown facility");
  }
}

}  // namespace fail::cli

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "mon/options.hh"

#include <sstream>

#include "base/time.hh"
#include "base/version.hh"
#include "client/options.hh"

namespace fail::mon {

namespace {

using cli::UsageError;

// What the table's actions collect before the targets are resolved.
struct Raw {
  Options o;
  std::string port = kDefaultMonitorPort;
  std::string secret, secretFile;
  bool secretGiven = false;
  client::TlsOptions tls;
  std::string modeOption;  // the mode option given first, for "excludes" messages
};

void setMode(Raw& r, Mode m, const char* option) {
  if (r.o.modeGiven && r.o.mode != m) throw UsageError(std::string(option) + " excludes " + r.modeOption);
  r.o.mode = m;
  r.o.modeGiven = true;
  r.modeOption = option;
}

std::vector<cli::Option> table(Raw& r) {
  return {
      {"curses", 'c', nullptr, "full-screen display in the terminal (the default)",
       [&r](const std::string&) { setMode(r, Mode::Curses, "-c"); }},
      {"lines", 'l', nullptr, "line mode: print the state each time a line is read on stdin (q or EOF ends)",
       [&r](const std::string&) { setMode(r, Mode::Lines, "-l"); }},
      {"html", 'h', nullptr, "print the state once as an HTML page",
       [&r](const std::string&) { setMode(r, Mode::Html, "-h"); }},
      {"once", '1', nullptr, "print the state once as text and exit (4 when a target is unreachable)",
       [&r](const std::string&) { setMode(r, Mode::Once, "-1"); }},
      {"json", 0, nullptr, "print the state as JSON (once, or with -l on each line read)",
       [&r](const std::string&) { r.o.json = true; }},
      {"port", 'p', "PORT", "the port of targets given without one (default 1848, failsh's monitor port)",
       [&r](const std::string& v) {
         auto n = parseInt(v);
         if (!n || *n < 1 || *n > 65535) throw UsageError("bad port '" + v + "' for -p (1-65535)");
         r.port = v;
       }},
      {"secret", 's', "SECRET", "authenticate with SECRET (others may see it in ps)",
       [&r](const std::string& v) { r.secret = v, r.secretGiven = true; }},
      {"secret-file", 0, "FILE", "read the secret from the first line of FILE",
       [&r](const std::string& v) { r.secretFile = v; }},
      {"tls", 0, nullptr, "speak TLS, verifying each target's certificate and name",
       [&r](const std::string&) { r.tls.enabled = true; }},
      {"ca", 0, "FILE", "trust the CA certificates in FILE (implies --tls)",
       [&r](const std::string& v) { r.tls.ca = v, r.tls.enabled = true; }},
      {"cert", 0, "FILE", "present the client certificate in FILE (implies --tls)",
       [&r](const std::string& v) { r.tls.cert = v, r.tls.enabled = true; }},
      {"key", 0, "FILE", "the private key for --cert (default: in the --cert file)",
       [&r](const std::string& v) { r.tls.key = v; }},
      {"timeout", 't', "DURATION", "-1, -h, --json: how long to wait for the targets (default 5s)",
       [&r](const std::string& v) {
         auto ms = parseDurationMs(v);
         if (!ms || *ms <= 0) throw UsageError("bad duration '" + v + "' for --timeout (say 500ms, 5s, 1m)");
         r.o.timeout = std::chrono::milliseconds(*ms);
       }},
      {"debug", 'd', "FACILITY[=LEVEL]", "log FACILITY (failmon, link, screen, or all) to stderr at debug or LEVEL",
       [&r](const std::string& v) {
         auto eq = v.find('=');
         r.o.levels.emplace_back(v.substr(0, eq), eq == std::string::npos ? "debug" : v.substr(eq + 1));
       }},
      {"help", 0, nullptr, "print this help and exit", [&r](const std::string&) { r.o.help = true; }},
      {"version", 'V', nullptr, "print the version and exit", [&r](const std::string&) { r.o.version = true; }},
  };
}

// The secret from -s, --secret-file or the environment.
std::string resolveSecret(const Raw& r, const char* envSecret) {
  if (r.secretGiven && !r.secretFile.empty()) throw UsageError("-s excludes --secret-file");
  if (r.secretGiven) return r.secret;
  if (!r.secretFile.empty()) {
    std::string secret, err;
    if (!client::readSecretFile(r.secretFile, secret, err)) throw UsageError(err);
    return secret;
  }
  return envSecret ? envSecret : "";
}

void checkCombination(const Options& o) {
  if (o.json && o.modeGiven && (o.mode == Mode::Curses || o.mode == Mode::Html))
    throw UsageError(std::string("--json excludes ") + (o.mode == Mode::Curses ? "-c" : "-h"));
}

}  // namespace

const std::vector<const char*>& logFacilities() {
  static const std::vector<const char*> f = {"failmon", "link", "screen"};
  return f;
}

std::vector<cli::Row> optionRows() {
  Raw r;
  std::vector<cli::Row> rows;
  for (const auto& o : table(r)) rows.push_back(o.row());
  return rows;
}

std::string usage() {
  std::ostringstream out;
  out << "Usage: failmon [-c|-l|-h|-1] [--json] [OPTION]... [TARGET]...\n\n"
      << "Shows the state of failover as it happens: the records of one or more faild, the\n"
      << "hosts and services of failsh monitor ports, the checks of hc monitor ports (each\n"
      << "recognised from its greeting). TARGET is HOST, HOST:PORT, [V6]:PORT or unix:PATH;\n"
      << "without one, 127.0.0.1:1848 (the local failsh). Called as failmon.cgi or hcmon.cgi\n"
      << "it answers as a CGI program (failmon(1)).\n\n"
      << "Options:\n"
      << cli::help(optionRows())
      << "\nThe secret may also come from the environment variable FAIL_SECRET.\n"
      << "Exit status: 0 done, 1 a terminal error, 2 usage, 4 a target could not be\n"
      << "reached (-1, -h, --json).\n";
  return out.str();
}

std::string versionLine() { return std::string("failmon (failover) ") + kVersion; }

Options parseOptions(int argc, char** argv, const char* envSecret) {
  Raw r;
  std::vector<std::string> operands = cli::parse(argc, argv, table(r));
  Options o = std::move(r.o);
  if (o.help || o.version) return o;
  checkCombination(o);
  if (!r.tls.key.empty() && r.tls.cert.empty()) throw UsageError("--key needs --cert");
  std::string secret = resolveSecret(r, envSecret);
  if (operands.empty()) operands.push_back("127.0.0.1");
  for (const std::string& text : operands) {
    TargetSpec t;
    std::string err;
    if (!client::parseTarget(text, r.port, t.link.target, err)) throw UsageError("target '" + text + "': " + err);
    t.name = t.link.target.display();
    t.link.name = t.name;
    t.link.secret = secret;
    t.link.tls = r.tls;
    o.targets.push_back(std::move(t));
  }
  return o;
}

}  // namespace fail::mon

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/options.hh"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/time.hh"
#include "base/version.hh"

namespace fail::client {

namespace {

const std::vector<OptionSpec> kShared = {
    {"host", 'h', "HOST", "connect to HOST (default 127.0.0.1)"},
    {"port", 'p', "PORT", "connect to TCP port PORT (default 1847)"},
    {"unix", 'u', "unix:PATH", "connect to the Unix socket PATH instead"},
    {"secret", 's', "SECRET", "authenticate with SECRET (others may see it in ps)"},
    {"secret-file", 0, "FILE", "read the secret from the first line of FILE"},
    {"tls", 0, nullptr, "speak TLS, verifying the server's certificate and name"},
    {"ca", 0, "FILE", "trust the CA certificates in FILE (implies --tls)"},
    {"cert", 0, "FILE", "present the client certificate in FILE (implies --tls)"},
    {"key", 0, "FILE", "the private key for --cert (default: in the --cert file)"},
    {"timeout", 't', "DURATION", "limit for connecting and for each reply (default 5s, 0: none)"},
    {"json", 0, nullptr, "print JSON instead of text (an error too: one object on stderr)"},
    {"help", 0, nullptr, "print this help and exit"},
    {"version", 'V', nullptr, "print the version and exit"},
};

// 1-65535 in decimal.
bool validPort(std::string_view port) {
  auto n = parseInt(port);
  return n && *n >= 1 && *n <= 65535;
}

// Applies one shared option; false with a message on a bad value.
bool applyShared(std::string_view name, std::string v, ParsedArgs& out, std::string& secretFile,
                 bool& secretGiven, std::string& unixArg, std::string& err) {
  ClientOptions& o = out.opts;
  if (name == "host") {
    if (v.size() > 2 && v.front() == '[' && v.back() == ']') v = v.substr(1, v.size() - 2);
    if (v.empty()) return err = "-h needs a host name or address", false;
    o.target.host = v;
    o.targetGiven = true;
  } else if (name == "port") {
    if (!validPort(v)) return err = "bad port '" + v + "' for -p (1-65535)", false;
    o.target.port = v;
    o.portGiven = true;
  } else if (name == "unix") {
    unixArg = v;
  } else if (name == "secret") {
    o.secret = v;
    secretGiven = true;
  } else if (name == "secret-file") {
    secretFile = v;
  } else if (name == "tls") {
    o.tls.enabled = true;
  } else if (name == "ca") {
    o.tls.ca = v;
    o.tls.enabled = true;
  } else if (name == "cert") {
    o.tls.cert = v;
    o.tls.enabled = true;
  } else if (name == "key") {
    o.tls.key = v;
  } else if (name == "timeout") {
    auto ms = parseDurationMs(v);
    if (!ms) return err = "bad duration '" + v + "' for --timeout (say 500ms, 5s, 1m)", false;
    o.timeoutMs = *ms;
  } else if (name == "json") {
    o.json = true;
  } else if (name == "help") {
    out.help = true;
  } else if (name == "version") {
    out.version = true;
  }
  return true;
}

}  // namespace

bool readSecretFile(const std::string& path, std::string& secret, std::string& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err = "cannot read secret file " + path;
    return false;
  }
  std::getline(in, secret);
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) {
    err = "secret file " + path + " is empty";
    return false;
  }
  return true;
}

std::string Target::display() const {
  if (kind == Kind::Unix) return "unix:" + path;
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

bool parseTarget(std::string_view text, const std::string& defaultPort, Target& out,
                 std::string& err) {
  out = Target{};
  if (text.starts_with("unix:")) {
    out.kind = Target::Kind::Unix;
    out.path = std::string(text.substr(5));
    if (out.path.empty()) return err = "'unix:' needs a path", false;
    return true;
  }
  out.port = defaultPort;
  if (text.starts_with("[")) {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close == 1)
      return err = "bad address '" + std::string(text) + "'", false;
    out.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.size() < 2 || rest[0] != ':')
      return err = "bad address '" + std::string(text) + "'", false;
    out.port = std::string(rest.substr(1));
    if (!validPort(out.port)) return err = "bad port in '" + std::string(text) + "'", false;
    return true;
  }
  size_t colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    out.host = std::string(text.substr(0, colon));
    out.port = std::string(text.substr(colon + 1));
    if (out.host.empty() || !validPort(out.port))
      return err = "bad address '" + std::string(text) + "' (say HOST:PORT)", false;
    return true;
  }
  if (text.empty()) return err = "empty address", false;
  out.host = std::string(text);  // a name, an IPv4 address or a bare IPv6 address
  return true;
}

bool ParsedArgs::has(std::string_view longName) const {
  for (const auto& [k, v] : extra)
    if (k == longName) return true;
  return false;
}

std::optional<std::string> ParsedArgs::last(std::string_view longName) const {
  std::optional<std::string> found;
  for (const auto& [k, v] : extra)
    if (k == longName) found = v;
  return found;
}

std::vector<std::string> ParsedArgs::all(std::string_view longName) const {
  std::vector<std::string> found;
  for (const auto& [k, v] : extra)
    if (k == longName) found.push_back(v);
  return found;
}

const std::vector<OptionSpec>& sharedOptions() { return kShared; }

// The program's own rows, then the shared ones: the order of --help.
static std::vector<OptionSpec> table(const Program& program) {
  std::vector<OptionSpec> rows = program.options;
  rows.insert(rows.end(), kShared.begin(), kShared.end());
  return rows;
}

std::string usage(const Program& program) {
  std::ostringstream out;
  out << "Usage: " << program.name << ' ' << program.synopsis << "\n\n" << program.summary << "\n";
  if (program.moreHelp) out << "\n" << program.moreHelp();
  out << "\nOptions:\n" << cli::help(table(program));
  out << "\nThe secret may also come from the environment variable FAIL_SECRET.\n"
      << "Exit status: 0 done, 1 not found, 2 usage, 3 denied, 4 cannot connect or\n"
      << "connection lost, 5 other error from the server.\n";
  return out.str();
}

std::string versionLine(const Program& program) {
  return std::string(program.name) + " (failover) " + kVersion;
}

bool parseArgs(const Program& program, int argc, char** argv, ParsedArgs& out, std::string& err,
               const char* envSecret) {
  out = ParsedArgs{};
  std::string secretFile, unixArg;
  bool secretGiven = false;
  std::vector<cli::Option> options;
  for (const OptionSpec& o : program.options)
    options.push_back({o.longName, o.shortName, o.argName, o.help, [&out, name = o.longName](const std::string& v) {
                         out.extra.emplace_back(name, v);
                       }});
  for (const OptionSpec& o : kShared)
    options.push_back({o.longName, o.shortName, o.argName, o.help, [&, name = o.longName](const std::string& v) {
                         std::string e;
                         if (!applyShared(name, v, out, secretFile, secretGiven, unixArg, e)) throw cli::UsageError(e);
                       }});
  try {
    out.operands = cli::parse(argc, argv, options);
  } catch (const cli::UsageError& e) {
    err = e.what();
    return false;
  }
  if (out.help || out.version) return true;

  ClientOptions& o = out.opts;
  if (!unixArg.empty()) {
    if (o.targetGiven || o.portGiven) return err = "-u excludes -h and -p", false;
    std::string path = unixArg.starts_with("unix:") ? unixArg.substr(5) : unixArg;
    if (path.empty()) return err = "-u needs unix:PATH", false;
    o.target.kind = Target::Kind::Unix;
    o.target.path = path;
    o.targetGiven = true;
  }
  if (!o.tls.key.empty() && o.tls.cert.empty()) return err = "--key needs --cert", false;
  if (secretGiven && !secretFile.empty()) return err = "-s excludes --secret-file", false;
  if (!secretGiven) {
    if (!secretFile.empty()) {
      if (!readSecretFile(secretFile, o.secret, err)) return false;
    } else if (envSecret && *envSecret) {
      o.secret = envSecret;
    }
  }
  return true;
}

std::optional<int> parseCommandLine(const Program& program, int argc, char** argv, ParsedArgs& out,
                                    std::ostream& stdoutStream, std::ostream& stderrStream) {
  // A server that goes away must show up as an error on write, not kill the client.
  std::signal(SIGPIPE, SIG_IGN);
  std::string err;
  if (!parseArgs(program, argc, argv, out, err, std::getenv("FAIL_SECRET"))) {
    stderrStream << program.name << ": " << err << "\n"
                 << "Try '" << program.name << " --help' for more information.\n";
    return static_cast<int>(Exit::Usage);
  }
  if (out.help) {
    stdoutStream << usage(program);
    return static_cast<int>(Exit::Ok);
  }
  if (out.version) {
    stdoutStream << versionLine(program) << "\n";
    return static_cast<int>(Exit::Ok);
  }
  return std::nullopt;
}

}  // namespace fail::client

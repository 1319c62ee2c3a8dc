// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Command lines of the client programs (failc, failstat, faildebug).
//
// One table of options drives getopt_long and --help alike: the options every client
// shares (doc/design.md, "Options every daemon shares": -h HOST -p PORT, -u unix:PATH, the
// secret, TLS, timeout, --json) followed by each program's own. Options may stand before
// or after the operands (GNU permutation); "--" ends them.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/cli.hh"

namespace fail::client {

// Exit statuses shared by failc, failstat and faildebug (their man pages list them).
enum class Exit : int {
  Ok = 0,
  NotFound = 1,     // ERR NOTFOUND
  Usage = 2,        // bad command line, unreadable secret or certificate file
  Denied = 3,       // ERR DENIED, ERR NEEDAUTH
  Unreachable = 4,  // cannot connect, or the connection was lost or timed out
  Failed = 5,       // any other ERR from the daemon, or a reply that makes no sense
};

inline constexpr const char* kDefaultHost = "127.0.0.1";
inline constexpr const char* kDefaultPort = "1847";

// Where a client connects: a TCP host and port, or a Unix socket path ("@name": the
// abstract namespace).
struct Target {
  enum class Kind { Tcp, Unix };
  Kind kind = Kind::Tcp;
  std::string host = kDefaultHost;
  std::string port = kDefaultPort;
  std::string path;
  // "127.0.0.1:1847", "[2001:db8::1]:1847", "unix:/run/failover/faild.sock"
  std::string display() const;
};

// Parses "HOST", "HOST:PORT", "[V6]", "[V6]:PORT", a bare IPv6 address, or "unix:PATH".
// `defaultPort` fills in a missing port. False with a message on malformed input.
bool parseTarget(std::string_view text, const std::string& defaultPort, Target& out,
                 std::string& err);

// Reads a secret from the first line of `path` (a CR before the LF dropped); false with
// a message when it cannot be read or the line is empty. What --secret-file does.
bool readSecretFile(const std::string& path, std::string& secret, std::string& err);

struct TlsOptions {
  bool enabled = false;
  std::string ca;    // empty: the system's default trust store
  std::string cert;  // client certificate chain (PEM), optional
  std::string key;   // its private key; empty: taken from `cert`
};

struct ClientOptions {
  Target target;
  bool targetGiven = false;  // -h or -u was given
  bool portGiven = false;    // -p was given
  std::string secret;        // resolved from -s, --secret-file or FAIL_SECRET; may be empty
  TlsOptions tls;
  std::int64_t timeoutMs = 5000;  // 0: no limit
  bool json = false;
};

// One row of an option table (base/cli, the table system of every program of the
// suite). `shortName` 0: long only. `argName` null: a flag.
using OptionSpec = cli::Row;

struct Program {
  const char* name;                     // "failc"
  const char* synopsis;                 // after "Usage: NAME "
  const char* summary;                  // one paragraph under the usage line
  std::vector<OptionSpec> options;      // the program's own, listed before the shared ones
  std::string (*moreHelp)() = nullptr;  // e.g. failc's subcommand list, may be null
};

// The result of parsing a command line.
struct ParsedArgs {
  ClientOptions opts;
  // The program's own options in command-line order: (long name, value; "" for a flag).
  std::vector<std::pair<std::string, std::string>> extra;
  std::vector<std::string> operands;
  bool help = false;
  bool version = false;

  bool has(std::string_view longName) const;
  // The last value given for a program option, if any.
  std::optional<std::string> last(std::string_view longName) const;
  // Every value given for a repeatable program option, in order.
  std::vector<std::string> all(std::string_view longName) const;
};

const std::vector<OptionSpec>& sharedOptions();

// The --help text, generated from the program's table and the shared one.
std::string usage(const Program& program);
// "failc (failover) 0.1.0"
std::string versionLine(const Program& program);

// Parses argv (getopt_long, reinitialised on every call; argv's pointers may be
// permuted). `envSecret` is FAIL_SECRET's value or null. Reads --secret-file. Returns
// false with a message for people (without the program prefix) on a usage error.
bool parseArgs(const Program& program, int argc, char** argv, ParsedArgs& out, std::string& err,
               const char* envSecret);

// What a main does first: sets up the process (SIGPIPE ignored), parses the command line
// with FAIL_SECRET from the environment, prints --help / --version / usage errors.
// Returns an exit status when the program should stop now, nullopt to go on.
std::optional<int> parseCommandLine(const Program& program, int argc, char** argv, ParsedArgs& out,
                                    std::ostream& stdoutStream, std::ostream& stderrStream);

}  // namespace fail::client

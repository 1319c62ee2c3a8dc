// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Test harness for integration tests: temporary directories, real daemon processes
// started with a private NOTIFY_SOCKET (so a test waits for READY=1 instead of
// sleeping, and learns the port the daemon chose), and a plain line client.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "../common/temp_dir.hh"

namespace fail::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
// Generous: these machines are small and noisy. Tests wait for events, never sleep.
inline constexpr auto kDeadline = 20s;

std::string buildDir();   // where the programs were built (top_builddir)
std::string sourceDir();  // top_srcdir

void writeFile(const std::string& path, const std::string& text, int mode = 0600);
std::string readFile(const std::string& path);
bool exists(const std::string& path);

// A daemon of the suite started from the build tree.
class Daemon {
 public:
  // `program` relative to the build dir ("faild/faild"); `dir` holds its log and socket.
  Daemon(std::string program, std::vector<std::string> args, const TempDir& dir,
         std::string tag = "d");
  ~Daemon();  // SIGKILLs it if still running

  // Starts it and waits for READY=1. Returns false (the log says why) when the process
  // exits or the deadline passes first.
  bool start();
  // Starts it and waits for it to exit. Returns its exit status.
  int runToExit();
  void signal(int sig);
  // Waits for the process to end; returns its exit status (128+signal when killed).
  int wait();
  void kill9() { signal(9); wait(); }
  bool running() const { return pid_ > 0; }

  // The first address in FAILD_LISTEN= of the READY message ("127.0.0.1:41234").
  std::string address() const { return listen_.empty() ? "" : listen_[0]; }
  const std::vector<std::string>& addresses() const { return listen_; }
  // The HTTP listeners in FAIL_HTTP= of the READY message ("127.0.0.1:41235",
  // "tls:127.0.0.1:41236"); "" / empty without one. faild is started with
  // `--http 127.0.0.1:0` unless its arguments say --http or --no-http, so that no test
  // depends on the default port 1849 being free.
  std::string httpAddress() const { return http_.empty() ? "" : http_[0]; }
  const std::vector<std::string>& httpAddresses() const { return http_; }
  int port() const;
  std::string log() const;  // stderr so far
  const std::string& readyMessage() const { return ready_; }
  std::vector<std::string>& args() { return args_; }
  // Before start(): run inside network namespace `name` (/run/netns/NAME), with more
  // environment (KEY=VALUE).
  void netns(std::string name) { netns_ = std::move(name); }
  void env(std::string keyValue) { env_.push_back(std::move(keyValue)); }

 private:
  std::string program_;
  std::vector<std::string> args_;
  std::string dir_, tag_, logPath_, notifyPath_, netns_;
  std::vector<std::string> env_;
  pid_t pid_ = -1;
  int notifyFd_ = -1;
  std::string ready_;
  std::vector<std::string> listen_, http_;
};

// `args` for `program` as a test runs it: faild gets `--http 127.0.0.1:0` unless `args`
// name --http or --no-http.
std::vector<std::string> withTestHttp(const std::string& program, std::vector<std::string> args);

// A blocking line client (TCP "HOST:PORT" or "unix:PATH").
class LineClient {
 public:
  explicit LineClient(const std::string& address);
  ~LineClient();
  bool connected() const { return fd_ >= 0; }
  void send(const std::string& line);  // adds LF
  void sendRaw(const std::string& bytes);
  // Next line (no LF); nullopt on timeout or close.
  std::optional<std::string> readLine(std::chrono::milliseconds timeout = kDeadline);
  std::string request(const std::string& line);  // send + readLine ("" on failure)
  // Reads lines until `pred` is true for one; returns it (nullopt on timeout/close).
  std::optional<std::string> readUntil(const std::function<bool(const std::string&)>& pred,
                                       std::chrono::milliseconds timeout = kDeadline);
  bool closedByPeer(std::chrono::milliseconds timeout = kDeadline);
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string buf_;
};

// What a forked child needs to exec a program, made before fork(): a test process may
// have threads (in-process servers, the sanitizers' own), so the child may only make
// async-signal-safe calls: no allocation, no setenv (a lock another thread held at the
// fork stays held in the child for ever). Every fork of the tests goes through one.
struct ExecPlan {
  // `set`: "KEY=VALUE" entries added to this process's environment (replacing the same
  // keys); `unset`: keys left out.
  ExecPlan(std::string program, const std::vector<std::string>& arguments,
           const std::vector<std::string>& set = {}, const std::vector<std::string>& unset = {});
  // In the child: execs, or writes why not to fd 2 and exits 127.
  [[noreturn]] void exec();

  std::string exe;
  std::vector<std::string> args, env;  // env: the whole environment, "KEY=VALUE" each
  std::vector<char*> argv, envp;
  std::string failed;
};

// Runs a program of the build tree (or an absolute path) to its end; stdout and stderr
// are captured apart. faild gets `--http 127.0.0.1:0` as Daemon gives it (withTestHttp).
struct RunResult {
  int status = -1;  // exit status, 128+signal when killed
  std::string out, err;
};
RunResult runProgram(const std::string& program, const std::vector<std::string>& args,
                     const std::vector<std::string>& env = {});
// The environment a stock tclsh needs to load the build's Tcl module: in a sanitizer
// build the module needs the sanitizer runtimes loaded first, which a stock tclsh does
// not do (they are preloaded, and Tcl's own exit-time leaks left alone); else nothing.
std::vector<std::string> tclshSanitizerEnv();

// Secrets a test used (access files, report -secret, failhost ... secret): no daemon
// may write one to its log, at any level. Every Daemon looks for the noted secrets in its
// log when it is destroyed and fails the test (ADD_FAILURE, naming the program, not the
// secret) when one is there. A Daemon notes by itself the secrets on its command line
// and in its access and configuration files (noteSecretsOfArgs). Secrets shorter than
// 6 bytes are not noted: they would match ordinary words.
void noteSecret(const std::string& secret);
// Notes the SECRET field of every entry of an access file (failover-access(5)).
void noteAccessFileSecrets(const std::string& path);
// Notes the word after every "-secret" (an Hcfile's report) or "secret" (failsh's
// failhost) in a configuration file, unless it is a variable or a command.
void noteConfigFileSecrets(const std::string& path);
// What Daemon::start notes: the access files (-c, --access; failsh's -c and --community
// are secrets themselves) and the configuration file (-f, --file) of a daemon.
void noteSecretsOfArgs(const std::string& program, const std::vector<std::string>& args);
// The noted secrets that `text` holds (empty: none).
std::vector<std::string> secretsIn(const std::string& text);

// Polls `cond` until it holds or the deadline passes.
bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds deadline = kDeadline);

// Words of a reply line, by Tcl list rules.
std::vector<std::string> words(const std::string& line);
// A value out of a record dict ("state", "serial", ...), "" if absent.
std::string field(const std::string& recordDict, const std::string& key);

// A daemon's port as text ("41234"), for command lines and policies.
inline std::string portOf(const Daemon& d) { return std::to_string(d.port()); }

}  // namespace fail::test

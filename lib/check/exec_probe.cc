// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Kind "exec": run a command (a Nagios plugin) and judge it by its exit code.
//
// Never blocks the loop: the one spawn helper (base/spawn, spawn::Child) starts the
// program directly, without a shell, in a process group of its own with default signal
// dispositions and no blocked signal, stdin and stderr on /dev/null; stdout comes back
// through a non-blocking pipe, and the exit is seen through a pidfd on the loop. Nothing
// here touches SIGCHLD (whose one owner per process is not a probe).
//
// Exit codes (Nagios plugin API): 0 Ok; 1 Ok with the first line of stdout as the
// warning; 2 Fail, the note being that first line (perfdata after '|' dropped, at most
// 100 bytes) or "exit 2"; 3 and anything else LocalError "unknown: ...". At the deadline
// the whole process group is killed (SIGKILL) and the outcome is Timeout. Output past
// the first 1 KiB is read and dropped, so a chatty plugin does not block on a full pipe;
// only the first line is kept. Processes the plugin leaves behind after a normal exit
// are not hunted down.
#include <errno.h>

#include <cstring>
#include <memory>
#include <string_view>

#include "base/spawn.hh"
#include "check/probe_base.hh"
#include "check/registry.hh"

namespace fail::check {
namespace {

constexpr size_t kLineBound = 1024;  // bytes of stdout kept: the first line, before trimming
constexpr size_t kNoteBound = 100;   // of the note or warning

// First line, perfdata dropped, trimmed, cut to kNoteBound bytes on a UTF-8 boundary.
std::string pluginLine(std::string_view line) {
  line = line.substr(0, line.find('|'));
  auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
  while (!line.empty() && isSpace(line.back())) line.remove_suffix(1);
  while (!line.empty() && isSpace(line.front())) line.remove_prefix(1);
  if (line.size() > kNoteBound) {
    size_t cut = kNoteBound;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line = line.substr(0, cut);
  }
  return std::string(line);
}

class ExecProbe final : public ProbeBase {
 public:
  ExecProbe(ev::Loop& loop, std::vector<std::string> argv, std::vector<std::string> env)
      : ProbeBase(loop) {
    opts_.argv = std::move(argv);
    opts_.env = std::move(env);
    opts_.maxOutput = kLineBound;
    opts_.overflow = spawn::Options::Overflow::Drop;
    opts_.captureStderr = false;
  }

  ~ExecProbe() override { cancel(); }

 private:
  // The deadline is the base's: onTimeout() ends the attempt and release() kills the
  // group (spawn::Child's destructor: SIGKILL to the group, then the child is reaped).
  void begin(std::chrono::microseconds) override {
    code_ = -1;
    warning_.clear();
    child_ = std::make_unique<spawn::Child>(base(), opts_, [this](spawn::Result r) { ended(std::move(r)); });
  }

  void onReady(ev::IoWatch::Ready) override {}  // the Child watches its own descriptors

  void release() noexcept override { child_.reset(); }

  // From the Child's own loop callback, which allows destroying the Child (finish()
  // releases it, and done may start the next attempt or destroy this probe).
  void ended(spawn::Result r) {
    using End = spawn::Result::End;
    switch (r.end) {
      case End::SpawnFailed:
        // ECHILD: started, but someone else reaped it (SIGCHLD ignored?); exec never says it.
        if (r.code == ECHILD) return finish(Outcome::LocalError, "unknown: exit status lost");
        return finish(Outcome::LocalError, "cannot run " + opts_.argv[0] + ": " + std::strerror(r.code));
      case End::Signaled:
        return finish(Outcome::LocalError, "unknown: killed by signal " + std::to_string(r.code));
      case End::Exited: return judgeExit(r.code, pluginLine(firstLine(r.out)));
      case End::TimedOut:  // no spawn timeout is set: the deadline is the base's
      case End::TooMuchOutput:  // overflow is Drop
        break;
    }
    finish(Outcome::LocalError, "unknown: " + r.describe());
  }

  static std::string_view firstLine(std::string_view out) { return out.substr(0, out.find('\n')); }

  void judgeExit(int code, const std::string& line) {
    code_ = code;
    std::string orExit = line.empty() ? "exit " + std::to_string(code_) : line;
    switch (code_) {
      case 0: return finish(Outcome::Ok, {});
      case 1:
        warning_ = orExit;
        return finish(Outcome::Ok, {});
      case 2: return finish(Outcome::Fail, orExit);
      case 3: return finish(Outcome::LocalError, "unknown: " + orExit);
      default: return finish(Outcome::LocalError, "unknown: exit " + std::to_string(code_));
    }
  }

  void complete(ProbeResult& r) override {
    r.warning = std::move(warning_);
    if (code_ >= 0) r.attrs.emplace_back("exit", std::to_string(code_));
  }

  spawn::Options opts_;
  std::unique_ptr<spawn::Child> child_;
  int code_ = -1;  // the exit code judged, for the "exit" attribute
  std::string warning_;
};

std::unique_ptr<Probe> makeExec(const ProbeContext& ctx, const CheckSpec& spec) {
  std::vector<std::string> argv = spec.list("command");
  if (argv.empty() || argv[0].empty()) throw ConfigError(spec.where("command") + "empty command");
  std::vector<std::string> env;
  if (spec.has("env")) {
    std::vector<std::string> kv = spec.list("env");
    if (kv.size() % 2 != 0)
      throw ConfigError(spec.where("env") + "expected a dict {NAME VALUE ...}, got an odd number of words");
    for (size_t i = 0; i < kv.size(); i += 2) {
      const std::string& n = kv[i];
      if (n.empty() || n.find('=') != std::string::npos || n.find('\0') != std::string::npos)
        throw ConfigError(spec.where("env") + "bad variable name \"" + n + "\"");
      env.push_back(n + "=" + kv[i + 1]);  // over hc's own environment (spawn::Options::env)
    }
  }
  return std::make_unique<ExecProbe>(*ctx.loop, std::move(argv), std::move(env));
}

}  // namespace

const KindDesc& execKind() {
  static const KindDesc kind{
      "exec",
      "run a command (a Nagios plugin): exit 0 ok, 1 warning, 2 fail, 3 unknown (local error)",
      {
          {"command", OptType::List, nullptr,
           "the program and its arguments as a Tcl list, run directly (no shell; PATH is searched)",
           true},
          {"env", OptType::List, nullptr,
           "environment variables to set, as a dict {NAME VALUE ...}, added to hc's own"},
      },
      makeExec,
  };
  return kind;
}

}  // namespace fail::check

// Kind "exec": run a command (a Nagios plugin) and judge it by its exit code.
//
// Never blocks the loop: posix_spawnp (clone+vfork, no copy of hc's memory) starts the
// program directly, without a shell, in a process group of its own, stdin and stderr on
// /dev/null; stdout comes back through a non-blocking pipe watched by an IoWatch that
// carries the deadline. The child is reaped with waitpid(pid, WNOHANG) once the pipe
// closes, retried on a short timer; nothing here touches SIGCHLD (whose one owner per
// process is not a probe) and only our own pid is waited for.
//
// Exit codes (Nagios plugin API): 0 Ok; 1 Ok with the first line of stdout as the
// warning; 2 Fail, the note being that first line (perfdata after '|' dropped, at most
// 100 bytes) or "exit 2"; 3 and anything else LocalError "unknown: ...". At the deadline
// the whole process group is killed (SIGKILL) and the outcome is Timeout. Output past
// 64 KiB is read and dropped, so a chatty plugin does not block on a full pipe; only
// the first line is kept. Processes the plugin leaves behind after a normal exit are not
// hunted down.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include "base/unique_fd.hh"
#include "check/probe_base.hh"
#include "check/registry.hh"

extern char** environ;

namespace fail::check {
namespace {

using namespace std::chrono_literals;
using std::chrono::microseconds;

constexpr size_t kOutputBound = 64 * 1024;  // bytes of stdout looked at
constexpr size_t kLineBound = 1024;          // of the first line, before trimming
constexpr size_t kNoteBound = 100;           // of the note or warning
constexpr auto kReapFirst = 1ms, kReapMax = 50ms;

// Children that outlived their probe (SIGKILLed, not yet reaped): reaped by any later
// exec probe so no zombie stays for good.
std::vector<pid_t>& orphans() {
  static std::vector<pid_t> pids;
  return pids;
}
void reapOrphans() {
  auto& v = orphans();
  v.erase(std::remove_if(v.begin(), v.end(),
                         [](pid_t p) { return ::waitpid(p, nullptr, WNOHANG) != 0; }),
          v.end());
}

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
      : ProbeBase(loop),
        argvStore_(std::move(argv)),
        envStore_(std::move(env)),
        reapTimer_(loop.base(), [this] { onReapTimer(); }) {
    for (auto& a : argvStore_) argv_.push_back(a.data());
    argv_.push_back(nullptr);
    for (auto& e : envStore_) envp_.push_back(e.data());
    envp_.push_back(nullptr);
  }

  ~ExecProbe() override {
    cancel();
    if (child_ > 0) orphans().push_back(child_);  // killed by cancel(); reaped later
    reapOrphans();
  }

  // While reaping, the deadline is looked at by reapTimer_, on its backoff: the Session
  // keeps its own deadline timer.
  bool endsByDeadline() const override { return false; }

 private:
  enum class Phase : std::uint8_t { Idle, Running, Reaping };

  void begin(microseconds) override {
    reapOrphans();
    firstLine_.clear();
    lineDone_ = false;
    total_ = 0;
    warning_.clear();
    code_ = -1;
    if (child_ > 0 && !tryReap())  // the last one was killed but is not gone yet
      return finish(Outcome::LocalError, "previous command still running");
    std::string error = spawn();
    if (!error.empty()) return finish(Outcome::LocalError, std::move(error));
    phase_ = Phase::Running;
    watch(out_.get(), EV_READ);
  }

  // Kills the child of an attempt still running; a killed child is reaped in the
  // background.
  void release() noexcept override {
    out_.reset();
    if (phase_ != Phase::Idle && child_ > 0) killGroup();
    phase_ = Phase::Idle;
    if (child_ > 0 && !tryReap()) armReap(kReapFirst);  // keeps reaping in the background
    else reapTimer_.cancel();
  }

  // Starts the child; returns "" or the reason it could not be started.
  std::string spawn() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return std::string("pipe: ") + strerror(errno);
    UniqueFd rd(fds[0]), wr(fds[1]);
    // Only our end is non-blocking: the plugin writes to an ordinary blocking stdout.
    ::fcntl(rd.get(), F_SETFL, ::fcntl(rd.get(), F_GETFL) | O_NONBLOCK);

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    // dup2 first: should the pipe have landed on fd 0 or 2 (hc started with them
    // closed), the opens below replace it only after it became stdout.
    posix_spawn_file_actions_adddup2(&fa, wr.get(), 1);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    // Own process group (pgid = pid) so a timeout kills everything it started; no
    // blocked signals and default dispositions (hc ignores SIGPIPE; a plugin should not).
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    pid_t pid = -1;
    char** envp = envStore_.empty() ? environ : envp_.data();
    int rc = ::posix_spawnp(&pid, argv_[0], &fa, &attr, argv_.data(), envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return "cannot run " + argvStore_[0] + ": " + strerror(rc);
    child_ = pid;
    out_ = std::move(rd);
    return {};
  }

  void onTimeout() override { onDeadline(); }

  void onReady(ev::IoWatch::Ready) override {
    if (phase_ != Phase::Running) return;
    char buf[16 * 1024];
    for (;;) {
      ssize_t n = ::read(out_.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) {  // EOF (or a read error): the plugin is done with stdout
        stopWatching();
        out_.reset();
        phase_ = Phase::Reaping;
        if (tryReap()) return judgeExit();
        return armReap(kReapFirst);
      }
      keep(buf, static_cast<size_t>(n));
    }
    watch(out_.get(), EV_READ);
  }

  void keep(const char* p, size_t n) {
    if (!lineDone_ && total_ < kOutputBound) {
      size_t take = std::min(n, kOutputBound - total_);
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', take));
      size_t upto = nl ? static_cast<size_t>(nl - p) : take;
      firstLine_.append(p, std::min(upto, kLineBound - std::min(kLineBound, firstLine_.size())));
      if (nl || firstLine_.size() >= kLineBound) lineDone_ = true;
    }
    total_ += n;  // past the bound: read and dropped
  }

  void armReap(std::chrono::milliseconds delay) {
    reapDelay_ = delay;
    reapTimer_.arm(delay);
  }

  void onReapTimer() {
    if (phase_ == Phase::Reaping) {
      if (tryReap()) return judgeExit();
      if (Clock::now() >= deadline()) return onDeadline();
    } else if (child_ > 0 && tryReap()) {
      return;  // a killed child of an earlier attempt is gone
    }
    if (child_ > 0) armReap(std::min(reapDelay_ * 2, kReapMax));
  }

  // The deadline passed: kill the group first (the leader, zombie or not, keeps the
  // pgid from being reused), then see whether the leader had exited on its own.
  void onDeadline() {
    stopWatching();
    out_.reset();
    killGroup();
    if (tryReap() && !(WIFSIGNALED(status_) && WTERMSIG(status_) == SIGKILL)) return judgeExit();
    if (child_ > 0) armReap(kReapFirst);
    finish(Outcome::Timeout, "timeout");
  }

  void killGroup() noexcept {
    if (child_ > 0) ::kill(-child_, SIGKILL);
  }

  // True once the child is reaped (status_ set) or lost.
  bool tryReap() {
    if (child_ <= 0) return true;
    for (;;) {
      pid_t p = ::waitpid(child_, &status_, WNOHANG);
      if (p == 0) return false;
      if (p < 0 && errno == EINTR) continue;
      if (p < 0) status_ = -1;  // ECHILD: someone else reaped it (SIGCHLD ignored?)
      child_ = -1;
      reapTimer_.cancel();
      return true;
    }
  }

  void judgeExit() {
    std::string line = pluginLine(firstLine_);
    if (status_ == -1) return finish(Outcome::LocalError, "unknown: exit status lost");
    if (WIFSIGNALED(status_))
      return finish(Outcome::LocalError, "unknown: killed by signal " + std::to_string(WTERMSIG(status_)));
    code_ = WEXITSTATUS(status_);
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

  std::vector<std::string> argvStore_, envStore_;
  std::vector<char*> argv_, envp_;
  ev::Timer reapTimer_;
  UniqueFd out_;
  Phase phase_ = Phase::Idle;
  pid_t child_ = -1;
  int status_ = 0;
  int code_ = -1;  // the exit code judged, for the "exit" attribute
  std::string warning_;
  std::chrono::milliseconds reapDelay_ = kReapFirst;
  std::string firstLine_;
  bool lineDone_ = false;
  size_t total_ = 0;
};

std::unique_ptr<Probe> makeExec(const ProbeContext& ctx, const CheckSpec& spec) {
  std::vector<std::string> argv = spec.list("command");
  if (argv.empty() || argv[0].empty()) throw ConfigError(spec.where("command") + "empty command");
  std::vector<std::string> env;
  if (spec.has("env")) {
    std::vector<std::string> kv = spec.list("env");
    if (kv.size() % 2 != 0)
      throw ConfigError(spec.where("env") + "expected a dict {NAME VALUE ...}, got an odd number of words");
    std::vector<std::string> names;
    for (size_t i = 0; i < kv.size(); i += 2) {
      const std::string& n = kv[i];
      if (n.empty() || n.find('=') != std::string::npos || n.find('\0') != std::string::npos)
        throw ConfigError(spec.where("env") + "bad variable name \"" + n + "\"");
      names.push_back(n);
    }
    // hc's environment, less the overridden names, plus the given ones.
    for (char** e = environ; e && *e; ++e) {
      std::string_view entry(*e);
      std::string_view name = entry.substr(0, entry.find('='));
      if (std::find(names.begin(), names.end(), name) == names.end()) env.emplace_back(entry);
    }
    for (size_t i = 0; i < kv.size(); i += 2) env.push_back(kv[i] + "=" + kv[i + 1]);
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

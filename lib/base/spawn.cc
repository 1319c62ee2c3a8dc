// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "base/spawn.hh"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "base/unique_fd.hh"
#include "ev/ev.hh"

extern char** environ;

namespace fail::spawn {
namespace {

bool cloexecPipe(UniqueFd& r, UniqueFd& w) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  r.reset(fds[0]);
  w.reset(fds[1]);
  return true;
}

void setNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// The program to exec: argv[0] itself when it holds a '/', else the first executable
// of that name in PATH. "" when there is none.
std::string resolve(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = ::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string full = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(full.c_str(), X_OK) == 0) return full;
    start = end + 1;
  }
  return "";
}

// The parent's environment with `extra` laid over it (same KEY: the extra one wins).
std::vector<std::string> environment(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  auto key = [](const std::string& kv) { return kv.substr(0, kv.find('=')); };
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    bool replaced = false;
    for (const auto& x : extra) replaced |= key(x) == key(kv);
    if (!replaced) out.push_back(std::move(kv));
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& words) {
  std::vector<char*> out;
  for (auto& w : words) out.push_back(w.data());
  out.push_back(nullptr);
  return out;
}

// Lowers one limit (never raises the hard limit, which an unprivileged child cannot).
// Async-signal-safe.
void limit(int resource, std::uint64_t value, std::uint64_t hardExtra = 0) {
  if (value == 0) return;
  rlimit r;
  if (::getrlimit(resource, &r) != 0) return;
  rlim_t soft = static_cast<rlim_t>(value), hard = static_cast<rlim_t>(value + hardExtra);
  if (r.rlim_max != RLIM_INFINITY && hard > r.rlim_max) hard = r.rlim_max;
  if (soft > hard) soft = hard;
  r.rlim_cur = soft;
  r.rlim_max = hard;
  ::setrlimit(resource, &r);
}

// Makes `fd` the descriptor `target`, open across exec. Async-signal-safe.
bool onto(int fd, int target) {
  if (fd == target) return ::fcntl(fd, F_SETFD, 0) == 0;
  return ::dup2(fd, target) >= 0;
}

// In the child between vfork and exec: only async-signal-safe calls, writing to nothing but
// its own stack (the memory is the parent's) and, when exec fails, the errno to *report
// (the parent reads it once the child has exited).
[[noreturn]] void childSide(const char* path, char* const argv[], char* const envp[], int in, int out, int err,
                            volatile int* report, const Limits& lim) {
  ::setpgid(0, 0);
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  // glibc refuses its own real-time signals (32, 33), which a parent may have ignored:
  // the kernel call takes a zeroed struct as SIG_DFL on every architecture. KILL and
  // STOP fail harmlessly.
  static const unsigned long zero[8] = {};
  for (int sig = 1; sig < NSIG; ++sig)
    if (::sigaction(sig, &dfl, nullptr) != 0) ::syscall(SYS_rt_sigaction, sig, zero, nullptr, NSIG / 8);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (!onto(in, 0) || !onto(out, 1) || !onto(err, 2)) goto fail;
  limit(RLIMIT_AS, lim.addressSpace);
  limit(RLIMIT_CPU, lim.cpuSeconds, 1);
  limit(RLIMIT_STACK, lim.stack);
  // Every fd above 2 closes at exec.
  if (::syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */) != 0)
    for (int fd = 3; fd < 65536; ++fd)
      ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  ::execve(path, argv, envp);
fail:
  *report = errno ? errno : ENOEXEC;
  ::_exit(127);
}

// Starts the child as vfork does (it shares our memory and we wait until it has exec'd
// or exited): no copy of our page tables, so the cost does not grow with our size (hc
// with 10,000 checks). Every signal is blocked around it, so that no handler of ours
// runs in the child before childSide has reset them all to the default; the child's
// disposition table and descriptors are its own.
pid_t startChild(const char* path, char* const argv[], char* const envp[], int in, int out, int err,
                 volatile int* report, const Limits& lim) {
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = ::vfork();
  if (pid == 0) childSide(path, argv, envp, in, out, err, report, lim);
  int e = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = e;
  return pid;
}

// Writes to a pipe whose reader may be gone, without SIGPIPE killing this process.
ssize_t writeNoSigpipe(int fd, const char* p, size_t n) {
  sigset_t pipeSet, old;
  sigemptyset(&pipeSet);
  sigaddset(&pipeSet, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipeSet, &old);
  ssize_t w = ::write(fd, p, n);
  if (w < 0 && errno == EPIPE) {
    int e = errno;
    timespec zero{0, 0};
    ::sigtimedwait(&pipeSet, nullptr, &zero);  // consume the SIGPIPE we caused
    errno = e;
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return w;
}

// Hands `done` its result from a one-shot loop callback that belongs to no Child, so
// `done` may destroy the Child. `alive` turns false when the Child is destroyed first.
struct Delivery {
  std::shared_ptr<bool> alive;
  std::function<void(Result)> done;
  Result result;
};

void deliverCb(evutil_socket_t, short, void* arg) noexcept {
  std::unique_ptr<Delivery> d(static_cast<Delivery*>(arg));
  if (!*d->alive) return;
  try {
    d->done(std::move(d->result));
  } catch (...) {
    // `done` is the owner's; it must not throw. Nothing sensible to do here.
  }
}

}  // namespace

std::string signalName(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

std::string Result::describe() const {
  switch (end) {
    case End::Exited: return "exited with status " + std::to_string(code);
    case End::Signaled: {
      std::string s = "killed by " + signalName(code);
      if (code == SIGSEGV || code == SIGBUS || code == SIGILL || code == SIGFPE || code == SIGABRT ||
          code == SIGTRAP || code == SIGSYS)
        s += " (crashed)";
      else if (code == SIGXCPU)
        s += " (CPU time limit)";
      return s;
    }
    case End::TimedOut: {
      auto ms = timeout.count();
      std::string t = ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
      return "timed out after " + t + " (killed)";
    }
    case End::TooMuchOutput: return "wrote more than " + std::to_string(maxOutput) + " bytes (killed)";
    case End::SpawnFailed: return std::string("could not be started: ") + std::strerror(code);
  }
  return "?";
}

struct Child::Impl {
  Impl(event_base* b, Options o, std::function<void(Result)> d)
      : base(b),
        opts(std::move(o)),
        done(std::move(d)),
        outWatch(b, [this](ev::IoWatch::Ready) { onOutput(0); }),
        errWatch(b, [this](ev::IoWatch::Ready) { onOutput(1); }),
        inWatch(b, [this](ev::IoWatch::Ready) { onInput(); }),
        exitWatch(b, [this](ev::IoWatch::Ready) { onExit(); }),
        deadline(b, [this] { kill(Result::End::TimedOut); }),
        poll(b, [this] { onExit(); }) {}

  ~Impl() {
    *alive = false;
    if (pid > 0 && !reaped) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }

  void start();
  void fail(int err);
  void onOutput(int which);
  void onInput();
  void onExit();
  void kill(Result::End why);
  void drain(int which);
  void finish(int status);

  event_base* base;
  Options opts;
  std::function<void(Result)> done;
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  pid_t pid = -1;
  bool reaped = false;
  UniqueFd in, out[2], pidfd;
  size_t inOff = 0;
  Result result;
  Result::End killedFor = Result::End::Exited;  // Exited: not killed by us
  ev::IoWatch outWatch, errWatch, inWatch, exitWatch;
  ev::Timer deadline, poll;
};

void Child::Impl::start() {
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer reserves terabytes of address space, so with RLIMIT_AS the child
  // could not start: the memory bound becomes ASan's bound on allocations instead (an
  // allocation past it fails as it would), and a crash stays a signal as without ASan.
  if (opts.limits.addressSpace) {
    const char* asan = std::getenv("ASAN_OPTIONS");
    opts.env.push_back(std::string("ASAN_OPTIONS=") + (asan ? asan : "") +
                       ":handle_segv=0:handle_sigbus=0:handle_abort=0:allocator_may_return_null=1" +
                       ":max_allocation_size_mb=" + std::to_string(opts.limits.addressSpace >> 20) +
                       ":detect_leaks=0");
    opts.limits.addressSpace = 0;
  }
#endif
  std::string path = opts.argv.empty() ? "" : resolve(opts.argv[0]);
  if (path.empty()) return fail(ENOENT);
  // opts is ours: its words serve as argv. The parent's environment as it is when
  // nothing is added (no copy per child: hc's exec checks run often).
  std::vector<std::string> envCopy = opts.env.empty() ? std::vector<std::string>() : environment(opts.env);
  std::vector<char*> argvP = pointers(opts.argv), envP;
  if (!opts.env.empty()) envP = pointers(envCopy);

  UniqueFd devNull, inR, inW, outR[2], outW[2];
  if (opts.input.empty() || !opts.captureStderr) {
    devNull.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!devNull) return fail(errno);
  }
  if (!opts.input.empty() && !cloexecPipe(inR, inW)) return fail(errno);
  for (int i = 0; i < (opts.captureStderr && !opts.mergeStderr ? 2 : 1); ++i)
    if (!cloexecPipe(outR[i], outW[i])) return fail(errno);
  int inFd = inR ? inR.get() : devNull.get();
  int errFd = outW[1] ? outW[1].get() : opts.mergeStderr && opts.captureStderr ? outW[0].get() : devNull.get();

  volatile int childErr = 0;  // written by the child, which shares our memory until exec
  pid = startChild(path.c_str(), argvP.data(), opts.env.empty() ? environ : envP.data(), inFd, outW[0].get(), errFd,
                   &childErr, opts.limits);
  if (pid < 0) return fail(errno);
  if (childErr != 0) {
    ::waitpid(pid, nullptr, 0);
    reaped = true;
    return fail(childErr);
  }
  in = std::move(inW);
  for (int i = 0; i < 2; ++i) {
    if (!outR[i]) continue;  // stderr on /dev/null or merged
    out[i] = std::move(outR[i]);
    setNonBlocking(out[i].get());
    (i == 0 ? outWatch : errWatch).watch(out[i].get(), EV_READ);
  }
  if (in) {
    setNonBlocking(in.get());
    inWatch.watch(in.get(), EV_WRITE);
  }
  pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (pidfd) exitWatch.watch(pidfd.get(), EV_READ);
  else poll.arm(std::chrono::milliseconds(20));  // no pidfd (old kernel): look now and then
  if (opts.timeout.count() > 0) deadline.arm(opts.timeout);
}

void Child::Impl::fail(int err) {
  result.end = Result::End::SpawnFailed;
  result.code = err;
  reaped = true;
  auto* d = new Delivery{alive, done, std::move(result)};
  timeval zero{0, 0};
  if (event_base_once(base, -1, EV_TIMEOUT, deliverCb, d, &zero) != 0) delete d;
}

// Reads what pipe `which` (0: stdout, 1: stderr) holds now; closes it at EOF, on an
// error, or when it passes maxOutput and overflow is Kill (and then kills the child's
// group). With Drop, what passes maxOutput is read and discarded.
void Child::Impl::drain(int which) {
  std::string& buf = which == 0 ? result.out : result.err;
  char chunk[65536];
  while (out[which]) {
    ssize_t n = ::read(out[which].get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      (which == 0 ? outWatch : errWatch).stop();
      out[which].reset();
      return;
    }
    size_t room = opts.maxOutput > buf.size() ? opts.maxOutput - buf.size() : 0;
    buf.append(chunk, std::min(room, static_cast<size_t>(n)));
    if (static_cast<size_t>(n) > room) {
      if (opts.overflow == Options::Overflow::Drop) continue;
      kill(Result::End::TooMuchOutput);
      out[which].reset();
      (which == 0 ? outWatch : errWatch).stop();
      return;
    }
  }
}

void Child::Impl::onOutput(int which) {
  drain(which);
  if (out[which]) (which == 0 ? outWatch : errWatch).watch(out[which].get(), EV_READ);
}

void Child::Impl::onInput() {
  while (in && inOff < opts.input.size()) {
    ssize_t n = writeNoSigpipe(in.get(), opts.input.data() + inOff, opts.input.size() - inOff);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      inWatch.watch(in.get(), EV_WRITE);
      return;
    }
    if (n < 0) break;  // EPIPE: the child does not read its input; not an error of ours
    inOff += static_cast<size_t>(n);
  }
  inWatch.stop();
  in.reset();
}

void Child::Impl::kill(Result::End why) {
  if (reaped) return;
  if (killedFor == Result::End::Exited) killedFor = why;
  ::kill(-pid, SIGKILL);
}

void Child::Impl::onExit() {
  int status = 0;
  pid_t p = ::waitpid(pid, &status, WNOHANG);
  if (p == 0) {  // not yet (spurious wake-up, or the poll fallback)
    if (pidfd) exitWatch.watch(pidfd.get(), EV_READ);
    else poll.arm(std::chrono::milliseconds(20));
    return;
  }
  if (p < 0) status = -1;  // ECHILD: someone else reaped it
  reaped = true;
  finish(status);
}

void Child::Impl::finish(int status) {
  deadline.cancel();
  poll.cancel();
  exitWatch.stop();
  inWatch.stop();
  in.reset();
  // What the child wrote before it ended is in the pipes; a grandchild that still holds
  // them open does not hold us up: read what is there, then close.
  for (int i = 0; i < 2; ++i) {
    drain(i);
    (i == 0 ? outWatch : errWatch).stop();
    out[i].reset();
  }
  if (killedFor == Result::End::TimedOut) {
    result.end = Result::End::TimedOut;
    result.timeout = opts.timeout;
  } else if (killedFor == Result::End::TooMuchOutput) {
    result.end = Result::End::TooMuchOutput;
    result.maxOutput = opts.maxOutput;
  } else if (status >= 0 && WIFEXITED(status)) {
    result.end = Result::End::Exited;
    result.code = WEXITSTATUS(status);
  } else if (status >= 0 && WIFSIGNALED(status)) {
    result.end = Result::End::Signaled;
    result.code = WTERMSIG(status);
  } else {
    result.end = Result::End::SpawnFailed;
    result.code = ECHILD;
  }
  if (killedFor != Result::End::Exited) ::kill(-pid, SIGKILL);  // the rest of its group
  auto* d = new Delivery{alive, done, std::move(result)};
  timeval zero{0, 0};
  if (event_base_once(base, -1, EV_TIMEOUT, deliverCb, d, &zero) != 0) delete d;
}

Child::Child(event_base* base, Options opts, std::function<void(Result)> done)
    : impl_(std::make_unique<Impl>(base, std::move(opts), std::move(done))) {
  impl_->start();
}

Child::~Child() = default;

pid_t Child::pid() const { return impl_->pid; }
bool Child::running() const { return impl_->pid > 0 && !impl_->reaped; }

Result run(const Options& opts) {
  std::unique_ptr<event_base, void (*)(event_base*)> base(event_base_new(), event_base_free);
  if (!base) throw std::runtime_error("event_base_new failed");
  Result out;
  bool finished = false;
  {
    Child child(base.get(), opts, [&](Result r) {
      out = std::move(r);
      finished = true;
    });
    while (!finished) event_base_loop(base.get(), EVLOOP_ONCE);
  }
  return out;
}

}  // namespace fail::spawn

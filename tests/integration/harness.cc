// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "harness.hh"

#include <sched.h>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "proto/list.hh"

namespace fail::test {

std::string buildDir() {
  if (const char* b = std::getenv("top_builddir")) return b;
  char exe[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  std::string p(exe, n > 0 ? static_cast<size_t>(n) : 0);
  // tests/integration/<binary> (or .libs/<binary> under libtool)
  for (int i = 0; i < 3; ++i) p = p.substr(0, p.rfind('/'));
  if (p.size() > 6 && p.substr(p.size() - 6) == "/tests") p = p.substr(0, p.size() - 6);
  return p;
}

std::string sourceDir() {
  if (const char* s = std::getenv("top_srcdir")) return s;
  return buildDir() + "/..";
}

void writeFile(const std::string& path, const std::string& text, int mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  ::chmod(path.c_str(), static_cast<mode_t>(mode));
}

bool exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

std::mutex secretsMutex;
std::set<std::string>& secrets() {
  static std::set<std::string> s;
  return s;
}

// Fails the running test when the log at `path` holds a noted secret.
void checkLogForSecrets(const std::string& program, const std::string& path) {
  std::vector<std::string> found = secretsIn(readFile(path));
  if (!found.empty())
    ADD_FAILURE() << program << " wrote a secret to its log " << path << " (" << found.size()
                  << " of the noted secrets, the first " << found[0].size() << " bytes long)";
}

}  // namespace

void noteSecret(const std::string& secret) {
  if (secret.size() < 6) return;
  std::lock_guard<std::mutex> lock(secretsMutex);
  secrets().insert(secret);
}

void noteAccessFileSecrets(const std::string& path) {
  std::istringstream in(readFile(path));
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    if (f.size() < 3 || f.size() > 4 || f[0][0] == '#') continue;
    std::string level = f[2];
    for (char& c : level) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (level == "RO" || level == "RW") noteSecret(f[1]);
  }
}

void noteConfigFileSecrets(const std::string& path) {
  std::istringstream in(readFile(path));
  std::string prev;
  for (std::string w; in >> w; prev = w)
    if ((prev == "-secret" || prev == "secret") && w[0] != '$' && w[0] != '[') {
      if (w.size() > 1 && (w[0] == '{' || w[0] == '"')) w = w.substr(1, w.size() - 2);
      noteSecret(w);
    }
}

void noteSecretsOfArgs(const std::string& program, const std::vector<std::string>& args) {
  bool failsh = program.find("failsh") != std::string::npos;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    const std::string &a = args[i], &v = args[i + 1];
    if ((a == "-c" && !failsh) || a == "--access") noteAccessFileSecrets(v);
    if ((a == "-c" || a == "--community") && failsh) noteSecret(v);
    if (a == "-f" || a == "--file") noteConfigFileSecrets(v);
  }
}

std::vector<std::string> secretsIn(const std::string& text) {
  std::lock_guard<std::mutex> lock(secretsMutex);
  std::vector<std::string> out;
  for (const auto& s : secrets())
    if (text.find(s) != std::string::npos) out.push_back(s);
  return out;
}

Daemon::Daemon(std::string program, std::vector<std::string> args, const TempDir& dir,
               std::string tag)
    : program_(std::move(program)), args_(std::move(args)), dir_(dir.path()), tag_(std::move(tag)) {
  logPath_ = dir_ + "/" + tag_ + ".log";
  notifyPath_ = dir_ + "/" + tag_ + ".notify";
}

Daemon::~Daemon() {
  if (pid_ > 0) kill9();
  if (notifyFd_ >= 0) ::close(notifyFd_);
  checkLogForSecrets(program_, logPath_);
}

bool Daemon::start() {
  noteSecretsOfArgs(program_, args_);
  if (notifyFd_ < 0) {
    ::unlink(notifyPath_.c_str());
    notifyFd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::strncpy(sun.sun_path, notifyPath_.c_str(), sizeof sun.sun_path - 1);
    if (::bind(notifyFd_, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) return false;
    ::chmod(notifyPath_.c_str(), 0666);  // a daemon run with -u USER still says READY
  }
  ready_.clear();
  listen_.clear();
  http_.clear();
  std::vector<std::string> set{"NOTIFY_SOCKET=" + notifyPath_};
  set.insert(set.end(), env_.begin(), env_.end());
  ExecPlan plan(buildDir() + "/" + program_, withTestHttp(program_, args_), set, {});
  std::string nsPath = netns_.empty() ? "" : "/run/netns/" + netns_;
  std::string nsFailed = "setns " + netns_ + " failed\n";
  pid_ = ::fork();
  if (pid_ == 0) {
    int log = ::open(logPath_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(log, 2);
    ::dup2(log, 1);
    if (!nsPath.empty()) {
      int ns = ::open(nsPath.c_str(), O_RDONLY | O_CLOEXEC);
      if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) {
        [[maybe_unused]] ssize_t n = ::write(2, nsFailed.data(), nsFailed.size());
        ::_exit(127);
      }
    }
    plan.exec();
  }
  auto until = Clock::now() + kDeadline;
  while (Clock::now() < until) {
    pollfd p{notifyFd_, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      char buf[4096];
      ssize_t n = ::recv(notifyFd_, buf, sizeof buf, 0);
      if (n > 0) {
        std::string msg(buf, static_cast<size_t>(n));
        if (msg.find("READY=1") != std::string::npos) {
          ready_ = msg;
          auto addresses = [&msg](const std::string& key, std::vector<std::string>& out) {
            size_t at = msg.find("\n" + key + "=");
            if (at == std::string::npos) return;
            std::string rest = msg.substr(at + key.size() + 2);
            std::istringstream ss(rest.substr(0, rest.find('\n')));
            for (std::string a; ss >> a;) out.push_back(a);
          };
          addresses("FAILD_LISTEN", listen_);
          addresses("FAIL_HTTP", http_);
          return true;
        }
      }
    }
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
  }
  return false;
}

int Daemon::runToExit() {
  ExecPlan plan(buildDir() + "/" + program_, withTestHttp(program_, args_), {}, {"NOTIFY_SOCKET"});
  pid_t pid = ::fork();
  if (pid == 0) {
    int log = ::open(logPath_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(log, 2);
    ::dup2(log, 1);
    plan.exec();
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void Daemon::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int Daemon::wait() {
  if (pid_ <= 0) return -1;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<std::string> withTestHttp(const std::string& program, std::vector<std::string> args) {
  bool faild = program.size() >= 5 && program.compare(program.size() - 5, 5, "faild") == 0;
  if (!faild) return args;
  for (const auto& a : args)
    if (a == "--http" || a == "--no-http" || a.rfind("--http=", 0) == 0) return args;
  args.insert(args.end(), {"--http", "127.0.0.1:0"});
  return args;
}

int Daemon::port() const {
  std::string a = address();
  size_t c = a.rfind(':');
  return c == std::string::npos ? -1 : std::atoi(a.c_str() + c + 1);
}

std::string Daemon::log() const { return readFile(logPath_); }

LineClient::LineClient(const std::string& address) {
  if (address.rfind("unix:", 0) == 0) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::strncpy(sun.sun_path, address.c_str() + 5, sizeof sun.sun_path - 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    return;
  }
  size_t c = address.rfind(':');
  std::string host = address.substr(0, c), port = address.substr(c + 1);
  if (!host.empty() && host[0] == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0) return;
  fd_ = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(fd_, res->ai_addr, res->ai_addrlen) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
  ::freeaddrinfo(res);
}

LineClient::~LineClient() {
  if (fd_ >= 0) ::close(fd_);
}

void LineClient::sendRaw(const std::string& bytes) {
  size_t off = 0;
  while (fd_ >= 0 && off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

void LineClient::send(const std::string& line) { sendRaw(line + "\n"); }

std::optional<std::string> LineClient::readLine(std::chrono::milliseconds timeout) {
  auto until = Clock::now() + timeout;
  while (true) {
    size_t nl = buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (fd_ < 0 || left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return std::nullopt;
    buf_.append(tmp, static_cast<size_t>(n));
  }
}

std::string LineClient::request(const std::string& line) {
  send(line);
  return readLine().value_or("");
}

std::optional<std::string> LineClient::readUntil(const std::function<bool(const std::string&)>& pred,
                                                 std::chrono::milliseconds timeout) {
  auto until = Clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto line = readLine(left);
    if (!line) return std::nullopt;
    if (pred(*line)) return line;
  }
}

bool LineClient::closedByPeer(std::chrono::milliseconds timeout) {
  auto until = Clock::now() + timeout;
  while (Clock::now() < until) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return true;
  }
  return false;
}

ExecPlan::ExecPlan(std::string program, const std::vector<std::string>& arguments,
                   const std::vector<std::string>& set, const std::vector<std::string>& unset)
    : exe(std::move(program)), args(arguments) {
  auto keyOf = [](const std::string& kv) { return kv.substr(0, kv.find('=')); };
  std::set<std::string> drop(unset.begin(), unset.end());
  for (const auto& kv : set) drop.insert(keyOf(kv));
  for (char** e = environ; *e; ++e)
    if (!drop.count(keyOf(*e))) env.emplace_back(*e);
  env.insert(env.end(), set.begin(), set.end());
  argv.push_back(exe.data());
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& kv : env) envp.push_back(kv.data());
  envp.push_back(nullptr);
  failed = "exec " + exe + " failed\n";
}

void ExecPlan::exec() {
  ::execve(exe.c_str(), argv.data(), envp.data());
  [[maybe_unused]] ssize_t n = ::write(2, failed.data(), failed.size());
  ::_exit(127);
}

RunResult runProgram(const std::string& program, const std::vector<std::string>& args,
                     const std::vector<std::string>& env) {
  TempDir tmp;
  std::string out = tmp.file("out"), err = tmp.file("err");
  ExecPlan plan(program[0] == '/' ? program : buildDir() + "/" + program, withTestHttp(program, args), env,
                {"FAIL_SECRET"});
  pid_t pid = ::fork();
  if (pid == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    plan.exec();
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  RunResult r;
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = readFile(out);
  r.err = readFile(err);
  return r;
}

bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds deadline) {
  auto until = Clock::now() + deadline;
  while (Clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return cond();
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> w;
  proto::splitList(line, w);
  return w;
}

std::string field(const std::string& dict, const std::string& key) {
  auto w = words(dict);
  for (size_t i = 0; i + 1 < w.size(); i += 2)
    if (w[i] == key) return w[i + 1];
  return "";
}

std::vector<std::string> tclshSanitizerEnv() {
#if defined(__SANITIZE_ADDRESS__)
  auto runtime = [](const char* name) {
    std::string lib;
    if (FILE* p = ::popen((std::string("g++ -print-file-name=") + name).c_str(), "r")) {
      char buf[512];
      if (std::fgets(buf, sizeof buf, p)) lib = buf;
      ::pclose(p);
    }
    while (!lib.empty() && (lib.back() == '\n' || lib.back() == ' ')) lib.pop_back();
    return lib;
  };
  return {"LD_PRELOAD=" + runtime("libasan.so") + " " + runtime("libubsan.so"), "ASAN_OPTIONS=detect_leaks=0"};
#else
  return {};
#endif
}

}  // namespace fail::test

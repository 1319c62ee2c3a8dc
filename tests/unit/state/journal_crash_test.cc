// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Journal under crashes and failing disks, in child processes: a SIGKILL while changes
// are in flight, a write that fails halfway (RLIMIT_FSIZE), a directory it may not read.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>

#include <set>

#include "tests/unit/state/journal_test.hh"

namespace fail::state::testing {
namespace {

// Runs `body` in a child process; returns what it wrote to the pipe (its verdict).
template <typename Body>
std::string inChild(Body body) {
  int p[2];
  if (::pipe(p) < 0) return "pipe failed";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    std::string verdict;
    try {
      verdict = body();
    } catch (const std::exception& e) {
      verdict = std::string("exception: ") + e.what();
    }
    [[maybe_unused]] ssize_t n = ::write(p[1], verdict.data(), verdict.size());
    ::_exit(0);
  }
  ::close(p[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) out.append(buf, n);
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return out;
}

bool readFull(int fd, void* buf, size_t len) {
  char* p = static_cast<char*>(buf);
  while (len > 0) {
    ssize_t n = ::read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

// A child appends changes as fast as 64 writers can, reporting each serial once its Done
// said it is durable; it is killed with SIGKILL in full flight. Every acknowledged change
// must be there after reopening.
TEST_F(JournalTest, AcknowledgedChangesSurviveSigkill) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(p[0]);
    try {
      Recovery r;
      auto j = Journal::open(path_, r);
      std::uint64_t serial = 0;
      int outstanding = 0;
      for (;;) {
        while (outstanding < 64) {
          ++serial;
          ++outstanding;
          j->appendChange(set(rec("c" + std::to_string(serial), State::Up, serial)),
                          (serial / 1000 + 1) * 1000,
                          [&outstanding, s = serial, fd = p[1]](bool ok, const std::string&) {
                            --outstanding;
                            if (ok && ::write(fd, &s, sizeof s) != sizeof s) ::_exit(3);
                          });
        }
        pollfd pf{j->completionFd(), POLLIN, 0};
        ::poll(&pf, 1, 1000);
        j->runCompletions();
      }
    } catch (...) {
      ::_exit(2);
    }
  }
  ::close(p[1]);
  std::set<std::uint64_t> acked;
  std::uint64_t s;
  while (acked.size() < 5000 && readFull(p[0], &s, sizeof s)) acked.insert(s);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  while (readFull(p[0], &s, sizeof s)) acked.insert(s);  // acknowledged before it died
  ::close(p[0]);
  ASSERT_GE(acked.size(), 5000u);

  Recovery r;
  auto j = open(r);
  std::set<std::string> names;
  for (const VersionRef& x : r.records) names.insert(std::string(x->name()));
  size_t missing = 0;
  for (std::uint64_t a : acked) missing += !names.count("c" + std::to_string(a));
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged changes";
  EXPECT_GE(r.ceiling, *acked.rbegin());
  std::printf("[ journal  ] %zu changes acknowledged before SIGKILL, %zu on disk%s\n",
              acked.size(), r.records.size(), r.problems.empty() ? "" : " (torn tail)");
  if (r.problems.empty()) {
    EXPECT_GE(r.changes.size(), acked.size());
  } else {  // killed within a write: only the unacknowledged tail may be lost
    EXPECT_NE(r.problems[0].find("no newline"), std::string::npos) << r.problems[0];
  }
}

// A write that fails halfway is reported, and cut back so it never resurfaces.
TEST_F(JournalTest, AFailedWriteIsReportedAndCutBack) {
  std::string path = path_;
  std::string verdict = inChild([path]() -> std::string {
    ::signal(SIGXFSZ, SIG_IGN);
    Recovery r;
    auto j = Journal::open(path, r);
    std::vector<std::string> results;
    auto note = [&](bool ok, const std::string& err) { results.push_back(ok ? "ok" : err); };
    j->appendChange(set(rec("small", State::Up, 1)), 100, note);
    j->drain();
    rlimit lim{static_cast<rlim_t>(j->size() + 300), RLIM_INFINITY};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    j->appendChange(set(rec("big", State::Fail, 2, std::string(2000, 'x'))), 100, note);
    j->drain();
    j->appendChange(set(rec("after", State::Up, 3)), 100, note);
    j->drain();
    j.reset();
    Journal::open(path, r);
    std::string v;
    for (const auto& x : results) v += x + "|";
    v += std::to_string(r.records.size()) + " records, " + std::to_string(r.problems.size()) +
         " problems";
    return v;
  });
  EXPECT_EQ(verdict, "ok|" + path_ + ": write: File too large|ok|2 records, 0 problems");
}

// Permission denied is an error, not damage: nothing is moved or rewritten.
TEST_F(JournalTest, AnUnreadableDirectoryThrows) {
  std::string sub = dir_ + "/private";
  std::filesystem::create_directory(sub);
  std::string path = sub + "/faild.state";
  {
    Recovery r;
    Journal::open(path, r);
  }
  bool root = ::geteuid() == 0;
  ::chmod(sub.c_str(), root ? 0700 : 0);  // root: the child gives up root instead
  std::string verdict = inChild([path]() -> std::string {
    if (::geteuid() == 0 && (::setgroups(0, nullptr) < 0 || ::setgid(65534) < 0 ||
                             ::setuid(65534) < 0))
      return "cannot drop root";
    Recovery r;
    Journal::open(path, r);
    return "opened";
  });
  EXPECT_NE(verdict.find("exception: " + path), std::string::npos) << verdict;
  EXPECT_NE(verdict.find("Permission denied"), std::string::npos) << verdict;
  ::chmod(sub.c_str(), 0700);
  for (const auto& e : std::filesystem::directory_iterator(sub))
    EXPECT_EQ(e.path().string().find("damaged"), std::string::npos) << e.path();
  Recovery r;
  Journal::open(path, r);
  EXPECT_TRUE(r.problems.empty());
}

}  // namespace
}  // namespace fail::state::testing

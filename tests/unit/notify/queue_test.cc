// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// notify::Queue: durable across close and reopen and across a process killed right after
// add(); add() all or nothing (a key already queued, a full disk, a locked file, the
// limit); a damaged or foreign file refused, naming it; outcomes, counts, pruning and the
// rules' AlertMemory.
#include "notify/queue.hh"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <set>

#include "../../common/sqlite_lock.hh"
#include "../../common/temp_dir.hh"

namespace fail::notify {
namespace {

constexpr Micros kS = 1'000'000;

Message message(const std::string& channel, const std::string& subject) {
  Message m;
  m.channel = channel;
  m.kind = Kind::Alert;
  m.record = "www";
  m.subject = subject;
  m.body = "body of " + subject;
  m.fields = {{"record", "www"}, {"state", "FAIL"}, {"note", "a \"quoted\" note\nline 2"}};
  return m;
}

std::unique_ptr<Queue> openOk(const std::string& path) {
  std::string err;
  auto q = Queue::open(path, &err);
  EXPECT_TRUE(q) << err;
  return q;
}

// Runs one SQL text on the file with a connection of its own.
void sql(const std::string& path, const std::string& text) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, text.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

TEST(NotifyQueue, KeepsMessagesAcrossCloseAndReopen) {
  test::TempDir dir;
  std::string path = dir.file("notify.db");
  std::vector<Message> msgs = {message("ops", "one"), message("ops", "two"),
                               message("chat", "three")};
  msgs[1].key = "given-key";
  msgs[2].created = 5 * kS;
  msgs[2].nextAttempt = 7 * kS;
  {
    auto q = openOk(path);
    std::string err;
    ASSERT_TRUE(q->add(msgs, &err)) << err;
  }
  for (const Message& m : msgs) EXPECT_GT(m.id, 0);
  EXPECT_EQ(msgs[0].key.size(), 32u);
  EXPECT_EQ(msgs[0].key.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(msgs[1].key, "given-key");
  EXPECT_GT(msgs[0].created, 0);
  EXPECT_EQ(msgs[0].nextAttempt, msgs[0].created);  // due at once
  EXPECT_EQ(msgs[2].created, 5 * kS);

  auto q = openOk(path);
  std::vector<Message> ops = q->due("ops", wallNow() + kS, 10);
  ASSERT_EQ(ops.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(ops[i].id, msgs[i].id);
    EXPECT_EQ(ops[i].key, msgs[i].key);
    EXPECT_EQ(ops[i].channel, "ops");
    EXPECT_EQ(ops[i].kind, Kind::Alert);
    EXPECT_EQ(ops[i].record, "www");
    EXPECT_EQ(ops[i].subject, msgs[i].subject);
    EXPECT_EQ(ops[i].body, msgs[i].body);
    EXPECT_EQ(ops[i].fields, msgs[i].fields);
    EXPECT_EQ(ops[i].created, msgs[i].created);
    EXPECT_EQ(ops[i].attempts, 0);
  }
  EXPECT_TRUE(q->due("chat", 6 * kS, 10).empty());  // not before its nextAttempt
  ASSERT_EQ(q->due("chat", 7 * kS, 10).size(), 1u);
  EXPECT_EQ(q->nextDue("chat"), 7 * kS);
  EXPECT_EQ(q->nextDue("chat", 7 * kS), std::nullopt);
  EXPECT_EQ(q->nextDue("nobody"), std::nullopt);
  EXPECT_EQ(q->counts("ops").waiting, 2u);
  EXPECT_EQ(q->waitingTotal(), 3u);
}

TEST(NotifyQueue, MakesTheFileReadableByItsOwnerOnly) {
  test::TempDir dir;
  mode_t old = ::umask(022);
  auto q = openOk(dir.file("notify.db"));
  ::umask(old);
  std::vector<Message> msgs = {message("ops", "x")};
  std::string err;
  ASSERT_TRUE(q->add(msgs, &err)) << err;
  for (const char* f : {"notify.db", "notify.db-wal"}) {
    struct stat st {};
    ASSERT_EQ(::stat(dir.file(f).c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
}

TEST(NotifyQueue, GivesEachMessageItsOwnKey) {
  auto q = openOk(":memory:");
  std::vector<Message> msgs(1000, message("ops", "s"));
  std::string err;
  ASSERT_TRUE(q->add(msgs, &err)) << err;
  std::set<std::string> keys;
  std::set<std::int64_t> ids;
  for (const Message& m : msgs) {
    keys.insert(m.key);
    ids.insert(m.id);
  }
  EXPECT_EQ(keys.size(), 1000u);
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(NotifyQueue, AddStoresAllOrNothing) {
  auto q = openOk(":memory:");
  std::vector<Message> first = {message("ops", "first")};
  first[0].key = "k1";
  std::string err;
  ASSERT_TRUE(q->add(first, &err)) << err;

  std::vector<Message> batch = {message("ops", "new"), message("ops", "again")};
  batch[1].key = "k1";
  EXPECT_FALSE(q->add(batch, &err));
  EXPECT_NE(err.find("message key k1 is already queued"), std::string::npos) << err;
  EXPECT_NE(err.find(":memory:"), std::string::npos) << err;
  // Given back as they were, and nothing of them stored.
  EXPECT_EQ(batch[0].id, 0);
  EXPECT_EQ(batch[0].key, "");
  EXPECT_EQ(batch[0].created, 0);
  EXPECT_EQ(batch[1].key, "k1");
  EXPECT_EQ(q->counts("ops").waiting, 1u);
  EXPECT_EQ(q->waitingTotal(), 1u);
  EXPECT_EQ(q->due("ops", wallNow() + kS, 10).size(), 1u);
}

// Runs `child` in a forked process, which ends with _exit(child()): no destructor runs,
// the database is never closed. Its exit status, 128 + the signal that killed it, or -1.
int inChild(const std::function<int()>& child) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(child());
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The waiting messages of "ops" in the queue at `path`, reopened.
std::vector<Message> waitingAt(const std::string& path) {
  auto q = openOk(path);
  return q ? q->due("ops", wallNow() + kS, 10) : std::vector<Message>{};
}

TEST(NotifyQueue, AMessageAddedSurvivesTheProcessDyingRightAfter) {
  test::TempDir dir;
  std::string path = dir.file("notify.db");
  { openOk(path); }  // made beforehand: the child's WAL then holds only the message
  int code = inChild([&] {
    std::string err;
    auto q = Queue::open(path, &err);
    std::vector<Message> msgs = {message("ops", "from the child")};
    msgs[0].key = "child-key";
    if (!q || !q->add(msgs, &err)) return 1;
    ::kill(::getpid(), SIGKILL);  // as kill -9 right after add() returned
    return 2;
  });
  ASSERT_EQ(code, 128 + SIGKILL);
  std::vector<Message> got = waitingAt(path);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].key, "child-key");
  EXPECT_EQ(got[0].subject, "from the child");
}

// A full disk, as a child's file size limit: the add fails with a message and stores
// nothing; a smaller one afterwards succeeds.
TEST(NotifyQueue, ADiskFullRefusesTheWholeBatch) {
  test::TempDir dir;
  std::string path = dir.file("notify.db");
  { openOk(path); }
  int code = inChild([&] {
    ::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG
    std::string err;
    auto q = Queue::open(path, &err);
    if (!q) return 2;
    struct rlimit lim = {256 * 1024, 256 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    std::vector<Message> msgs = {message("ops", "small"), message("ops", "large")};
    msgs[1].body.assign(1 << 20, 'x');
    if (q->add(msgs, &err)) return 3;
    if (err.find(path) == std::string::npos) return 4;
    if (msgs[0].id != 0) return 5;
    if (!q->due("ops", wallNow() + kS, 10).empty()) return 6;
    std::vector<Message> small = {message("ops", "small again")};
    return q->add(small, &err) ? 0 : 7;
  });
  EXPECT_EQ(code, 0);
  std::vector<Message> got = waitingAt(path);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].subject, "small again");
}

TEST(NotifyQueue, AFileAnotherProcessHoldsLockedFailsTheAdd) {
  test::TempDir dir;
  std::string path = dir.file("notify.db");
  auto q = openOk(path);
  test::SqliteWriteLock lock(path);
  ASSERT_TRUE(lock.locked());
  std::vector<Message> msgs = {message("ops", "x")};
  std::string err;
  EXPECT_FALSE(q->add(msgs, &err));  // after the busy timeout
  EXPECT_NE(err.find("locked"), std::string::npos) << err;
  lock.release();
  EXPECT_TRUE(q->due("ops", wallNow() + kS, 10).empty());
  EXPECT_TRUE(q->add(msgs, &err)) << err;
}

TEST(NotifyQueue, RefusesAFileThatIsNotADatabase) {
  test::TempDir dir;
  dir.write("notify.db", std::string(8192, 'g'));
  std::string err;
  EXPECT_FALSE(Queue::open(dir.file("notify.db"), &err));
  EXPECT_NE(err.find(dir.file("notify.db")), std::string::npos) << err;
  EXPECT_NE(err.find("not a database"), std::string::npos) << err;
}

TEST(NotifyQueue, RefusesADamagedFileNamingIt) {
  test::TempDir dir;
  std::string path = dir.file("notify.db");
  {
    auto q = openOk(path);
    std::vector<Message> msgs(300, message("ops", "s"));
    for (Message& m : msgs) m.body.assign(400, 'b');
    std::string err;
    ASSERT_TRUE(q->add(msgs, &err)) << err;
  }  // closed: the WAL is copied into the file and removed
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  ASSERT_GT(st.st_size, 16 * 4096);
  {
    // Garbage over pages 5 to 8 (the header and the schema stay sound).
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4 * 4096);
    std::string junk(4 * 4096, '\0');
    for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>(i * 7919 % 251);
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  std::string err;
  EXPECT_FALSE(Queue::open(path, &err));
  EXPECT_NE(err.find(path), std::string::npos) << err;
  EXPECT_NE(err.find("quick_check"), std::string::npos) << err;
}

TEST(NotifyQueue, RefusesAForeignDatabaseAndANewerSchema) {
  test::TempDir dir;
  sql(dir.file("other.db"), "CREATE TABLE t (x)");
  std::string err;
  EXPECT_FALSE(Queue::open(dir.file("other.db"), &err));
  EXPECT_NE(err.find("not a notification queue"), std::string::npos) << err;

  { openOk(dir.file("notify.db")); }
  sql(dir.file("notify.db"), "PRAGMA user_version = 2");
  EXPECT_FALSE(Queue::open(dir.file("notify.db"), &err));
  EXPECT_NE(err.find("schema version 2, this failsh knows 1"), std::string::npos) << err;
}

TEST(NotifyQueue, OutcomesMoveTheCounts) {
  auto q = openOk(":memory:");
  std::vector<Message> msgs;
  for (int i = 0; i < 4; ++i) {
    msgs.push_back(message("ops", "m" + std::to_string(i)));
    msgs.back().created = (10 + i) * kS;
  }
  std::string err;
  ASSERT_TRUE(q->add(msgs, &err)) << err;
  EXPECT_EQ(q->counts("ops").waiting, 4u);  // cached from here on
  q->sent(msgs[0].id, 20 * kS, "HTTP 200");
  q->failed(msgs[1].id, 21 * kS, "HTTP 404");
  q->retry(msgs[2].id, 1, 100 * kS, "HTTP 503");
  q->sent(msgs[0].id, 22 * kS, "again");  // no longer waiting: nothing happens
  Queue::Counts c = q->counts("ops");
  EXPECT_EQ(c.waiting, 2u);
  EXPECT_EQ(c.sent, 1u);
  EXPECT_EQ(c.failed, 1u);
  EXPECT_EQ(q->waitingTotal(), 2u);

  // The retried one waits for its time; the other is due first.
  std::vector<Message> due = q->due("ops", 50 * kS, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, msgs[3].id);
  EXPECT_EQ(q->nextDue("ops", 50 * kS), 100 * kS);
  due = q->due("ops", 100 * kS, 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].id, msgs[3].id);  // due at 13 s, before 100 s
  EXPECT_EQ(due[1].id, msgs[2].id);
  EXPECT_EQ(due[1].attempts, 1);
  EXPECT_EQ(due[1].lastError, "HTTP 503");

}

TEST(NotifyQueue, BatchWritesManyOutcomesInOneTransaction) {
  test::TempDir dir;
  auto q = openOk(dir.file("notify.db"));
  std::vector<Message> msgs(50, message("ops", "s"));
  std::string err;
  ASSERT_TRUE(q->add(msgs, &err)) << err;
  q->batch([&] {
    for (size_t i = 0; i < msgs.size(); ++i)
      if (i % 2) q->sent(msgs[i].id, 5 * kS, "ok");
      else q->retry(msgs[i].id, 1, 9 * kS, "down");
  });
  q.reset();
  q = openOk(dir.file("notify.db"));
  Queue::Counts c = q->counts("ops");
  EXPECT_EQ(c.sent, 25u);
  EXPECT_EQ(c.waiting, 25u);
  EXPECT_EQ(q->nextDue("ops"), 9 * kS);
}

TEST(NotifyQueue, PruneRemovesOnlyOldSentAndFailedRows) {
  auto q = openOk(":memory:");
  std::vector<Message> msgs(4, message("ops", "s"));
  std::string err;
  ASSERT_TRUE(q->add(msgs, &err)) << err;
  q->sent(msgs[0].id, 10 * kS, "");
  q->failed(msgs[1].id, 11 * kS, "no");
  q->sent(msgs[2].id, 30 * kS, "");
  EXPECT_EQ(q->prune(20 * kS), 2u);
  Queue::Counts c = q->counts("ops");
  EXPECT_EQ(c.sent, 1u);
  EXPECT_EQ(c.failed, 0u);
  EXPECT_EQ(c.waiting, 1u);  // waiting rows are never pruned, however old
  EXPECT_EQ(q->prune(wallNow() + 100 * kS), 1u);
  EXPECT_EQ(q->counts("ops").waiting, 1u);
}

TEST(NotifyQueue, RefusesMoreThanTheLimitOfWaitingMessages) {
  auto q = openOk(":memory:");
  EXPECT_EQ(q->maxWaiting(), 100'000u);
  q->setMaxWaiting(3);
  std::vector<Message> two(2, message("ops", "s"));
  std::string err;
  ASSERT_TRUE(q->add(two, &err)) << err;
  std::vector<Message> more(2, message("chat", "s"));
  EXPECT_FALSE(q->add(more, &err));
  EXPECT_NE(err.find("full: 2 messages waiting (at most 3); 2 refused"), std::string::npos) << err;
  EXPECT_EQ(q->counts("chat").waiting, 0u);
  q->sent(two[0].id, wallNow(), "");
  EXPECT_TRUE(q->add(more, &err)) << err;
  EXPECT_EQ(q->waitingTotal(), 3u);
}

TEST(NotifyQueue, RemembersWhatWasAlertedAcrossReopen) {
  test::TempDir dir;
  std::string path = dir.file("notify.db");
  {
    auto q = openOk(path);
    AlertMemory& m = *q;
    EXPECT_EQ(m.recall("web", "www"), std::nullopt);
    m.remember("web", "www", {proto::State::Fail, 10 * kS, 12 * kS});
    m.remember("web", "db", {proto::State::Up, 1 * kS, 2 * kS});
    m.remember("web", "db", {proto::State::Recover, 3 * kS, 4 * kS});  // replaces
    m.remember("other", "db", {proto::State::Fail, 5 * kS, 6 * kS});
    m.forget("other", "db");
    m.forget("other", "never");
  }
  auto q = openOk(path);
  auto www = q->recall("web", "www");
  ASSERT_TRUE(www);
  EXPECT_EQ(www->state, proto::State::Fail);
  EXPECT_EQ(www->at, 10 * kS);
  EXPECT_EQ(www->lastSent, 12 * kS);
  auto db = q->recall("web", "db");
  ASSERT_TRUE(db);
  EXPECT_EQ(db->state, proto::State::Recover);
  EXPECT_EQ(db->lastSent, 4 * kS);
  EXPECT_EQ(q->recall("other", "db"), std::nullopt);
}

TEST(NotifyQueue, WhatWasAlertedSurvivesTheProcessDyingRightAfter) {
  test::TempDir dir;
  std::string path = dir.file("notify.db");
  { openOk(path); }
  int code = inChild([&] {
    std::string err;
    auto q = Queue::open(path, &err);
    if (!q) return 1;
    q->remember("web", "www", {proto::State::Fail, 10 * kS, 12 * kS});
    ::kill(::getpid(), SIGKILL);
    return 2;
  });
  ASSERT_EQ(code, 128 + SIGKILL);
  auto q = openOk(path);
  auto www = q->recall("web", "www");
  ASSERT_TRUE(www);
  EXPECT_EQ(www->lastSent, 12 * kS);
}

}  // namespace
}  // namespace fail::notify

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Pipelined changes on one connection (doc/protocol.md, "Pipelining"), with the real
// faild: replies in request order, each only once its change is durable or has failed;
// a read behind them sees them; a client that never reads stays bounded.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "faild_disk.hh"
#include "harness.hh"

namespace fail::test {
namespace {

class FaildPipelineTest : public FaildDiskTest {
 protected:
  // The value of `key` in a STATS reply (-1: absent).
  static long long stat(LineClient& c, const std::string& key) {
    auto w = words(c.request("STATS"));
    for (size_t i = 1; i + 1 < w.size(); i += 2)
      if (w[i] == key) return std::stoll(w[i + 1]);
    return -1;
  }
  // The serial of "OK CHANGE n" / "OK DELETED n", or of "ERR STORAGE ... (serial n) ...".
  static std::uint64_t serialOf(const std::string& reply) {
    auto w = words(reply);
    if (w.size() >= 3 && w[0] == "OK") return std::stoull(w[2]);
    size_t p = reply.find("(serial ");
    return p == std::string::npos ? 0 : std::stoull(reply.substr(p + 8));
  }
};

std::string recordOf(const std::string& okLine) {
  auto w = words(okLine);
  return w.size() >= 2 ? w[1] : "";
}

// 1,000 SETs written at once are answered in request order, serials increasing, and are
// taken together: far fewer syncs than changes.
TEST_F(FaildPipelineTest, ThousandPipelinedSetsAnsweredInOrder) {
  auto d = startFaild(dir.file("faild.state"));
  LineClient c(d->address()), admin(d->address());
  ASSERT_TRUE(c.connected() && admin.connected());
  long long fsyncs = stat(admin, "fsyncs");
  std::string batch;
  for (int i = 0; i < 1000; ++i) batch += "SET p" + std::to_string(i) + " UP note=n" + std::to_string(i) + "\n";
  c.sendRaw(batch);
  std::uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) {
    auto r = c.readLine();
    ASSERT_TRUE(r) << "reply " << i << " missing";
    ASSERT_EQ(r->rfind("OK CHANGE ", 0), 0u) << i << ": " << *r;
    std::uint64_t serial = serialOf(*r);
    ASSERT_GT(serial, last) << i << ": " << *r;
    last = serial;
  }
  EXPECT_EQ(field(recordOf(c.request("GET p999")), "note"), "n999");
  EXPECT_LT(stat(admin, "fsyncs") - fsyncs, 500) << "the changes were not taken together";
}

// A GET (or any request but SET and DEL) behind pipelined changes waits for them: it
// sees the last one, and its reply comes after theirs. Replies that need no sync (a
// refresh, ERR NOTFOUND) keep their place too.
TEST_F(FaildPipelineTest, GetAfterPipelinedSetsSeesTheLast) {
  auto d = startFaild(dir.file("faild.state"));
  LineClient c(d->address());
  ASSERT_TRUE(c.connected());
  std::string r = c.request("SET r UP");
  ASSERT_EQ(r.rfind("OK CHANGE ", 0), 0u) << r;
  std::string batch;
  for (int i = 0; i < 50; ++i) batch += "SET x UP note=n" + std::to_string(i) + "\n";
  batch += "SET y UP\nDEL y\nDEL nothing\nSET x FAIL note=last\nSET r UP\nGET x\nGET y\nPING\n";
  c.sendRaw(batch);
  for (int i = 0; i < 50; ++i) {
    auto r = c.readLine();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->rfind("OK CHANGE ", 0), 0u) << i << ": " << *r;
  }
  std::vector<std::string> rest;
  for (int i = 0; i < 8; ++i) {
    auto r = c.readLine();
    ASSERT_TRUE(r) << "reply " << 50 + i << " missing";
    rest.push_back(*r);
  }
  EXPECT_EQ(rest[0].rfind("OK CHANGE ", 0), 0u) << rest[0];
  EXPECT_EQ(rest[1].rfind("OK DELETED ", 0), 0u) << rest[1];
  EXPECT_EQ(rest[2].rfind("ERR NOTFOUND ", 0), 0u) << rest[2];
  EXPECT_EQ(rest[3].rfind("OK CHANGE ", 0), 0u) << rest[3];
  // A refresh (r is durable as it is) needs no sync, but waits behind the changes before it.
  EXPECT_EQ(rest[4], "OK REFRESH " + std::to_string(serialOf(r)));
  EXPECT_EQ(field(recordOf(rest[5]), "state"), "FAIL") << rest[5];
  EXPECT_EQ(field(recordOf(rest[5]), "note"), "last") << rest[5];
  EXPECT_EQ(field(recordOf(rest[5]), "serial"), std::to_string(serialOf(rest[3])));
  EXPECT_EQ(rest[6].rfind("ERR NOTFOUND ", 0), 0u) << rest[6];
  EXPECT_EQ(rest[7], "OK PONG");
}

// The disk fills up in the middle of a pipeline: the changes that could not be stored
// are answered ERR STORAGE, the others OK CHANGE, in request order; after kill -9 exactly
// the acknowledged ones are there.
TEST_F(FaildPipelineTest, StorageFailureInTheMiddleIsAnsweredInOrder) {
  std::string why;
  if (!mountDisk("1m", why)) GTEST_SKIP() << "cannot mount a tmpfs for a full disk: " << why;
  std::string state = disk_ + "/faild.state";
  auto d = startFaild(state);
  LineClient c(d->address());
  ASSERT_TRUE(c.connected());
  ASSERT_EQ(c.request("SET first UP").rfind("OK CHANGE ", 0), 0u);
  ASSERT_TRUE(fillBut(disk_ + "/filler", 32 * 1024));
  // Small changes that fit, then large ones that cannot all fit, sent once the first
  // reply shows that the small ones are being written. The journal writes a group at
  // once, so how many of the small ones share a group with large ones (and fail with
  // them) varies; what must hold is the order and that exactly the OKs were stored.
  const int n = 60, small = 10;
  std::string batch;
  for (int i = 0; i < small; ++i) batch += "SET q" + std::to_string(i) + " UP\n";
  c.sendRaw(batch);
  auto first = c.readLine();
  ASSERT_TRUE(first);
  ASSERT_EQ(first->rfind("OK CHANGE ", 0), 0u) << *first;
  batch.clear();
  for (int i = small; i < n; ++i) batch += "SET q" + std::to_string(i) + " UP note=" + std::string(2000, 'n') + "\n";
  c.sendRaw(batch);
  std::vector<bool> stored(n);
  stored[0] = true;
  int errs = 0;
  std::uint64_t last = serialOf(*first);
  for (int i = 1; i < n; ++i) {
    auto r = c.readLine();
    ASSERT_TRUE(r) << "reply " << i << " missing";
    bool ok = r->rfind("OK CHANGE ", 0) == 0;
    ASSERT_TRUE(ok || r->rfind("ERR STORAGE ", 0) == 0) << i << ": " << r->substr(0, 200);
    std::uint64_t serial = serialOf(*r);
    ASSERT_GT(serial, last) << "out of request order at " << i << ": " << r->substr(0, 200);
    last = serial;
    stored[i] = ok;
    if (!ok) ++errs;
  }
  EXPECT_GT(errs, 0) << "the disk did not fill up";
  d->kill9();
  ASSERT_EQ(::unlink((disk_ + "/filler").c_str()), 0);
  d = startFaild(state);
  LineClient c2(d->address());
  for (int i = 0; i < n; ++i) {
    std::string r = c2.request("GET q" + std::to_string(i));
    if (stored[i])
      EXPECT_EQ(r.rfind("OK ", 0), 0u) << "q" << i << " was acknowledged: " << r.substr(0, 100);
    else
      EXPECT_EQ(r.rfind("ERR NOTFOUND ", 0), 0u) << "q" << i << " was refused: " << r.substr(0, 100);
  }
}

// A client that writes many changes and reads no reply has at most kMaxInFlight (256)
// changes in flight; it is answered in full, in order, once it reads.
TEST_F(FaildPipelineTest, ClientThatDoesNotReadIsBounded) {
  auto d = startFaild(dir.file("faild.state"));
  LineClient c(d->address()), admin(d->address());
  ASSERT_TRUE(c.connected() && admin.connected());
  const int n = 5000;
  std::string batch;
  for (int i = 0; i < n; ++i) batch += "SET b" + std::to_string(i) + " UP\n";
  c.sendRaw(batch);
  long long most = 0;
  ASSERT_TRUE(eventually([&] {
    most = std::max(most, stat(admin, "pending"));
    return stat(admin, "records") == n;
  })) << "records: " << stat(admin, "records");
  EXPECT_LE(most, 256);
  std::uint64_t last = 0;
  for (int i = 0; i < n; ++i) {
    auto r = c.readLine();
    ASSERT_TRUE(r) << "reply " << i << " missing";
    ASSERT_EQ(r->rfind("OK CHANGE ", 0), 0u) << i << ": " << *r;
    ASSERT_GT(serialOf(*r), last);
    last = serialOf(*r);
  }
}

}  // namespace
}  // namespace fail::test

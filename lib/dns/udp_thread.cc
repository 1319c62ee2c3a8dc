// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/udp_thread.hh"

#include <netinet/in.h>
#include <sys/socket.h>

#include <time.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "dns/frontend_log.hh"

namespace fail::dns {
namespace {

// Every field of Counters, for the copies below.
template <class Fn>
void eachField(Counters& a, const Counters& b, Fn fn) {
  fn(a.queries, b.queries);
  fn(a.tcp, b.tcp);
  fn(a.truncated, b.truncated);
  fn(a.forwarded, b.forwarded);
  fn(a.refused, b.refused);
  fn(a.dropped, b.dropped);
  for (int i = 0; i < 16; ++i) fn(a.rcode[i], b.rcode[i]);
  fn(a.edns, b.edns);
  fn(a.badvers, b.badvers);
}

constexpr std::size_t kIn = 4096;   // a query longer than this is cut (and then FORMERR)
constexpr std::size_t kOut = 4096;  // respond() caps UDP answers at 1232 bytes

// The per-thread buffers: kBatch queries in, kBatch answers out.
struct Buffers {
  std::array<std::array<std::uint8_t, kIn>, UdpThread::kBatch> in;
  std::array<std::array<std::uint8_t, kOut>, UdpThread::kBatch> out;
  std::array<sockaddr_storage, UdpThread::kBatch> peer;
  std::array<iovec, UdpThread::kBatch> inVec, outVec;
  std::array<mmsghdr, UdpThread::kBatch> inMsg, outMsg;
};

}  // namespace

void storeCounters(Counters& shared, const Counters& mine) {
  eachField(shared, mine, [](std::uint64_t& d, const std::uint64_t& s) {
    std::atomic_ref<std::uint64_t>(d).store(s, std::memory_order_relaxed);
  });
}

Counters loadCounters(const Counters& shared) {
  Counters out;
  eachField(out, shared, [](std::uint64_t& d, const std::uint64_t& s) {
    d = std::atomic_ref<std::uint64_t>(const_cast<std::uint64_t&>(s)).load(std::memory_order_relaxed);
  });
  return out;
}

void addCounters(Counters& sum, const Counters& more) {
  eachField(sum, more, [](std::uint64_t& d, const std::uint64_t& s) { d += s; });
}

UdpThread::UdpThread(std::shared_ptr<UniqueFd> socket, SnapshotSlot& slot, ForwardQueue& forward)
    : socket_(std::move(socket)), slot_(slot), forward_(forward) {}

UdpThread::~UdpThread() { stop(); }

void UdpThread::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void UdpThread::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  slot_.wake();
  ::shutdown(socket_->get(), SHUT_RD);  // recvmmsg returns
  thread_.join();
}

void UdpThread::poolQueries(std::map<std::string, std::uint64_t>& byName) const {
  std::lock_guard lock(poolMu_);
  pools_.addTo(byName);
}

// What the thread keeps for itself: buffers, its snapshot, positions and counters.
struct UdpThread::Reader {
  Buffers buf;
  std::uint64_t gen = 0;
  std::shared_ptr<const Published> pub;
  Cursor cursor;
  Counters mine;
  PoolCounts byPool;  // queries per pool under earlier configurations
  std::int64_t nextCopy = 0;  // coarse monotonic seconds
};

namespace {
// Seconds of CLOCK_MONOTONIC_COARSE: a read of the vDSO's data, no TSC, no syscall.
std::int64_t coarseSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return ts.tv_sec;
}
}  // namespace

void UdpThread::copyPools(const Reader& r) {
  std::lock_guard lock(poolMu_);
  pools_.snapshot = r.pub ? r.pub->snapshot : nullptr;
  pools_.queries = r.cursor.queries;
  pools_.earlier = r.byPool.earlier;
}

// Takes the current snapshot when the generation moved (one atomic load otherwise).
void UdpThread::refresh(Reader& r) {
  if (slot_.generation() == r.gen) return;
  auto next = slot_.get(&r.gen);
  if (next->epoch != r.pub->epoch) {  // a reload: the pools' indices change
    r.byPool.snapshot = r.pub->snapshot;
    r.byPool.queries = std::move(r.cursor.queries);
    r.byPool.fold();
    r.cursor = Cursor{};
    copyPools(r);
  }
  r.pub = std::move(next);
}

// Answers the `n` queries received into r.buf.out, sets up r.buf.outMsg, and returns how
// many answers to send. Forwarded queries go to the control thread's queue.
unsigned UdpThread::answerBatch(Reader& r, int n) {
  auto& buf = r.buf;
  unsigned k = 0;
  for (int i = 0; i < n; ++i) {
    const auto& h = buf.inMsg[i].msg_hdr;
    Request req{buf.in[i].data(), buf.inMsg[i].msg_len, false};
    if (req.size == 0) continue;
    std::size_t size = 0;
    Outcome o = respond(*r.pub->snapshot, r.cursor, req, buf.out[k].data(), kOut, &size, r.mine);
    if (o == Outcome::Drop) continue;
    auto* peer = static_cast<const sockaddr*>(h.msg_name);
    if (o == Outcome::Forward) {
      if (r.pub->forward && net::anyContains(r.pub->allow, peer)) {
        ForwardJob job;
        job.query.assign(req.data, req.data + req.size);
        std::memcpy(&job.client, peer, h.msg_namelen);
        job.clientLen = h.msg_namelen;
        job.socket = socket_;
        ++(forward_.push(std::move(job)) ? r.mine.forwarded : r.mine.dropped);
        continue;
      }
      size = refuse(req, Rcode::Refused, buf.out[k].data(), kOut);
      ++r.mine.refused;
      ++r.mine.rcode[static_cast<int>(Rcode::Refused)];
      if (size == 0) continue;
    }
    buf.outVec[k].iov_len = size;
    auto& oh = buf.outMsg[k].msg_hdr;  // msg_iov and the rest: set once in run()
    oh.msg_name = const_cast<sockaddr*>(peer);
    oh.msg_namelen = h.msg_namelen;
    ++k;
  }
  return k;
}

void UdpThread::run() noexcept {
  try {
    slot_.waitFirst(stopping_);
    auto r = std::make_unique<Reader>();
    auto& buf = r->buf;
    for (unsigned i = 0; i < kBatch; ++i) {
      buf.inVec[i] = {buf.in[i].data(), kIn};
      buf.outVec[i] = {buf.out[i].data(), 0};
      buf.inMsg[i].msg_hdr = {};
      buf.inMsg[i].msg_hdr.msg_name = &buf.peer[i];
      buf.inMsg[i].msg_hdr.msg_namelen = sizeof buf.peer[i];
      buf.inMsg[i].msg_hdr.msg_iov = &buf.inVec[i];
      buf.inMsg[i].msg_hdr.msg_iovlen = 1;
      buf.outMsg[i].msg_hdr = {};
      buf.outMsg[i].msg_hdr.msg_iov = &buf.outVec[i];
      buf.outMsg[i].msg_hdr.msg_iovlen = 1;
    }
    r->pub = slot_.get(&r->gen);
    r->nextCopy = coarseSeconds();
    const int fd = socket_->get();
    // recvmmsg returns at least once a second, so that the counts per pool are copied
    // while no query comes.
    timeval second{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &second, sizeof second);
    int n = 0;
    while (!stopping_.load(std::memory_order_relaxed)) {
      // The kernel wrote the peers' lengths (and msg_len, msg_flags) of the n received
      // last time: only those need their name length back.
      for (int i = 0; i < n; ++i) buf.inMsg[i].msg_hdr.msg_namelen = sizeof buf.peer[i];
      n = ::recvmmsg(fd, buf.inMsg.data(), kBatch, MSG_WAITFORONE, nullptr);
      if (stopping_.load(std::memory_order_relaxed)) break;
      if (const std::int64_t now = coarseSeconds(); now >= r->nextCopy) {
        copyPools(*r);
        r->nextCopy = now + 1;
      }
      if (n <= 0) {
        if (n < 0 && errno != EINTR && errno != EAGAIN)
          FAIL_LOG(logFacility(), Warning) << "UDP receive: " << std::strerror(errno);
        continue;
      }
      refresh(*r);
      unsigned k = answerBatch(*r, n);
      for (unsigned sent = 0; sent < k;) {
        int m = ::sendmmsg(fd, buf.outMsg.data() + sent, k - sent, 0);
        if (m < 0 && errno == EINTR) continue;
        // An answer the kernel refuses (an unreachable peer, a full buffer) is dropped.
        sent += m > 0 ? static_cast<unsigned>(m) : 1;
        if (m <= 0) ++r->mine.dropped;
      }
      storeCounters(shared_, r->mine);
    }
    storeCounters(shared_, r->mine);
    copyPools(*r);
  } catch (const std::exception& e) {
    FAIL_LOG(logFacility(), Err) << "UDP thread stopped: " << e.what();
  }
}

}  // namespace fail::dns

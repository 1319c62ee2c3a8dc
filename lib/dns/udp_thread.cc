// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/udp_thread.hh"

#include <netinet/in.h>
#include <sys/socket.h>

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

void UdpThread::run() noexcept {
  try {
    slot_.waitFirst(stopping_);
    auto buf = std::make_unique<Buffers>();
    for (unsigned i = 0; i < kBatch; ++i) {
      buf->inVec[i] = {buf->in[i].data(), kIn};
      buf->outVec[i] = {buf->out[i].data(), 0};
    }
    std::uint64_t gen = 0;
    std::shared_ptr<const Published> pub = slot_.get(&gen);
    Cursor cursor;
    Counters mine;
    const int fd = socket_->get();
    while (!stopping_.load(std::memory_order_relaxed)) {
      for (unsigned i = 0; i < kBatch; ++i) {
        auto& h = buf->inMsg[i].msg_hdr;
        h = {};
        h.msg_name = &buf->peer[i];
        h.msg_namelen = sizeof buf->peer[i];
        h.msg_iov = &buf->inVec[i];
        h.msg_iovlen = 1;
      }
      int n = ::recvmmsg(fd, buf->inMsg.data(), kBatch, MSG_WAITFORONE, nullptr);
      if (stopping_.load(std::memory_order_relaxed)) break;
      if (n <= 0) {
        if (n < 0 && errno != EINTR && errno != EAGAIN)
          FAIL_LOG(logFacility(), Warning) << "UDP receive: " << std::strerror(errno);
        continue;
      }
      if (slot_.generation() != gen) pub = slot_.get(&gen);
      unsigned k = 0;  // answers to send
      for (int i = 0; i < n; ++i) {
        const auto& h = buf->inMsg[i].msg_hdr;
        Request req{buf->in[i].data(), buf->inMsg[i].msg_len, false};
        if (req.size == 0) continue;
        std::size_t size = 0;
        Outcome o = respond(*pub->snapshot, cursor, req, buf->out[k].data(), kOut, &size, mine);
        if (o == Outcome::Drop) continue;
        auto* peer = static_cast<const sockaddr*>(h.msg_name);
        if (o == Outcome::Forward) {
          if (pub->forward && net::anyContains(pub->allow, peer)) {
            ForwardJob job;
            job.query.assign(req.data, req.data + req.size);
            std::memcpy(&job.client, peer, h.msg_namelen);
            job.clientLen = h.msg_namelen;
            job.socket = socket_;
            if (forward_.push(std::move(job)))
              ++mine.forwarded;
            else
              ++mine.dropped;
            continue;
          }
          size = refuse(req, Rcode::Refused, buf->out[k].data(), kOut);
          ++mine.refused;
          ++mine.rcode[static_cast<int>(Rcode::Refused)];
          if (size == 0) continue;
        }
        buf->outVec[k].iov_len = size;
        auto& oh = buf->outMsg[k].msg_hdr;
        oh = {};
        oh.msg_name = const_cast<sockaddr*>(peer);
        oh.msg_namelen = h.msg_namelen;
        oh.msg_iov = &buf->outVec[k];
        oh.msg_iovlen = 1;
        ++k;
      }
      for (unsigned sent = 0; sent < k;) {
        int m = ::sendmmsg(fd, buf->outMsg.data() + sent, k - sent, 0);
        if (m < 0 && errno == EINTR) continue;
        // An answer the kernel refuses (an unreachable peer, a full buffer) is dropped.
        sent += m > 0 ? static_cast<unsigned>(m) : 1;
        if (m <= 0) ++mine.dropped;
      }
      storeCounters(shared_, mine);
    }
    storeCounters(shared_, mine);
  } catch (const std::exception& e) {
    FAIL_LOG(logFacility(), Err) << "UDP thread stopped: " << e.what();
  }
}

}  // namespace fail::dns

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// rtnetlink plumbing: request building, acknowledged requests, dumps (netlink(7),
// rtnetlink(7)). Every answer is checked to come from the kernel (port 0) and to carry
// our port and sequence number; anything else on the socket is skipped.
#include "netif/netlink.hh"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>

namespace fail::netif::detail {
namespace {

constexpr std::chrono::milliseconds kAnswerTimeout{5000};
constexpr std::size_t kReceiveBuffer = 64 * 1024;  // above the kernel's dump skb size

// The errno in an NLMSG_ERROR (0 for an ACK), and the extended-ack text if any.
int errorOf(const nlmsghdr& m, std::string* detail) {
  nlmsgerr e{};
  if (m.nlmsg_len < NLMSG_LENGTH(sizeof e)) return EPROTO;
  std::memcpy(&e, NLMSG_DATA(&m), sizeof e);
  if (detail && (m.nlmsg_flags & NLM_F_ACK_TLVS)) {
    // With NLM_F_CAPPED the kernel echoed only our header, else our whole request.
    std::size_t fixed = sizeof e;
    if (!(m.nlmsg_flags & NLM_F_CAPPED)) fixed += e.msg.nlmsg_len - NLMSG_HDRLEN;
    forEachAttr(m, fixed, [&](std::uint16_t type, const void* data, std::size_t len) {
      if (type == NLMSGERR_ATTR_MSG && len > 0)
        detail->assign(static_cast<const char*>(data), strnlen(static_cast<const char*>(data), len));
    });
  }
  return -e.error;
}

}  // namespace

NlRequest::NlRequest(std::uint16_t type, std::uint16_t flags) : buf_(NLMSG_HDRLEN, 0) {
  nlmsghdr h{};
  h.nlmsg_type = type;
  h.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
  std::memcpy(buf_.data(), &h, sizeof h);
  fixLength();
}

void NlRequest::pad(std::size_t align) { buf_.resize((buf_.size() + align - 1) / align * align, 0); }

void NlRequest::fixLength() {
  auto len = static_cast<std::uint32_t>(buf_.size());
  std::memcpy(buf_.data() + offsetof(nlmsghdr, nlmsg_len), &len, sizeof len);
}

void NlRequest::header(const void* data, std::size_t len) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  buf_.insert(buf_.end(), p, p + len);
  pad(NLMSG_ALIGNTO);
  fixLength();
}

void NlRequest::attr(std::uint16_t type, const void* data, std::size_t len) {
  nlattr a{};
  a.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + len);
  a.nla_type = type;
  const auto* h = reinterpret_cast<const std::uint8_t*>(&a);
  buf_.insert(buf_.end(), h, h + sizeof a);
  pad(NLA_ALIGNTO);
  const auto* p = static_cast<const std::uint8_t*>(data);
  buf_.insert(buf_.end(), p, p + len);
  pad(NLA_ALIGNTO);
  fixLength();
}

void NlRequest::setSeq(std::uint32_t seq) {
  std::memcpy(buf_.data() + offsetof(nlmsghdr, nlmsg_seq), &seq, sizeof seq);
}

void NlRequest::addFlags(std::uint16_t flags) {
  std::uint16_t f;
  std::memcpy(&f, buf_.data() + offsetof(nlmsghdr, nlmsg_flags), sizeof f);
  f = static_cast<std::uint16_t>(f | flags);
  std::memcpy(buf_.data() + offsetof(nlmsghdr, nlmsg_flags), &f, sizeof f);
}

int Netlink::open() {
  fd_.reset(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd_) return errno;
  int on = 1;  // both optional: older kernels just give terser errors
  ::setsockopt(fd_.get(), SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof on);
  ::setsockopt(fd_.get(), SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof on);
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  socklen_t len = sizeof local;
  if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&local), &len) != 0) {
    int e = errno;
    fd_.reset();
    return e;
  }
  portId_ = local.nl_pid;
  seq_ = static_cast<std::uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return 0;
}

int Netlink::send(NlRequest& req) {
  if (!fd_) return EBADF;
  req.setSeq(++seq_);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t n = ::sendto(fd_.get(), req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
                       sizeof kernel);
  if (n < 0) return errno;
  return static_cast<std::size_t>(n) == req.size() ? 0 : EMSGSIZE;
}

int Netlink::receive(std::uint32_t seq, const std::function<int(const nlmsghdr&, bool* done)>& each) {
  std::vector<std::uint64_t> store(kReceiveBuffer / sizeof(std::uint64_t));  // aligned
  auto* buf = reinterpret_cast<char*>(store.data());
  auto deadline = std::chrono::steady_clock::now() + kAnswerTimeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_.get(), POLLIN, 0};
    int r = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return errno;
    if (r == 0) return ETIMEDOUT;

    sockaddr_nl from{};
    iovec iov{buf, kReceiveBuffer};
    msghdr mh{};
    mh.msg_name = &from;
    mh.msg_namelen = sizeof from;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t n = ::recvmsg(fd_.get(), &mh, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (mh.msg_flags & MSG_TRUNC) return EMSGSIZE;
    if (from.nl_pid != 0) continue;  // not from the kernel

    auto len = static_cast<unsigned>(n);  // NLMSG_OK wants an int-sized unsigned
    for (auto* m = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(m, len); m = NLMSG_NEXT(m, len)) {
      if (m->nlmsg_seq != seq || m->nlmsg_pid != portId_) continue;  // a stale answer
      bool done = false;
      int e = each(*m, &done);
      if (e != 0 || done) return e;
    }
  }
}

int Netlink::transact(NlRequest& req, std::string* detail) {
  if (detail) detail->clear();
  req.addFlags(NLM_F_ACK);
  if (int e = send(req)) return e;
  return receive(seq_, [&](const nlmsghdr& m, bool* done) {
    if (m.nlmsg_type != NLMSG_ERROR) return 0;  // nothing else is expected; skip it
    *done = true;
    return errorOf(m, detail);
  });
}

int Netlink::dump(NlRequest& req, const std::function<void(const nlmsghdr&)>& each) {
  req.addFlags(NLM_F_DUMP);
  if (int e = send(req)) return e;
  bool interrupted = false;
  int e = receive(seq_, [&](const nlmsghdr& m, bool* done) {
    if (m.nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
    if (m.nlmsg_type == NLMSG_ERROR) {
      *done = true;
      int err = errorOf(m, nullptr);
      return err != 0 ? err : EPROTO;  // an ACK cannot end a dump
    }
    if (m.nlmsg_type == NLMSG_DONE) {
      *done = true;
      int status = 0;  // the dump's own status, when the kernel gives one
      if (m.nlmsg_len >= NLMSG_LENGTH(sizeof status)) std::memcpy(&status, NLMSG_DATA(&m), sizeof status);
      return -status;
    }
    each(m);
    return 0;
  });
  return e == 0 && interrupted ? EAGAIN : e;
}

void forEachAttr(const nlmsghdr& msg, std::size_t fixed,
                 const std::function<void(std::uint16_t, const void*, std::size_t)>& each) {
  const std::size_t start = NLMSG_HDRLEN + NLMSG_ALIGN(fixed);  // from the message's start
  if (msg.nlmsg_len <= start) return;
  const auto* p = reinterpret_cast<const std::uint8_t*>(&msg) + start;
  std::size_t rem = msg.nlmsg_len - start;
  while (rem >= NLA_HDRLEN) {
    nlattr a;
    std::memcpy(&a, p, sizeof a);
    if (a.nla_len < NLA_HDRLEN || a.nla_len > rem) return;
    each(static_cast<std::uint16_t>(a.nla_type & NLA_TYPE_MASK), p + NLA_HDRLEN, a.nla_len - NLA_HDRLEN);
    std::size_t step = NLA_ALIGN(a.nla_len);
    if (step >= rem) return;
    p += step;
    rem -= step;
  }
}

}  // namespace fail::netif::detail

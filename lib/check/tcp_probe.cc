// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Kind "tcp": connect, then optionally send some bytes and look for a substring in what
// the server sends first (gdnsd tcp_connect, keepalived TCP_CHECK).
//
// Outcomes: connected (and -expect found in the first 4 KiB) Ok; refused, reset, no
// route Unreachable ("connection refused", ...); nothing at all by the deadline Timeout
// "timeout"; an answer without the -expect text Fail "unexpected answer", decided when
// the server closes, after 4 KiB, or at the deadline (the text may span several reads);
// a close before any byte Fail "connection closed"; socket()/EMFILE and the like
// LocalError.
//
// Built for volume (10,000 checks a second): the address is resolved once at
// construction; an attempt allocates nothing (a pooled socket, net::PooledSocket; the
// read buffer is on the stack, only a carry of expect-1 bytes is kept), and the
// connection is reset so no TIME_WAIT piles up (except after a -send without -expect,
// where the bytes must reach the server first: a FIN, and the socket leaves the pool).
#include <errno.h>
#include <sys/socket.h>

#include <cstring>
#include <string_view>

#include "check/classify.hh"
#include "check/probe_base.hh"
#include "check/registry.hh"
#include "net/tcp.hh"

namespace fail::check {
namespace {

using std::chrono::microseconds;

constexpr size_t kReadBound = 4096;  // -expect looks at most at this many bytes

class TcpProbe final : public ProbeBase {
 public:
  TcpProbe(ev::Loop& loop, net::Address to, std::string send, std::string expect)
      : ProbeBase(loop), to_(to), send_(std::move(send)), expect_(std::move(expect)) {
    carry_.reserve(expect_.size());
  }
  ~TcpProbe() override { cancel(); }

 private:
  enum class Phase : std::uint8_t { Connecting, Sending, Reading };

  void begin(microseconds) override {
    sent_ = got_ = 0;
    carry_.clear();
    phase_ = Phase::Connecting;
    fd_ = connectPooled(to_, !send_.empty());
    if (fd_ >= 0) watch(fd_, EV_WRITE);
  }

  void release() noexcept override {}  // the base resets the pooled socket

  void onReady(ev::IoWatch::Ready) override {
    switch (phase_) {
      case Phase::Connecting:
        if (!connected(fd_)) return;
        phase_ = Phase::Sending;
        return sendSome();
      case Phase::Sending: return sendSome();
      case Phase::Reading: return readSome();
    }
  }

  void sendSome() {
    while (sent_ < send_.size()) {
      ssize_t n = ::send(fd_, send_.data() + sent_, send_.size() - sent_, MSG_NOSIGNAL);
      if (n > 0) {
        sent_ += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return watch(fd_, EV_WRITE);
      return finishErrno(n < 0 ? errno : EPIPE, "send");
    }
    if (expect_.empty()) {
      // Connected (and the bytes handed over): that is all that was asked. After a
      // -send, close with a FIN so the bytes reach the server.
      if (!send_.empty()) pooled().close();
      return finish(Outcome::Ok, {});
    }
    phase_ = Phase::Reading;
    watch(fd_, EV_READ);
  }

  void readSome() {
    // The carry (the last expect-1 bytes seen) goes in front, so a match across two
    // reads is found.
    char buf[2 * kReadBound];
    std::memcpy(buf, carry_.data(), carry_.size());
    size_t have = carry_.size();
    for (;;) {
      size_t room = kReadBound - got_;
      ssize_t n = ::recv(fd_, buf + have, room, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0) return finishErrno(errno, "recv");
      if (n == 0) return finish(Outcome::Fail, got_ == 0 ? "connection closed" : "unexpected answer");
      got_ += static_cast<size_t>(n);
      have += static_cast<size_t>(n);
      if (std::string_view(buf, have).find(expect_) != std::string_view::npos)
        return finish(Outcome::Ok, {});
      if (got_ >= kReadBound) return finish(Outcome::Fail, "unexpected answer");
      size_t keep = std::min(have, expect_.size() - 1);
      std::memmove(buf, buf + have - keep, keep);
      have = keep;
    }
    carry_.assign(buf, have);  // within the capacity reserved at construction
    watch(fd_, EV_READ);
  }

  // The deadline passed. A server that said something, but not what -expect wants, has
  // answered wrongly (more of its answer could have come, so this is decided only now,
  // or at its close, or after 4 KiB); one that said nothing timed out.
  void onTimeout() override {
    if (phase_ == Phase::Reading && got_ > 0) return finish(Outcome::Fail, "unexpected answer");
    finish(Outcome::Timeout, "timeout");
  }

  const net::Address to_;
  const std::string send_, expect_;
  int fd_ = -1;  // pooled(): the attempt's socket
  Phase phase_ = Phase::Connecting;
  size_t sent_ = 0, got_ = 0;
  std::string carry_;
};

std::unique_ptr<Probe> makeTcp(const ProbeContext& ctx, const CheckSpec& spec) {
  auto port = static_cast<std::uint16_t>(spec.integer("port", 1, 65535));
  std::string error;
  auto to = net::resolve(spec.str("host"), port, &error);
  if (!to) throw ConfigError(spec.where("host") + error);
  std::string send = spec.has("send") ? spec.str("send") : std::string();
  std::string expect = spec.has("expect") ? spec.str("expect") : std::string();
  if (expect.size() > kReadBound)
    throw ConfigError(spec.where("expect") + "longer than the " + std::to_string(kReadBound) +
                      " bytes read");
  auto probe = std::make_unique<TcpProbe>(*ctx.loop, *to, std::move(send), std::move(expect));
  probe->setClose(closeOption(spec));
  return probe;
}

}  // namespace

const KindDesc& tcpKind() {
  static const KindDesc kind{
      "tcp",
      "connect to a TCP port; optionally send bytes and expect a substring in the answer",
      {
          {"host", OptType::String, nullptr,
           "address to connect to (a name is resolved once, when the configuration is loaded)",
           true},
          {"port", OptType::Int, nullptr, "TCP port (1-65535)", true},
          {"send", OptType::String, nullptr,
           "bytes to send once connected (Tcl escapes such as \\r\\n give the real bytes)"},
          {"expect", OptType::String, nullptr,
           "a substring expected in the first 4 KiB the server sends; else FAIL \"unexpected answer\""},
          closeOptionDesc(),
      },
      makeTcp,
  };
  return kind;
}

}  // namespace fail::check

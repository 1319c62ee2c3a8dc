// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Kind "icmp": -count echo requests, -echo-interval apart, to one address; the attempt
// ends when every reply is in or at its deadline, and is judged on the loss and the mean
// round-trip time. The socket is an unprivileged ping socket where the kernel allows it
// (net.ipv4.ping_group_range), a raw one otherwise (CAP_NET_RAW); when neither can be
// opened the attempt is a LocalError saying why, which never counts against the target.
//
// Notes use thresholds, never measured numbers ("rtt above 200ms", "loss above 34%"),
// so a note changes only when the situation does; the figures go into attributes.
#include <errno.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "base/time.hh"
#include "check/classify.hh"
#include "check/probe_base.hh"
#include "check/registry.hh"
#include "net/icmp.hh"
#include "net/tcp.hh"

namespace fail::check {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using IcmpSocket = ::fail::net::IcmpSocket;

constexpr std::size_t kCookie = 8;  // random bytes per attempt, echoed back by the target

struct IcmpConfig {
  net::Address to;
  int count = 3;
  milliseconds gap{100};
  int maxLoss = 34;  // percent
  milliseconds maxRtt{0}, warnRtt{0};
  IcmpSocket::Mode mode = IcmpSocket::Mode::Auto;
};

std::string millisText(microseconds us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(us.count()) / 1000.0);
  return buf;
}

class IcmpProbe final : public ProbeBase {
 public:
  IcmpProbe(ev::Loop& loop, IcmpConfig cfg)
      : ProbeBase(loop),
        cfg_(std::move(cfg)),
        gap_(loop.base(), [this] { sendNext(); }),
        sentAt_(static_cast<std::size_t>(cfg_.count)),
        got_(static_cast<std::size_t>(cfg_.count)) {}
  ~IcmpProbe() override { cancel(); }

 private:
  void begin(microseconds) override {
    sent_ = received_ = 0;
    rttSum_ = rttMax_ = microseconds(0);
    std::fill(got_.begin(), got_.end(), false);
    id_ = static_cast<std::uint16_t>(arc4random());
    arc4random_buf(cookie_, sizeof cookie_);
    std::string error;
    sock_ = IcmpSocket::open(cfg_.to.family(), cfg_.mode, &error);
    if (!sock_.valid()) return finish(Outcome::LocalError, std::move(error));
    if (int err = sock_.connect(cfg_.to.sa(), cfg_.to.length)) return finishErrno(err, "connect");
    sendNext();  // may end the attempt (send error)
    if (running()) watch(sock_.fd(), EV_READ);
  }

  void release() noexcept override {
    gap_.cancel();
    sock_ = IcmpSocket();
  }

  void sendNext() {
    if (!running() || sent_ >= cfg_.count) return;
    auto seq = static_cast<std::uint16_t>(sent_);
    sentAt_[static_cast<std::size_t>(sent_)] = Clock::now();
    if (int err = sock_.sendEcho(id_, seq, cookie_, sizeof cookie_)) return finishErrno(err, "send");
    ++sent_;
    if (sent_ < cfg_.count) gap_.arm(duration_cast<microseconds>(cfg_.gap));
  }

  void onTimeout() override { judge(); }

  void onReady(ev::IoWatch::Ready) override {
    std::uint8_t buf[256];
    for (;;) {
      IcmpSocket::Echo echo;
      int err = 0;
      switch (sock_.receive(buf, sizeof buf, &echo, &err)) {
        case IcmpSocket::Got::Echo: take(echo); break;
        case IcmpSocket::Got::Other: break;
        case IcmpSocket::Got::Again:
          if (received_ == cfg_.count) return judge();
          return watch(sock_.fd(), EV_READ);
        case IcmpSocket::Got::Error: return finishErrno(err, "recv");
      }
    }
  }

  // One echo reply: ours if it carries this attempt's cookie (and, on a raw socket, which
  // sees every reply for the host, our identifier; a ping socket's is the kernel's).
  void take(const IcmpSocket::Echo& e) {
    if (sock_.raw() && e.id != id_) return;
    if (e.length < kCookie || std::memcmp(e.payload, cookie_, kCookie) != 0) return;
    if (e.seq >= sent_ || got_[e.seq]) return;
    got_[e.seq] = true;
    ++received_;
    auto rtt = duration_cast<microseconds>(Clock::now() - sentAt_[e.seq]);
    rttSum_ += rtt;
    rttMax_ = std::max(rttMax_, rtt);
  }

  void judge() {
    int sent = std::max(sent_, 1);
    int lost = sent - received_;
    int lossPct = (lost * 100 + sent / 2) / sent;
    attrs_.emplace_back("loss", std::to_string(lossPct));
    attrs_.emplace_back("sent", std::to_string(sent_));
    attrs_.emplace_back("received", std::to_string(received_));
    attrs_.emplace_back("socket", sock_.raw() ? "raw" : "ping");
    if (received_ == 0) return finish(Outcome::Unreachable, "100% loss");
    microseconds avg = rttSum_ / received_;
    latency_ = avg;
    attrs_.emplace_back("rtt_avg", millisText(avg));
    attrs_.emplace_back("rtt_max", millisText(rttMax_));
    if (lost * 100 > cfg_.maxLoss * sent)
      return finish(Outcome::Fail, "loss above " + std::to_string(cfg_.maxLoss) + "%");
    if (cfg_.maxRtt.count() > 0 && avg > cfg_.maxRtt)
      return finish(Outcome::Fail, "rtt above " + formatDurationMs(cfg_.maxRtt.count()));
    if (cfg_.warnRtt.count() > 0 && avg > cfg_.warnRtt)
      warning_ = "rtt above " + formatDurationMs(cfg_.warnRtt.count());
    finish(Outcome::Ok, {});
  }

  void complete(ProbeResult& r) override {
    if (latency_.count()) r.latency = latency_;
    r.warning = std::move(warning_);
    r.attrs = std::move(attrs_);
    attrs_.clear();
    warning_.clear();
    latency_ = microseconds(0);
  }

  const IcmpConfig cfg_;
  ev::Timer gap_;
  IcmpSocket sock_;
  std::vector<Clock::time_point> sentAt_;  // by sequence number
  std::vector<bool> got_;
  int sent_ = 0, received_ = 0;
  microseconds rttSum_{}, rttMax_{}, latency_{};
  std::uint16_t id_ = 0;
  std::uint8_t cookie_[kCookie] = {};
  std::string warning_;
  std::vector<std::pair<std::string, std::string>> attrs_;
};

std::unique_ptr<Probe> makeIcmp(const ProbeContext& ctx, const CheckSpec& spec) {
  IcmpConfig c;
  std::string error;
  auto to = net::resolve(spec.str("host"), 0, &error);
  if (!to) throw ConfigError(spec.where("host") + error);
  c.to = *to;
  c.count = static_cast<int>(spec.integer("count", 1, 100));
  c.gap = spec.duration("echo-interval");
  c.maxLoss = static_cast<int>(spec.integer("max-loss", 0, 100));
  c.maxRtt = spec.duration("max-rtt");
  c.warnRtt = spec.duration("warn-rtt");
  std::string mode = spec.str("socket");
  if (mode == "auto") c.mode = IcmpSocket::Mode::Auto;
  else if (mode == "ping") c.mode = IcmpSocket::Mode::Ping;
  else if (mode == "raw") c.mode = IcmpSocket::Mode::Raw;
  else throw ConfigError(spec.where("socket") + "expected auto, ping or raw");
  if (c.count > 1 && c.gap.count() <= 0)
    throw ConfigError(spec.where("echo-interval") + "must be above 0");
  if (c.gap * (c.count - 1) >= spec.timeout)
    throw ConfigError(spec.where("count") + "the last of " + std::to_string(c.count) +
                      " echoes " + formatDurationMs(c.gap.count()) +
                      " apart would go after the timeout (" +
                      formatDurationMs(spec.timeout.count()) + ")");
  return std::make_unique<IcmpProbe>(*ctx.loop, std::move(c));
}

}  // namespace

const KindDesc& icmpKind() {
  static const KindDesc kind{
      "icmp",
      "ICMP echo (ping) with loss and round-trip thresholds",
      {
          {"host", OptType::String, nullptr,
           "IPv4 or IPv6 address (a name is resolved once, when the configuration is loaded)", true},
          {"count", OptType::Int, "3", "echo requests per probe (1-100)"},
          {"echo-interval", OptType::Duration, "100ms",
           "time between two echo requests; all must go out within the timeout"},
          {"max-loss", OptType::Int, "34",
           "highest loss in percent that is still UP (0-100); above: FAIL \"loss above N%\"; "
           "no reply at all is FAIL \"100% loss\""},
          {"max-rtt", OptType::Duration, "0",
           "mean round-trip time above which the probe fails (\"rtt above 200ms\"); 0: off"},
          {"warn-rtt", OptType::Duration, "0",
           "mean round-trip time above which UP carries a warning; 0: off"},
          {"socket", OptType::String, "auto",
           "auto (a ping socket where net.ipv4.ping_group_range allows it, else raw), ping or raw"},
      },
      makeIcmp,
  };
  return kind;
}

}  // namespace fail::check

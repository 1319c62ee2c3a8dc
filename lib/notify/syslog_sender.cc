// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The syslog sender: one line through syslog(3), with the channel's facility. syslog(3)
// does not say whether the line arrived, so an attempt is always Sent.
#include <syslog.h>

#include <vector>

#include "ev/ev.hh"
#include "notify/senders_kinds.hh"

namespace fail::notify {
namespace {

constexpr size_t kMaxLine = 1024;  // of the line: syslog daemons cut near here anyway

class SyslogSender final : public Sender {
 public:
  SyslogSender(const SyslogSpec& spec, ev::Loop& loop)
      : spec_(spec), soon_(loop.base(), [this] { report(); }) {}

  size_t parallel() const override { return 1; }

  void send(const Message& m, std::function<void(Outcome)> done) override {
    std::string body = m.body.substr(0, m.body.find('\n'));
    std::string line = detail::detailText(m.subject + (body.empty() ? "" : ": " + body), kMaxLine);
    // Alerts (and their repeats) at warning, so that a log filter on severity sees them.
    int priority = m.kind == Kind::Alert || m.kind == Kind::Repeat ? LOG_WARNING : LOG_NOTICE;
    ::syslog(spec_.facility | priority, "%s", line.c_str());
    // `done` must not run from inside send(): it does on the loop's next turn.
    pending_.push_back(std::move(done));
    soon_.arm(ev::Micros(0));
  }

 private:
  void report() {
    auto now = std::move(pending_);
    pending_.clear();
    Outcome o;
    o.end = Outcome::End::Sent;
    o.detail = std::string("syslog ") + syslogFacilityName(spec_.facility);
    // A `done` may destroy this sender: nothing of it is touched after the first.
    for (auto& done : now) done(o);
  }

  SyslogSpec spec_;
  ev::Timer soon_;
  std::vector<std::function<void(Outcome)>> pending_;
};

}  // namespace

namespace detail {

std::unique_ptr<Sender> makeSyslogSender(const SyslogSpec& spec, ev::Loop& loop) {
  return std::make_unique<SyslogSender>(spec, loop);
}

}  // namespace detail
}  // namespace fail::notify

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/transport.hh"

#include <event2/buffer.h>

#include <algorithm>
#include <stdexcept>

#include "base/log.hh"
#include "base/text.hh"
#include "base/version.hh"
#include "client/bev.hh"
#include "client/reply.hh"
#include "net/tls.hh"
#include "proto/list.hh"

namespace fail::client {
Transport::Transport(event_base* base, LinkSpec spec, LinkOptions opts, Events events)
    : base_(base),
      fac_(log::facility(opts.logFacility)),
      spec_(std::move(spec)),
      opts_(std::move(opts)),
      events_(std::move(events)),
      retry_(base, [this] { connect(); }),
      connectDeadline_(base, [this] { end(End::Lost, "no answer within " + formatDurationMs(opts_.connectTimeout.count())); }),
      backoff_(opts_.minBackoff) {
  if (spec_.tls.enabled) {
    std::string err;
    ctx_ = makeClientContext(spec_.tls, err);
    if (!ctx_) throw std::runtime_error(spec_.name + ": " + err);
  }
  if (spec_.target.kind == Target::Kind::Tcp && !net::isIpLiteral(spec_.target.host))
    dns_.reset(evdns_base_new(base_, EVDNS_BASE_INITIALIZE_NAMESERVERS));  // null: a blocking lookup
}

// No event from here: the owner is being destroyed.
Transport::~Transport() = default;

void Transport::start() {
  if (running_) return;
  running_ = true;
  connect();
}

void Transport::stop() {
  running_ = false;
  retry_.cancel();
  if (phase_ != Phase::Idle) end(End::Stopped, "stopped");
}

void Transport::fail(const std::string& why) {
  if (phase_ != Phase::Idle) end(End::Lost, why);
}

void Transport::connect() {
  if (!running_) return;
  phase_ = Phase::Connecting;
  authSent_ = false;
  std::string err;
  bufferevent* b = newBufferevent(base_, spec_.target, ctx_.get(), err);
  if (!b) return end(End::Lost, err);
  bev_.reset(b);
  bufferevent_setcb(b, readCb, opts_.lowWatermark ? writeCb : nullptr, eventCb, this);
  if (opts_.lowWatermark) bufferevent_setwatermark(b, EV_WRITE, opts_.lowWatermark, 0);
  bufferevent_enable(b, EV_READ | EV_WRITE);
  connectDeadline_.arm(opts_.connectTimeout);
  if (!connectBufferevent(b, spec_.target, dns_.get(), err) && bev_.get() == b) end(End::Lost, err);
}

void Transport::readCb(bufferevent* bev, void* arg) noexcept {
  auto* self = static_cast<Transport*>(arg);
  try {
    bool fits = readLines(bev, self->opts_.maxLine, [&](const std::string& line) {
      if (self->phase_ == Phase::Ready) {
        if (self->events_.line) self->events_.line(line);
      } else {
        self->onGreeting(line);
      }
      return self->bev_.get() == bev;  // stop once the line broke the connection
    });
    if (!fits && self->bev_.get() == bev) self->end(End::Lost, "reply line too long");
  } catch (const std::exception& e) {
    FAIL_LOG(self->fac_, Err) << self->spec_.name << ": " << e.what();
  }
}

void Transport::writeCb(bufferevent*, void* arg) noexcept {
  auto* self = static_cast<Transport*>(arg);
  try {
    if (self->events_.drained) self->events_.drained();
  } catch (const std::exception& e) {
    FAIL_LOG(self->fac_, Err) << self->spec_.name << ": " << e.what();
  }
}

void Transport::eventCb(bufferevent* bev, short what, void* arg) noexcept {
  auto* self = static_cast<Transport*>(arg);
  try {
    if (what & BEV_EVENT_CONNECTED) return self->onConnected();
    self->end(End::Lost,
              endReason(bev, what, self->spec_.target, self->ctx_ != nullptr, self->phase_ == Phase::Connecting));
  } catch (const std::exception& e) {
    FAIL_LOG(self->fac_, Err) << self->spec_.name << ": " << e.what();
  }
}

void Transport::onConnected() {
  phase_ = Phase::Greeting;
  std::string out = "HELLO";
  proto::appendElement(out, opts_.client);
  proto::appendElement(out, kVersion);
  FAIL_LOG(fac_, Debug) << spec_.name << " > " << out;
  out += '\n';
  if (!spec_.secret.empty()) {
    FAIL_LOG(fac_, Debug) << spec_.name << " > AUTH ***";  // no secret in any log, at any level
    out += "AUTH";
    proto::appendElement(out, spec_.secret);
    out += '\n';
  }
  write(out);
}

// The first line answers HELLO, the second (with a secret) AUTH.
void Transport::onGreeting(const std::string& line) {
  if (phase_ != Phase::Greeting) return end(End::Lost, "unexpected line: " + printable(line, 120));
  Reply r;
  std::string err;
  if (!parseReply(line, r, err)) return end(End::Lost, err);
  if (authSent_) {
    if (!r.ok) return end(End::AuthRefused, "AUTH refused: " + r.code + " " + r.message);
  } else {
    if (!r.ok) return end(End::HelloRefused, "HELLO refused: " + r.code + " " + r.message);
    bool authRequired = r.words.size() >= 6 && r.words[4] == "auth" && r.words[5] == "required";
    helloProgram_ = r.words.size() >= 1 ? r.words[0] : std::string();
    helloVersion_ = r.words.size() >= 2 ? r.words[1] : std::string();
    if (spec_.secret.empty()) {
      if (authRequired) return end(End::NeedSecret, "the peer requires AUTH: give it a secret");
    } else {
      authSent_ = true;
      return;  // AUTH's reply follows
    }
  }
  phase_ = Phase::Ready;
  peerProgram_ = helloProgram_;
  peerVersion_ = helloVersion_;
  connectDeadline_.cancel();
  backoff_ = opts_.minBackoff;
  if (events_.ready) events_.ready();
}

void Transport::write(std::string_view data) {
  if (bev_ && phase_ != Phase::Idle && phase_ != Phase::Connecting) bufferevent_write(bev_.get(), data.data(), data.size());
}

size_t Transport::outputLength() const {
  return bev_ ? evbuffer_get_length(bufferevent_get_output(bev_.get())) : 0;
}

void Transport::end(End how, const std::string& why) {
  Break b{how, why, phase_ == Phase::Ready};
  bev_.reset();
  connectDeadline_.cancel();
  phase_ = Phase::Idle;
  if (events_.broken) events_.broken(b);
  if (!running_) return;
  retry_.arm(backoff_);
  backoff_ = std::min(backoff_ * 2, opts_.maxBackoff);
}

}  // namespace fail::client

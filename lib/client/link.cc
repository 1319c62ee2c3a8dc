#include "client/link.hh"

#include "client/bev.hh"

#include <arpa/inet.h>
#include <event2/buffer.h>

#include <cerrno>
#include <cstring>

#include "base/log.hh"
#include "base/text.hh"
#include "base/time.hh"
#include "base/version.hh"
#include "proto/list.hh"

namespace fail::client {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("link");
  return f;
}

constexpr size_t kMaxLine = 4u << 20;

ev::Micros now() {
  return std::chrono::duration_cast<ev::Micros>(std::chrono::steady_clock::now().time_since_epoch());
}

bool isIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

Reply down(const std::string& why) {
  Reply r;
  r.ok = false;
  r.code = "DOWN";
  r.message = why;
  return r;
}

}  // namespace

Link::Link(event_base* base, LinkSpec spec, LinkOptions opts)
    : base_(base),
      spec_(std::move(spec)),
      opts_(std::move(opts)),
      retry_(base, [this] { connect(); }),
      deadline_(base,
                [this] {
                  if (phase_ == Phase::Ready || !held_.empty())
                    broken("no answer in time");
                  else
                    broken("no answer within " + formatDurationMs(opts_.connectTimeout.count()));
                }),
      backoff_(opts_.minBackoff) {
  if (spec_.tls.enabled) {
    std::string err;
    ctx_ = makeClientContext(spec_.tls, err);
    if (!ctx_) throw std::runtime_error(spec_.name + ": " + err);
  }
  if (spec_.target.kind == Target::Kind::Tcp && !isIpLiteral(spec_.target.host))
    dns_.reset(evdns_base_new(base_, EVDNS_BASE_INITIALIZE_NAMESERVERS));
}

Link::~Link() {
  running_ = false;
  bev_.reset();
  // Callbacks are not called from here: their owners are being destroyed too.
}

void Link::start() {
  if (running_) return;
  running_ = true;
  connect();
}

void Link::stop() {
  running_ = false;
  retry_.cancel();
  if (phase_ != Phase::Idle) broken("stopped");
}

void Link::watch(std::string pattern, std::function<void(const WatchEvent&)> fn, std::function<void()> relist) {
  watching_ = true;
  pattern_ = std::move(pattern);
  watchFn_ = std::move(fn);
  relistFn_ = std::move(relist);
}

void Link::connect() {
  if (!running_) return;
  phase_ = Phase::Connecting;
  std::string err;
  bufferevent* b = newBufferevent(base_, spec_.target, ctx_.get(), err);
  if (!b) return broken(err);
  bev_.reset(b);
  bufferevent_setcb(b, readCb, nullptr, eventCb, this);
  bufferevent_enable(b, EV_READ | EV_WRITE);
  connectDeadline_ = now() + opts_.connectTimeout;
  armDeadline();
  if (!connectBufferevent(b, spec_.target, dns_.get(), err) && bev_.get() == b) broken(err);
}

void Link::readCb(bufferevent* bev, void* arg) noexcept {
  auto* self = static_cast<Link*>(arg);
  try {
    bool fits = readLines(bev, kMaxLine, [&](const std::string& line) {
      self->onLine(line);
      return self->bev_.get() == bev;  // stop once the line broke the connection
    });
    if (!fits && self->bev_.get() == bev) self->broken("reply line too long");
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "link " << self->spec_.name << ": " << e.what();
  }
}

void Link::eventCb(bufferevent* bev, short what, void* arg) noexcept {
  auto* self = static_cast<Link*>(arg);
  try {
    if (what & BEV_EVENT_CONNECTED) return self->onConnected();
    self->broken(endReason(bev, what, self->spec_.target, self->ctx_ != nullptr, self->phase_ == Phase::Connecting));
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "link " << self->spec_.name << ": " << e.what();
  }
}

void Link::onConnected() {
  phase_ = Phase::Greeting;
  std::string hello = "HELLO";
  proto::appendElement(hello, opts_.client);
  proto::appendElement(hello, kVersion);
  send(hello, {Pending::Kind::Hello, {}, {}});
  if (!spec_.secret.empty()) {
    std::string auth = "AUTH";
    proto::appendElement(auth, spec_.secret);
    send(auth, {Pending::Kind::Auth, {}, {}});
  }
}

void Link::onLine(const std::string& line) {
  if (streaming_) return onStream(line);
  if (inflight_.empty()) return broken("unexpected line: " + printable(line, 120));
  Pending p = std::move(inflight_.front());
  inflight_.pop_front();
  Reply r;
  std::string err;
  if (!parseReply(line, r, err)) return broken(err);
  switch (p.kind) {
    case Pending::Kind::Hello: {
      if (!r.ok) return broken("HELLO refused: " + r.code + " " + r.message);
      bool authRequired = r.words.size() >= 6 && r.words[4] == "auth" && r.words[5] == "required";
      if (authRequired && spec_.secret.empty()) return broken("the peer requires AUTH: give it a secret");
      if (spec_.secret.empty()) ready();
      return;
    }
    case Pending::Kind::Auth:
      if (!r.ok) return broken("AUTH refused: " + r.code + " " + r.message);
      return ready();
    case Pending::Kind::Watch:
      if (!r.ok && r.code == "GONE") {
        lastSerial_ = 0;
        if (relistFn_) relistFn_();
        return sendWatch(true);
      }
      if (!r.ok) return broken("WATCH refused: " + r.code + " " + r.message);
      streaming_ = true;
      return;
    case Pending::Kind::Request:
      armDeadline();
      if (p.fn) p.fn(r);
      return;
  }
}

void Link::onStream(const std::string& line) {
  WatchEvent e;
  std::string err;
  if (!parseWatchLine(line, e, err)) return broken(err);
  if (e.kind == WatchEvent::Kind::Ping || e.kind == WatchEvent::Kind::Pong) return;
  if (e.kind == WatchEvent::Kind::Error) return broken("watch ended: " + e.error.code + " " + e.error.message);
  if (e.serial > lastSerial_) lastSerial_ = e.serial;
  if (watchFn_) watchFn_(e);
}

void Link::ready() {
  phase_ = Phase::Ready;
  backoff_ = opts_.minBackoff;
  std::deque<std::pair<std::string, Pending>> held;
  held.swap(held_);
  for (auto& h : held) send(h.first, std::move(h.second));
  armDeadline();
  ++connects_;
  if (!lastError_.empty())
    FAIL_LOG(fac(), Notice) << "+link " << spec_.name << " " << spec_.target.display();
  lastError_.clear();
  if (watching_) sendWatch(lastSerial_ == 0);
  if (onState_) onState_(true, {});
}

void Link::sendWatch(bool full) {
  std::string line = "WATCH";
  proto::appendElement(line, pattern_.empty() ? std::string("*") : pattern_);
  if (!full) line += " since=" + std::to_string(lastSerial_);
  send(line, {Pending::Kind::Watch, {}, {}});
}

void Link::request(const std::string& line, ReplyFn fn, std::chrono::milliseconds timeout) {
  if (watching_ || phase_ == Phase::Idle) {
    if (fn) fn(down(watching_ ? "a watching link takes no requests" : lastError_.empty() ? "not connected" : lastError_));
    return;
  }
  Pending p{Pending::Kind::Request, std::move(fn), now() + timeout};
  if (phase_ != Phase::Ready) {
    held_.push_back({line, std::move(p)});  // sent once the connection is up
  } else {
    send(line, std::move(p));
  }
  armDeadline();
}

void Link::send(const std::string& line, Pending p) {
  std::string out = line;
  out += '\n';
  bufferevent_write(bev_.get(), out.data(), out.size());
  inflight_.push_back(std::move(p));
}

void Link::armDeadline() {
  ev::Micros first{0};
  auto consider = [&](ev::Micros d) {
    if (first.count() == 0 || d < first) first = d;
  };
  if (phase_ == Phase::Connecting || phase_ == Phase::Greeting) consider(connectDeadline_);
  for (const Pending& p : inflight_)
    if (p.kind == Pending::Kind::Request) consider(p.deadline);
  for (const auto& h : held_) consider(h.second.deadline);
  if (first.count() == 0) return deadline_.cancel();
  ev::Micros left = first - now();
  deadline_.arm(left.count() > 0 ? left : ev::Micros{0});
}

void Link::broken(const std::string& why) {
  bool wasUp = phase_ == Phase::Ready;
  std::deque<Pending> failed;
  failed.swap(inflight_);
  for (auto& h : held_) failed.push_back(std::move(h.second));
  held_.clear();
  bev_.reset();
  deadline_.cancel();
  phase_ = Phase::Idle;
  streaming_ = false;
  if (why != lastError_ && why != "stopped") {
    if (wasUp || lastError_.empty())
      FAIL_LOG(fac(), Warning) << "-link " << spec_.name << " " << spec_.target.display() << ": " << why;
    else
      FAIL_LOG(fac(), Info) << "-link " << spec_.name << " " << spec_.target.display() << ": " << why;
  }
  lastError_ = why;
  for (Pending& p : failed)
    if (p.fn) p.fn(down(why));
  if (wasUp && onState_) onState_(false, why);
  if (!running_) return;
  retry_.arm(backoff_);
  backoff_ = std::min(backoff_ * 2, opts_.maxBackoff);
}

}  // namespace fail::client

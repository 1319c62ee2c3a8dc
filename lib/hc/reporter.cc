#include "hc/reporter.hh"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.hh"
#include "client/bev.hh"
#include "base/text.hh"
#include "base/version.hh"
#include "proto/list.hh"

namespace fail::hc {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("report");
  return f;
}

// A line sent to faild as the log may show it: no secret in any log, at any level, so
// AUTH's argument is never written.
std::string loggable(const std::string& line) {
  if (line.size() >= 4 && strncasecmp(line.c_str(), "AUTH", 4) == 0 && (line.size() == 4 || line[4] == ' '))
    return "AUTH ***";
  return line;
}

constexpr size_t kMaxReplyLine = 1u << 20;
constexpr size_t kMaxKeys = 32;  // attributes per record (doc/protocol.md)

bool isIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool isOk(const std::string& line) { return line == "OK" || line.rfind("OK ", 0) == 0; }

// " KEY=VALUE" as appendElement(out, KEY + "=" + VALUE) writes it, without the temporary
// (`key` is never empty, so the word is not either).
void appendPair(std::string& out, std::string_view key, std::string_view value) {
  out += ' ';
  proto::appendWord(out, key);
  out += '=';
  if (!value.empty()) proto::appendWord(out, value);
}

}  // namespace

Reporter::Reporter(event_base* base, ReportSpec spec, ReporterOptions opts)
    : base_(base),
      spec_(std::move(spec)),
      opts_(opts),
      retry_(base, [this] { connect(); }),
      watchdog_(base,
                [this] {
                  if (phase_ == Phase::Ready)
                    broken("faild did not answer for " + formatDurationMs(opts_.replyTimeout.count()));
                  else
                    broken("no answer within " + formatDurationMs(opts_.connectTimeout.count()));
                }),
      batch_(base, [this] { flushStaged(); }),
      backoff_(opts.minBackoff) {
  if (spec_.tls.enabled) {
    std::string err;
    ctx_ = client::makeClientContext(spec_.tls, err);
    if (!ctx_) throw std::runtime_error("report " + spec_.address + ": " + err);
  }
  if (spec_.target.kind == client::Target::Kind::Tcp && !isIpLiteral(spec_.target.host))
    dns_.reset(evdns_base_new(base_, EVDNS_BASE_INITIALIZE_NAMESERVERS));  // null: blocking lookup
}

Reporter::~Reporter() = default;

void Reporter::start() {
  if (started_) return;
  started_ = true;
  connect();
}

void Reporter::connect() {
  phase_ = Phase::Connecting;
  std::string err;
  bufferevent* b = client::newBufferevent(base_, spec_.target, ctx_.get(), err);
  if (!b) return broken(err);
  bev_.reset(b);
  bufferevent_setcb(b, readCb, writeCb, eventCb, this);
  bufferevent_setwatermark(b, EV_WRITE, opts_.maxOutput / 2, 0);
  bufferevent_enable(b, EV_READ | EV_WRITE);
  watchdog_.arm(opts_.connectTimeout);
  if (!client::connectBufferevent(b, spec_.target, dns_.get(), err) && bev_.get() == b) broken(err);
}

void Reporter::readCb(bufferevent* bev, void* arg) noexcept {
  auto* self = static_cast<Reporter*>(arg);
  try {
    bool fits = client::readLines(bev, kMaxReplyLine, [&](const std::string& line) {
      self->onLine(line);
      return self->bev_.get() == bev;  // stop once the line broke the connection
    });
    if (!fits && self->bev_.get() == bev) self->broken("reply line too long");
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "report faild=" << self->spec_.address << ": " << e.what();
  }
}

void Reporter::writeCb(bufferevent*, void* arg) noexcept {
  auto* self = static_cast<Reporter*>(arg);
  try {
    self->flush();
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "report faild=" << self->spec_.address << ": " << e.what();
  }
}

void Reporter::eventCb(bufferevent* bev, short what, void* arg) noexcept {
  auto* self = static_cast<Reporter*>(arg);
  try {
    if (what & BEV_EVENT_CONNECTED) return self->onConnected();
    self->broken((what & BEV_EVENT_EOF) ? std::string("connection closed by faild")
                                         : client::endReason(bev, what, self->spec_.target, self->ctx_ != nullptr,
                                                             self->phase_ == Phase::Connecting));
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << "report faild=" << self->spec_.address << ": " << e.what();
  }
}

void Reporter::onConnected() {
  phase_ = Phase::Greeting;
  watchdog_.arm(opts_.connectTimeout);
  std::string hello = "HELLO hc";
  proto::appendElement(hello, kVersion);
  send(hello, {Pending::Kind::Hello, {}, {}});
  if (!spec_.secret.empty()) {
    std::string auth = "AUTH";
    proto::appendElement(auth, spec_.secret);
    send(auth, {Pending::Kind::Auth, {}, {}});
  }
}

void Reporter::onLine(const std::string& line) {
  if (inflight_.empty()) return broken("unexpected line from faild: " + printable(line));
  Pending p = std::move(inflight_.front());
  inflight_.pop_front();
  if (phase_ == Phase::Ready) {
    if (inflight_.empty())
      watchdog_.cancel();
    else
      watchdog_.arm(opts_.replyTimeout);
  }
  bool ok = isOk(line);
  switch (p.kind) {
    case Pending::Kind::Hello: {
      if (!ok) return broken("HELLO refused: " + printable(line, 200));
      std::vector<std::string> w;
      proto::splitList(line, w);
      bool authRequired = w.size() >= 7 && w[5] == "auth" && w[6] == "required";
      if (authRequired && spec_.secret.empty()) {
        if (lastFailure_ != "auth required")
          FAIL_LOG(fac(), Err) << "report faild=" << spec_.address
                               << ": faild requires AUTH: give this report line -secret or -secret-file";
        lastFailure_ = "auth required";
        backoff_ = opts_.maxBackoff;
        return broken("auth required", true);
      }
      if (spec_.secret.empty()) onReady();
      return;
    }
    case Pending::Kind::Auth:
      if (!ok) {
        if (lastFailure_ != line)
          FAIL_LOG(fac(), Err) << "report faild=" << spec_.address << ": AUTH refused: " << printable(line, 200);
        lastFailure_ = line;
        backoff_ = opts_.maxBackoff;
        return broken(line, true);
      }
      return onReady();
    case Pending::Kind::Get:
      return resolve(p.name, line);
    case Pending::Kind::Set: {
      if (ok) {
        ++counters_.acked;
        if (erroredChecks_ == 0) return;  // the usual case: nothing to clear, no lookup
      }
      auto it = checks_.find(p.name);
      if (ok) {
        if (it != checks_.end() && !it->second.lastError.empty()) {
          it->second.lastError.clear();
          --erroredChecks_;
        }
        return;
      }
      ++counters_.errors;
      if (it != checks_.end() && it->second.lastError == line) return;
      if (it != checks_.end()) {
        if (it->second.lastError.empty()) ++erroredChecks_;
        it->second.lastError = line;
      }
      FAIL_LOG(fac(), Warning) << "report faild=" << spec_.address << " check=" << p.name << ": "
                               << printable(line, 300);
      return;
    }
  }
}

void Reporter::onReady() {
  phase_ = Phase::Ready;
  watchdog_.cancel();
  if (!inflight_.empty()) watchdog_.arm(opts_.replyTimeout);
  backoff_ = opts_.minBackoff;
  ++counters_.connects;
  if (!everReady_ || downLogged_ || !lastFailure_.empty())
    FAIL_LOG(fac(), Notice) << "+report faild=" << spec_.address << " checks=" << checks_.size();
  everReady_ = true;
  downLogged_ = false;
  lastFailure_.clear();
  for (auto& [name, c] : checks_) {
    if (!c.uncertain.empty()) {
      c.resolving = true;
      std::string get = "GET";
      proto::appendElement(get, name);
      send(get, {Pending::Kind::Get, name, {}});
    } else {
      markDirty(name, c);
    }
  }
  flush();
}

void Reporter::resolve(const std::string& name, const std::string& reply) {
  auto it = checks_.find(name);
  if (it == checks_.end()) return;
  Check& c = it->second;
  c.resolving = false;
  std::vector<std::string> w;
  state::Record rec;
  if (isOk(reply) && proto::splitList(reply, w) && w.size() == 2 && state::decodeRecord(w[1], rec)) {
    // faild holds the newest of these it received: drop that one and all before it.
    for (size_t i = c.uncertain.size(); i-- > 0;)
      if (c.uncertain[i].state == rec.state && c.uncertain[i].note == rec.note) {
        counters_.duplicates += i + 1;
        c.uncertain.erase(c.uncertain.begin(), c.uncertain.begin() + static_cast<long>(i) + 1);
        break;
      }
  }
  // The rest never arrived: they go out first, being older than anything remembered since.
  c.missed.insert(c.missed.begin(), std::make_move_iterator(c.uncertain.begin()),
                  std::make_move_iterator(c.uncertain.end()));
  c.uncertain.clear();
  c.uncertain.shrink_to_fit();
  if (c.missed.size() > opts_.maxMissed) {
    auto extra = c.missed.size() - opts_.maxMissed;
    c.missed.erase(c.missed.begin(), c.missed.begin() + static_cast<long>(extra));
    counters_.dropped += extra;
  }
  markDirty(name, c);
  flush();
}

void Reporter::broken(const std::string& why, bool quiet) {
  bool wasReady = phase_ == Phase::Ready;
  if (wasReady) ++counters_.disconnects;
  // A change sent without its OK may or may not have reached faild: settle it later.
  for (Pending& p : inflight_) {
    if (p.kind != Pending::Kind::Set || !p.change) continue;
    if (auto it = checks_.find(p.name); it != checks_.end()) it->second.uncertain.push_back(std::move(*p.change));
  }
  inflight_.clear();
  for (auto& [name, c] : checks_) {
    c.currentSent = false;
    c.dirty = false;
    c.resolving = false;
  }
  dirty_.clear();
  staged_.clear();
  batch_.cancel();
  bev_.reset();
  watchdog_.cancel();
  phase_ = Phase::Idle;
  if (!quiet) {
    if (wasReady) {
      FAIL_LOG(fac(), Warning) << "-report faild=" << spec_.address << " reason=\"" << why << "\"";
      downLogged_ = true;
    } else if (why != lastFailure_) {
      FAIL_LOG(fac(), Warning) << "report faild=" << spec_.address << ": " << why << " (retrying, at most every "
                               << formatDurationMs(opts_.maxBackoff.count()) << ")";
    }
    lastFailure_ = why;
  }
  scheduleRetry();
}

void Reporter::scheduleRetry() {
  if (!started_) return;
  retry_.arm(backoff_);
  backoff_ = std::min(backoff_ * 2, opts_.maxBackoff);
}

bool Reporter::outputFull() const {
  return !bev_ || evbuffer_get_length(bufferevent_get_output(bev_.get())) + staged_.size() >= opts_.maxOutput;
}

bool Reporter::canSend(const Check& c) const {
  return phase_ == Phase::Ready && !c.resolving && c.missed.empty() && !outputFull();
}

void Reporter::markDirty(const std::string& name, Check& c) {
  if (c.dirty) return;
  c.dirty = true;
  dirty_.push_back(name);
}

void Reporter::remember(Check& c, const Update& u) {
  if (c.missed.size() >= opts_.maxMissed) {
    c.missed.erase(c.missed.begin());
    if (counters_.dropped++ == 0)
      FAIL_LOG(fac(), Warning) << "report faild=" << spec_.address << " check=" << u.name << ": more than "
                               << opts_.maxMissed << " changes while faild was away; the oldest are dropped";
  }
  c.missed.push_back(u);
}

bool Reporter::refreshDue(const Update& sent, const Update& u) const {
  if (u.paceMs <= 0 || sent.state != u.state || sent.note != u.note || sent.ttlMs != u.ttlMs) return true;
  // The attributes, sorted by key, but for the paced ones.
  auto paced = [](const std::string& k) { return k == "latency" || k == "ok_streak" || k == "fail_streak"; };
  auto a = sent.attrs.begin(), b = u.attrs.begin();
  for (;;) {
    while (a != sent.attrs.end() && paced(a->first)) ++a;
    while (b != u.attrs.end() && paced(b->first)) ++b;
    if (a == sent.attrs.end() || b == u.attrs.end()) {
      if (a != sent.attrs.end() || b != u.attrs.end()) return true;
      break;
    }
    if (*a != *b) return true;
    ++a, ++b;
  }
  Micros age = u.when - sent.when;
  return age < 0 || age > u.paceMs * 1000;
}

void Reporter::update(const Update& u) {
  Check& c = checks_[u.name];
  bool isChange = u.changed || !c.current;
  if (canSend(c)) {
    if (!isChange && c.currentSent && !refreshDue(*c.current, u)) {
      ++counters_.paced;  // faild holds this already, and its ttl has time left
      return;
    }
    sendSet(u.name, c, u, false, isChange);
    c.current = u;
    c.currentSent = true;
    return;
  }
  if (isChange) remember(c, u);
  c.current = u;
  c.currentSent = false;
  markDirty(u.name, c);
  flush();
}

void Reporter::forget(const std::string& name) {
  auto it = checks_.find(name);
  if (it == checks_.end()) return;
  if (!it->second.lastError.empty()) --erroredChecks_;
  checks_.erase(it);
}

void Reporter::flush() {
  while (phase_ == Phase::Ready && !dirty_.empty() && !outputFull()) {
    std::string name = std::move(dirty_.front());
    dirty_.pop_front();
    auto it = checks_.find(name);
    if (it == checks_.end()) continue;
    Check& c = it->second;
    c.dirty = false;
    if (c.resolving) continue;  // resolve() queues it again
    for (const Update& u : c.missed) {
      ++counters_.replayed;
      sendSet(name, c, u, true, true);
    }
    c.missed.clear();
    c.missed.shrink_to_fit();  // memory for missed changes only while there are some
    if (c.current && !c.currentSent) {
      sendSet(name, c, *c.current, false, false);
      c.currentSent = true;
    }
  }
}

void Reporter::sendSet(const std::string& name, Check& c, const Update& u, bool withAt, bool isChange) {
  std::string& line = line_;  // built in place: no temporaries, the capacity kept
  line.assign("SET");
  proto::appendElement(line, name);
  proto::appendElement(line, state::stateName(u.state));
  if (u.ttlMs > 0) appendPair(line, "ttl", formatDurationMs(u.ttlMs));
  appendPair(line, "note", u.note);
  if (withAt) appendPair(line, "at", std::to_string(u.when));
  for (const auto& [k, v] : u.attrs) {
    // Keys already sent for this check are compared as strings: no interning lookup.
    bool known = std::any_of(c.keys.begin(), c.keys.end(), [&](std::uint32_t id) { return keyNames_[id] == k; });
    if (!known) {
      if (c.keys.size() >= kMaxKeys) continue;
      c.keys.push_back(keyId(k));
    }
    appendPair(line, k, v);
  }
  for (std::uint32_t id : c.keys) {
    const std::string& k = keyNames_[id];
    bool present = false;
    for (const auto& a : u.attrs) present |= a.first == k;
    if (!present) appendPair(line, k, {});
  }
  ++counters_.sets;
  send(line, {Pending::Kind::Set, name, isChange ? std::optional<Update>(u) : std::nullopt}, isChange);
}

std::uint32_t Reporter::keyId(const std::string& key) {
  auto [it, added] = keyIds_.try_emplace(key, static_cast<std::uint32_t>(keyNames_.size()));
  if (added) keyNames_.push_back(key);
  return it->second;
}

void Reporter::send(const std::string& line, Pending p, bool now) {
  staged_.append(line).append(1, '\n');
  FAIL_LOG(fac(), Debug) << "report faild=" << spec_.address << " > " << loggable(line);
  if (inflight_.empty() && phase_ == Phase::Ready) watchdog_.arm(opts_.replyTimeout);
  inflight_.push_back(std::move(p));
  if (now || opts_.batchDelay.count() <= 0)
    flushStaged();
  else if (!batch_.armed())
    batch_.arm(opts_.batchDelay);
}

void Reporter::flushStaged() {
  batch_.cancel();
  if (staged_.empty() || !bev_) return;
  evbuffer_add(bufferevent_get_output(bev_.get()), staged_.data(), staged_.size());
  if (staged_.capacity() > (64u << 10))
    std::string().swap(staged_);  // after a burst (a replay): not kept
  else
    staged_.clear();
}

size_t Reporter::missed() const {
  size_t n = 0;
  for (const auto& [name, c] : checks_) n += c.missed.size() + c.uncertain.size();
  return n;
}

std::string Reporter::describe() const {
  const char* ph = phase_ == Phase::Ready        ? "ready"
                   : phase_ == Phase::Greeting   ? "greeting"
                   : phase_ == Phase::Connecting ? "connecting"
                                                 : "down";
  std::string out = "report faild=" + spec_.address + " state=" + ph;
  out += " checks=" + std::to_string(checks_.size()) + " inflight=" + std::to_string(inflight_.size());
  out += " missed=" + std::to_string(missed()) + " sets=" + std::to_string(counters_.sets);
  out += " acked=" + std::to_string(counters_.acked) + " errors=" + std::to_string(counters_.errors);
  out += " replayed=" + std::to_string(counters_.replayed) + " connects=" + std::to_string(counters_.connects);
  out += " disconnects=" + std::to_string(counters_.disconnects) + " paced=" + std::to_string(counters_.paced);
  if (phase_ != Phase::Ready && !lastFailure_.empty()) out += " last_error=\"" + lastFailure_ + "\"";
  return out;
}

}  // namespace fail::hc

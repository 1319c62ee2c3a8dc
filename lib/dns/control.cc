// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/control.hh"

#include <event2/event.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <future>
#include <stdexcept>

#include "dns/frontend_log.hh"
#include "dns/control_faild.hh"
#include "dns/forward.hh"
#include "dns/tcp_server.hh"
#include "dns/udp_thread.hh"
#include "ev/ev.hh"
#include "ev/loop.hh"
#include "net/address.hh"

namespace fail::dns {
namespace {

void onMailEvent(evutil_socket_t, short, void* arg) noexcept;
void onQueueEvent(evutil_socket_t, short, void* arg) noexcept;

template <class Fn>
void guarded(const char* what, Fn fn) noexcept {
  try {
    fn();
  } catch (const std::exception& e) {
    FAIL_LOG(logFacility(), Err) << what << ": " << e.what();
  } catch (...) {
    FAIL_LOG(logFacility(), Err) << what << ": unknown exception";
  }
}

}  // namespace

// The trampolines reach the private handlers through this friend-free shim.
struct ControlEvents {
  static void mail(Control& c);
  static void queue(Control& c);
};

namespace {

// Building a snapshot's static part allocates and frees much (a map of every name, about
// as large again as the part itself: 30 MB with 100,000 names), and glibc keeps what
// was freed in the thread's arena: give the free pages back to the system.
void releaseFreed() {
#if defined(__GLIBC__)
  ::malloc_trim(0);
#endif
}

void onMailEvent(evutil_socket_t, short, void* arg) noexcept {
  guarded("control", [&] { ControlEvents::mail(*static_cast<Control*>(arg)); });
}
void onQueueEvent(evutil_socket_t, short, void* arg) noexcept {
  guarded("forward", [&] { ControlEvents::queue(*static_cast<Control*>(arg)); });
}
}  // namespace

Control::Control(FrontEndOptions opts, SnapshotSlot& slot, ForwardQueue& forward)
    : opts_(std::move(opts)), slot_(slot), forwardQueue_(forward), mailFd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!mailFd_) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

Control::~Control() { stop(); }

void Control::start(std::shared_ptr<const Config> config, std::vector<int> tcpFds, std::function<void()> ready) {
  if (running()) return;
  ready_ = std::move(ready);
  alive_ = true;
  thread_ = std::thread([this, config = std::move(config), fds = std::move(tcpFds)] { run(config, fds); });
}

void Control::stop() {
  if (!running()) return;
  {
    std::lock_guard lock(mailMu_);
    if (alive_)
      mail_.push_back([this] {
        if (loop_) loop_->stop();
      });
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(mailFd_.get(), &one, sizeof one);
  thread_.join();
  threadId_ = std::thread::id{};
}

void Control::call(const std::function<void()>& fn) {
  if (!running() || threadId_.load() == std::this_thread::get_id()) return fn();
  std::promise<void> done;
  auto result = done.get_future();
  {
    std::unique_lock lock(mailMu_);
    if (!alive_) {  // the thread ended (its loop failed to start): nothing else runs
      lock.unlock();
      return fn();
    }
    mail_.push_back([&] {
      try {
        fn();
        done.set_value();
      } catch (...) {
        done.set_exception(std::current_exception());
      }
    });
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(mailFd_.get(), &one, sizeof one);
  result.get();
}

void ControlEvents::mail(Control& c) { c.onMail(); }
void ControlEvents::queue(Control& c) { c.onForwardQueue(); }

void Control::onMail() {
  std::uint64_t v;
  [[maybe_unused]] auto n = ::read(mailFd_.get(), &v, sizeof v);
  std::vector<std::function<void()>> mail;
  {
    std::lock_guard lock(mailMu_);
    mail.swap(mail_);
  }
  for (auto& fn : mail) fn();
}

void Control::run(std::shared_ptr<const Config> config, std::vector<int> tcpFds) noexcept {
  threadId_ = std::this_thread::get_id();
  try {
    setUp(std::move(config), tcpFds);
    loop_->run();
  } catch (const std::exception& e) {
    FAIL_LOG(logFacility(), Err) << "the DNS control thread stopped: " << e.what();
  }
  guarded("control", [&] { tearDown(); });
  // What was posted after the loop ended still runs (a caller waits for it); from then
  // on call() runs its function directly.
  for (;;) {
    std::vector<std::function<void()>> mail;
    {
      std::lock_guard lock(mailMu_);
      if (mail_.empty()) {
        alive_ = false;
        break;
      }
      mail.swap(mail_);
    }
    for (auto& fn : mail) guarded("control", fn);
  }
}

void Control::setUp(std::shared_ptr<const Config> config, const std::vector<int>& tcpFds) {
  loop_ = std::make_unique<ev::Loop>();
  event_base* base = loop_->base();
  mailEv_ = event_new(base, mailFd_.get(), EV_READ | EV_PERSIST, onMailEvent, this);
  queueEv_ = event_new(base, forwardQueue_.fd(), EV_READ | EV_PERSIST, onQueueEvent, this);
  if (!mailEv_ || !queueEv_) throw std::runtime_error("event_new failed");
  event_add(mailEv_, nullptr);
  event_add(queueEv_, nullptr);
  tcpFds_ = tcpFds;
  answering_ = false;
  TcpServer::Context ctx;
  ctx.current = [this] { return current_; };
  ctx.forwarder = [this] { return forwarder_.get(); };
  ctx.cursor = &cursor_;
  ctx.counters = &counters_;
  tcp_ = std::make_unique<TcpServer>(*loop_, ctx, config->serve.tcpMax, config->serve.tcpIdle);
  batchTimer_ = std::make_unique<ev::Timer>(base, [this] { publishBatch(); });
  settleTimer_ = std::make_unique<ev::Timer>(base, [this] {
    if (answering_) publishSnapshot();  // the pool answers its -ttl again
  });
  startTimer_ = std::make_unique<ev::Timer>(base, [this] {
    FAIL_LOG(logFacility(), Warning) << "the local faild is not synced after " << config_->serve.startTimeout.count()
                             << " ms: answering with what is known (unknown checks are out)";
    beginAnswering();
  });
  FaildFeed::Events events;
  events.health = [this](const std::string& r, State s) { onHealth(r, s); };
  events.synced = [this] { beginAnswering(); };
  events.requestsUp = [this] {
    if (answering_) publishAllPools();
  };
  feed_ = std::make_unique<FaildFeed>(base, opts_.faild, events);
  makeBuilder(std::move(config));
  makeForwarder(config_->serve);
  feed_->start();
  startTimer_->arm(std::chrono::duration_cast<ev::Micros>(config_->serve.startTimeout));
}

void Control::tearDown() {
  if (forwarder_) forwarder_->cancelAll();
  tcp_.reset();
  forwarder_.reset();
  feed_.reset();
  startTimer_.reset();
  batchTimer_.reset();
  settleTimer_.reset();
  if (mailEv_) event_free(mailEv_);
  if (queueEv_) event_free(queueEv_);
  mailEv_ = queueEv_ = nullptr;
  loop_.reset();
  answering_ = false;
}

void Control::makeBuilder(std::shared_ptr<const Config> config) {
  if (current_) {  // the pools' indices change: TCP's counts by index go by name
    tcpPools_.snapshot = current_->snapshot;
    tcpPools_.queries = std::move(cursor_.queries);
    tcpPools_.fold();
    cursor_ = Cursor{};
  }
  ++epoch_;
  builder_.reset();  // the old one's snapshot part goes before the new one is built
  config_ = std::move(config);
  serial_ = std::max(serial_ + 1, static_cast<std::uint32_t>(std::time(nullptr)));
  builder_ = std::make_unique<SnapshotBuilder>(config_, serial_);
  releaseFreed();
  for (const auto& c : builder_->checks()) {
    auto it = health_.find(c);
    if (it != health_.end()) builder_->setHealth(c, it->second);
  }
  dirty_.clear();
  allow_.clear();
  for (const auto& text : config_->serve.allow) {
    net::Prefix prefix;
    std::string err;
    if (net::parsePrefix(text, &prefix, &err))
      allow_.push_back(prefix);
    else  // the Tcl layer validates -allow: not expected
      FAIL_LOG(logFacility(), Err) << "serve -allow: " << err << " (left out: not allowed to forward)";
  }
}

void Control::makeForwarder(const Serve& serve) {
  std::string upstream = serve.forward.empty() ? "" : serve.forward.front();
  if (forwarder_ && forwarder_->upstream().text() == upstream) return;
  if (forwarder_) {
    forwardTimeoutsBefore_ += forwarder_->timeouts();
    forwarder_->cancelAll();
    forwarder_.reset();
  }
  if (upstream.empty()) return;
  std::string err;
  auto addr = net::resolveHostPort(upstream, 53, &err);
  if (!addr) {
    FAIL_LOG(logFacility(), Err) << "forward " << upstream << ": " << err << " (nothing is forwarded)";
    return;
  }
  forwarder_ = std::make_unique<Forwarder>(*loop_, *addr);
}

std::shared_ptr<const Published> Control::makePublished() const {
  auto p = std::make_shared<Published>();
  p->forward = forwarder_ != nullptr;
  p->epoch = epoch_;
  p->allow = allow_;
  return p;
}

void Control::onHealth(const std::string& record, State state) {
  health_[record] = state;
  if (!builder_) return;
  auto changed = builder_->setHealth(record, state);
  if (changed.empty()) return;
  dirty_.insert(changed.begin(), changed.end());
  if (answering_ && !batchTimer_->armed()) batchTimer_->arm(ev::Micros{0});
}

void Control::beginAnswering() {
  if (answering_) return;
  answering_ = true;
  startTimer_->cancel();
  dirty_.clear();
  publishSnapshot();
  for (int fd : tcpFds_) tcp_->listen(fd);
  FAIL_LOG(logFacility(), Notice) << "answering: " << config_->pools.size() << " pools, " << config_->zones.size() << " zones";
  if (ready_) guarded("ready", ready_);
  publishAllPools();
}

void Control::publishBatch() {
  if (dirty_.empty() || !answering_) return;
  publishSnapshot();
  auto dirty = std::move(dirty_);
  dirty_.clear();
  for (const auto& pool : dirty) publishPool(pool);
}

void Control::publishSnapshot() {
  auto pub = std::const_pointer_cast<Published>(makePublished());
  pub->snapshot = builder_->publish();
  ++serial_;  // at most one rise per publish
  current_ = pub;
  slot_.publish(current_);
  ++generation_;
  if (auto until = builder_->settleDeadline(); until && settleTimer_) {
    auto left = std::chrono::duration_cast<ev::Micros>(*until - std::chrono::steady_clock::now());
    settleTimer_->arm(std::max(left, ev::Micros{0}) + ev::Micros{1000});
  }
}

void Control::publishPool(const std::string& pool) {
  PoolView view;
  if (!builder_->explain(pool, view)) return;
  if (opts_.published) guarded("published", [&] { opts_.published(view); });
  if (feed_) feed_->publish(view);
}

void Control::publishAllPools() {
  for (const auto& [name, pool] : config_->pools) publishPool(name);
}

void Control::onForwardQueue() {
  for (auto& queued : forwardQueue_.drain()) {
    auto job = std::make_shared<ForwardJob>(std::move(queued));
    auto send = [job](const std::uint8_t* reply, std::size_t size) {
      std::uint8_t buf[512];
      if (!reply) {  // no reply in time, or not forwarded: SERVFAIL
        size = refuse({job->query.data(), job->query.size(), false}, Rcode::ServFail, buf, sizeof buf);
        reply = buf;
      }
      if (size)
        ::sendto(job->socket->get(), reply, size, 0, reinterpret_cast<const sockaddr*>(&job->client), job->clientLen);
    };
    if (!forwarder_ || !forwarder_->forward(job->query.data(), job->query.size(), send)) send(nullptr, 0);
  }
}

void Control::reconfigure(std::shared_ptr<const Config> config, const std::vector<int>& add, const std::vector<int>& remove) {
  for (int fd : remove) {
    if (tcp_) tcp_->unlisten(fd);
    tcpFds_.erase(std::remove(tcpFds_.begin(), tcpFds_.end(), fd), tcpFds_.end());
  }
  for (int fd : add) {
    tcpFds_.push_back(fd);
    if (answering_) tcp_->listen(fd);
  }
  std::vector<std::string> gone;
  for (const auto& [name, pool] : config_->pools)
    if (!config->pools.count(name)) gone.push_back(name);
  makeBuilder(std::move(config));
  if (!loop_) return;  // not running: the rest happens at start
  makeForwarder(config_->serve);
  tcp_->setLimits(config_->serve.tcpMax, config_->serve.tcpIdle);
  if (!answering_) return;
  publishSnapshot();
  publishAllPools();
  for (const auto& name : gone) feed_->remove(name);
}

bool Control::setMember(const std::string& pool, const std::string& address, Force force, unsigned weight,
                        std::string* err) {
  if (!builder_) {
    if (err) *err = "the DNS front-end is not started";
    return false;
  }
  if (!builder_->setMember(pool, address, force, weight, err)) return false;
  if (answering_) {
    publishSnapshot();
    publishPool(pool);
  }
  return true;
}

bool Control::explain(const std::string& name, PoolView& out) const { return builder_ && builder_->explain(name, out); }

std::vector<PoolView> Control::pools() const { return builder_ ? builder_->pools() : std::vector<PoolView>{}; }

void Control::stats(Stats& s, std::map<std::string, std::uint64_t>& poolQueries) const {
  addCounters(s.total, counters_);
  PoolCounts now = tcpPools_;
  now.snapshot = current_ ? current_->snapshot : nullptr;
  now.queries = cursor_.queries;
  now.addTo(poolQueries);
  if (tcp_) {
    s.tcpOpen = tcp_->open();
    s.tcpRefused = tcp_->refused();
  }
  s.forwardTimeouts = forwardTimeoutsBefore_ + (forwarder_ ? forwarder_->timeouts() : 0);
  s.generation = generation_;
}

}  // namespace fail::dns

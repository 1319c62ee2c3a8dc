// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A reload's new policy taken over by name (Engine::adopt, failsh(8) RELOAD).
#include "base/log.hh"
#include "base/time.hh"
#include "shell/engine.hh"
#include "shell/engine_impl.hh"
#include "shell/dns_follow.hh"
#include "shell/notify.hh"

namespace fail::shell {

Adopted Engine::adopt(const Engine& next, ProcRunner& old, std::function<void()> released) {
  Adopted out;
  for (const auto& [name, h] : next.hosts_) {
    auto it = hosts_.find(name);
    if (it != hosts_.end() && it->second->spec == h->spec) continue;
    host(name).spec = h->spec;
    hostChanged(name);
  }
  for (const auto& [name, s] : next.services_) {
    auto it = services_.find(name);
    if (it != services_.end() && it->second->spec == s->spec) continue;
    (it == services_.end() ? out.added : out.changed).push_back(name);
    serviceSpec(name) = s->spec;
    serviceChanged(name);
  }
  for (const auto& [name, s] : services_)
    if (!next.services_.count(name)) out.removed.push_back(name);
  for (const auto& [name, h] : hosts_)
    if (!next.hosts_.count(name) && name != opts_.localName) out.hostsRemoved.push_back(name);
  // `released` once every removed service is: a count shared by their callbacks.
  auto left = std::make_shared<size_t>(out.removed.size() + 1);
  auto one = [left, released = std::move(released)] {
    if (--*left == 0 && released) released();
  };
  for (const auto& name : out.removed) removeService(name, old, one);
  for (const auto& name : out.hostsRemoved) dropHost(name);
  // Followed names (fail::dns follow) by name too: unchanged ones keep running.
  if (next.dnsFollows_ || dnsFollows_) dnsFollows().adopt(next.dnsFollows_.get());
  // Notifications: the new policy's declarations whole (unchanged channels keep their
  // senders and waiting messages: notify/center.hh).
  if (next.notifications_ || notifications_) {
    Notifications empty(*this, base_, "");
    std::string err;
    if (!notifications().adopt(next.notifications_ ? *next.notifications_ : empty, &err))
      FAIL_LOG(fac(), Err) << err;
  }
  one();
  return out;
}

void Engine::removeService(const std::string& name, ProcRunner& old, std::function<void()> done) {
  auto it = services_.find(name);
  std::unique_ptr<Service> owned = std::move(it->second);
  services_.erase(it);
  Service& s = *owned;
  retired_[&s] = std::move(owned);
  s.timer->cancel();
  if (s.fenceTimer) s.fenceTimer->cancel();
  if (s.startTimer) s.startTimer->cancel();
  ++s.runGen;  // a run's late poll answers are dropped
  s.stopper = &old;
  s.released = std::move(done);
  if (s.polling) s.running = s.polling = false;
  if (!s.running) release(s);  // else finish() calls it when the proc is back
  hideMonitor("service:" + name);
}

void Engine::release(Service& s) {
  if (s.held && !s.spec.stop.empty()) {
    FAIL_LOG(fac(), Notice) << "stop service=" << s.spec.name << ": removed from the policy";
    s.held = false;
    s.running = true;
    Service* sp = &s;
    s.stopper->run(s.spec.name, Action::Stop, s.spec.stop, [this, sp](State, const std::string&) {
      sp->running = false;
      release(*sp);
    });
    return;
  }
  FAIL_LOG(fac(), Notice) << "-service " << s.spec.name << ": removed from the policy";
  deleteLocal(s.spec.name);
  std::function<void()> done = std::move(s.released);
  retired_.erase(&s);  // frees s
  if (done) done();
}

void Engine::dropHost(const std::string& name) {
  FAIL_LOG(fac(), Notice) << "-host " << name << ": no longer named by the policy";
  hosts_.erase(name);  // its link closes; its callbacks are not called
  deleteLocal("host:" + name);
  hideMonitor("host:" + name);
}

}  // namespace fail::shell

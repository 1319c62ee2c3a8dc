// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// FrontEnd (dns/frontend.hh): the listen groups and their UDP threads (owner's thread),
// and the control thread (dns/control.hh), which the owner's calls reach through
// Control::call().
#include "dns/frontend.hh"

#include <algorithm>
#include <cstring>

#include "dns/frontend_log.hh"
#include "dns/control.hh"
#include "dns/forward_queue.hh"
#include "dns/frontend_bind.hh"
#include "dns/udp_slot.hh"
#include "dns/udp_thread.hh"

namespace fail::dns {

namespace {

struct Group {
  ListenGroup sockets;
  std::vector<std::unique_ptr<UdpThread>> threads;
};

// Whether `address` names the group's sockets: the same text, or the same address and
// port as bound ("127.0.0.1:0" once bound is "127.0.0.1:41234").
bool names(const Group& g, const std::string& address) {
  if (g.sockets.listen == address || g.sockets.bound == address) return true;
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (!parseListenAddress(address, ss, len, nullptr) || ss.ss_family != g.sockets.addr.ss_family) return false;
  return len == g.sockets.addrLen && std::memcmp(&ss, &g.sockets.addr, len) == 0;
}

// Binds every address of `listen`, taking from `keep` the groups already bound to one;
// on failure nothing new stays bound.
bool bindAll(const std::vector<std::string>& listen, unsigned udpThreads,
             std::vector<std::unique_ptr<Group>>& keep, std::vector<std::unique_ptr<Group>>& out, std::string* err) {
  for (const auto& address : listen) {
    auto reuse = std::find_if(keep.begin(), keep.end(), [&](const auto& g) { return g && names(*g, address); });
    if (reuse != keep.end()) {
      out.push_back(std::move(*reuse));
      continue;
    }
    auto g = std::make_unique<Group>();
    if (!bindGroup(address, udpSocketCount(udpThreads), g->sockets, err)) return false;
    out.push_back(std::move(g));
  }
  return true;
}

}  // namespace

struct FrontEnd::Impl {
  explicit Impl(FrontEndOptions o) : control(std::move(o), slot, queue) {}

  SnapshotSlot slot;
  ForwardQueue queue;
  Control control;
  std::vector<std::unique_ptr<Group>> groups;
  Counters retired;  // UDP threads stopped by a reload
  std::map<std::string, std::uint64_t> retiredPools;
  bool started = false;

  void startThreads(Group& g) {
    if (!g.threads.empty()) return;
    for (auto& fd : g.sockets.udp) {
      g.threads.push_back(std::make_unique<UdpThread>(fd, slot, queue));
      g.threads.back()->start();
    }
  }
  void stopThreads(Group& g) {
    for (auto& t : g.threads) {
      t->stop();
      addCounters(retired, t->counters());
      t->poolQueries(retiredPools);
    }
    g.threads.clear();
  }
};

FrontEnd::FrontEnd(FrontEndOptions opts) : impl_(std::make_unique<Impl>(std::move(opts))) {}

FrontEnd::~FrontEnd() { stop(); }

bool FrontEnd::bind(const Config& config, std::string* err) {
  std::string why;
  std::vector<std::unique_ptr<Group>> none, groups;
  if (!bindAll(config.serve.listen, config.serve.udpThreads, none, groups, &why)) {
    if (err) *err = why;
    return false;
  }
  for (auto& g : impl_->groups) impl_->stopThreads(*g);
  impl_->groups = std::move(groups);
  return true;
}

std::vector<std::string> FrontEnd::bound() const {
  std::vector<std::string> out;
  for (const auto& g : impl_->groups) out.push_back(g->sockets.bound);
  return out;
}

void FrontEnd::start(std::shared_ptr<const Config> config, std::function<void()> ready) {
  if (impl_->started) return;
  std::vector<int> tcp;
  for (const auto& g : impl_->groups) tcp.push_back(g->sockets.tcp.get());
  impl_->control.start(std::move(config), tcp, std::move(ready));
  for (auto& g : impl_->groups) impl_->startThreads(*g);
  impl_->started = true;
}

bool FrontEnd::reconfigure(std::shared_ptr<const Config> config, std::string* err) {
  std::vector<Group*> before;  // to give back the groups kept, in order, on failure
  for (const auto& g : impl_->groups) before.push_back(g.get());
  std::string why;
  std::vector<std::unique_ptr<Group>> old = std::move(impl_->groups), groups;
  if (!bindAll(config->serve.listen, config->serve.udpThreads, old, groups, &why)) {
    for (Group* p : before)
      for (auto* list : {&old, &groups})
        for (auto& g : *list)
          if (g.get() == p) impl_->groups.push_back(std::move(g));
    if (err) *err = why;
    return false;  // what was bound anew closes with `groups`
  }
  std::erase_if(old, [](const auto& g) { return !g; });  // those moved into `groups`
  std::vector<int> add, remove;
  for (const auto& g : groups)
    if (std::find(before.begin(), before.end(), g.get()) == before.end()) add.push_back(g->sockets.tcp.get());
  for (const auto& g : old) remove.push_back(g->sockets.tcp.get());
  impl_->control.call([&] { impl_->control.reconfigure(std::move(config), add, remove); });
  if (impl_->started)
    for (auto& g : groups) impl_->startThreads(*g);
  for (auto& g : old) impl_->stopThreads(*g);
  impl_->groups = std::move(groups);
  return true;  // `old` closes here, after the control thread let its listeners go
}

void FrontEnd::stop() {
  if (!impl_) return;
  for (auto& g : impl_->groups) impl_->stopThreads(*g);
  impl_->control.stop();
  impl_->groups.clear();
  impl_->started = false;
}

bool FrontEnd::setMember(const std::string& pool, const std::string& address, Force force, unsigned weight,
                         std::string* err) {
  bool ok = false;
  impl_->control.call([&] { ok = impl_->control.setMember(pool, address, force, weight, err); });
  return ok;
}

bool FrontEnd::explain(const std::string& name, PoolView& out) const {
  bool ok = false;
  impl_->control.call([&] { ok = impl_->control.explain(name, out); });
  return ok;
}

std::vector<PoolView> FrontEnd::pools() const {
  std::vector<PoolView> out;
  impl_->control.call([&] { out = impl_->control.pools(); });
  return out;
}

Stats FrontEnd::stats() const {
  Stats s;
  s.total = impl_->retired;
  for (const auto& g : impl_->groups)
    for (const auto& t : g->threads) addCounters(s.total, t->counters());
  std::map<std::string, std::uint64_t> byPool = impl_->retiredPools;
  for (const auto& g : impl_->groups)
    for (const auto& t : g->threads) t->poolQueries(byPool);
  impl_->control.call([&] { impl_->control.stats(s, byPool); });
  // the pools of the configuration (a pool removed by a reload is no longer shown)
  for (const auto& v : pools()) {
    auto it = byPool.find(v.name);
    s.pools.push_back({v.name, it == byPool.end() ? 0 : it->second});
  }
  return s;
}

}  // namespace fail::dns

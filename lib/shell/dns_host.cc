// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/dns_host.hh"

#include <atomic>
#include <set>
#include <sstream>

#include "base/daemon.hh"
#include "base/log.hh"
#include "client/options.hh"
#include "shell/api.hh"
#include "tcl/notifier.hh"

namespace fail::shell {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("dns");
  return f;
}

}  // namespace

// What the front-end's threads reach: the Tcl thread to post to, and whether this
// DnsHost still exists (read and written on the Tcl thread only).
struct DnsHost::Shared {
  Tcl_ThreadId tcl = Tcl_GetCurrentThread();
  DnsHost* self = nullptr;
  std::atomic<bool> ready{false};
};

DnsHost::DnsHost(Bridge& bridge, Engine& engine, std::string localName)
    : bridge_(bridge), engine_(engine), localName_(std::move(localName)), shared_(std::make_shared<Shared>()) {
  shared_->self = this;
}

DnsHost::~DnsHost() {
  stop();
  shared_->self = nullptr;
}

void DnsHost::stop() {
  if (!fe_) return;
  fe_->stop();
  fe_.reset();
  for (const auto& [name, p] : config_->pools) forget(name);
  FAIL_LOG(fac(), Notice) << "stopped serving";
}

// The local faild as the engine knows it (failhost localhost ...): the front-end
// watches the same one for its pools' -check records.
client::LinkSpec DnsHost::localFaild() {
  HostSpec h = bridge_.onLoop([this] { return engine_.hostSpec(localName_); });
  client::LinkSpec ls;
  ls.name = localName_;  // the front-end adds " (dns)"
  std::string err;
  if (!client::parseTarget(h.address.empty() ? "127.0.0.1" : h.address, h.port, ls.target, err))
    throw std::runtime_error("the local faild " + localName_ + ": " + err);
  ls.secret = h.secret;
  ls.tls = h.tls;
  return ls;
}

bool DnsHost::apply(std::shared_ptr<const dns::Config> config, std::string* err) {
  if (!config->serving) {
    stop();
    config_ = std::move(config);
    return true;
  }
  bool fresh = !fe_, relisten = fresh || config->serve.listen != config_->serve.listen;
  if (fresh) {
    dns::FrontEndOptions fo;
    fo.faild = localFaild();
    std::shared_ptr<Shared> shared = shared_;
    fo.published = [shared](const dns::PoolView& view) {  // the control thread
      tcl::postTo(shared->tcl, [shared, view] {
        if (shared->self) shared->self->published(view);
      });
    };
    auto fe = std::make_unique<dns::FrontEnd>(std::move(fo));
    if (!fe->bind(*config, err)) return false;
    shared_->ready = false;
    fe->start(config, [shared] {  // the control thread
      shared->ready = true;
      tcl::postTo(shared->tcl, [] {});  // wakes waitReady
    });
    fe_ = std::move(fe);
  } else if (config != config_ && *config == *config_) {
    config = config_;  // the front-end's: one Config held, not two
  } else if (config != config_ && !fe_->reconfigure(config, err)) {
    return false;
  }
  for (const auto& [name, p] : config_->pools)
    if (!config->pools.count(name)) forget(name);
  config_ = std::move(config);
  if (relisten)
    for (const std::string& a : fe_->bound()) FAIL_LOG(fac(), Notice) << "serving on " << a << " udp+tcp";
  return true;
}

bool DnsHost::waitReady(std::chrono::milliseconds timeout) {
  std::shared_ptr<Shared> shared = shared_;
  return Api::waitUntil([shared] { return shared->ready.load(); }, timeout);
}

void DnsHost::published(const dns::PoolView& view) {
  if (!config_->pools.count(view.name)) return;  // a pool removed meanwhile
  state::SetInput in;
  in.name = "dns:" + view.name;
  in.state = view.allDown ? State::Fail : State::Up;
  in.note = view.allDown ? "all down: " + daemon::joinSpaced(view.answer) : daemon::joinSpaced(view.answer);
  in.origin = "failsh";
  std::string members;
  for (const auto& m : view.members) members += (members.empty() ? "" : " ") + m.address + (m.in ? "=in" : "=out");
  in.attrs = {{"answer", daemon::joinSpaced(view.answer)},
              {"changes", std::to_string(view.changes)},
              {"members", members},
              {"ttl", std::to_string(view.ttl)}};
  in.replaceAttrs = true;
  Engine* engine = &engine_;
  bridge_.toLoop([engine, in]() mutable { engine->showMonitor(std::move(in)); });
}

void DnsHost::forget(const std::string& pool) {
  Engine* engine = &engine_;
  bridge_.toLoop([engine, pool] { engine->hideMonitor("dns:" + pool); });
}

std::string DnsHost::dump() const {
  if (!fe_) return "dns not serving\n";
  std::ostringstream out;
  dns::Stats s = fe_->stats();
  const dns::Counters& c = s.total;
  out << "dns serving on " << daemon::joinSpaced(fe_->bound()) << " queries=" << c.queries << " tcp=" << c.tcp
      << " truncated=" << c.truncated << " forwarded=" << c.forwarded << " refused=" << c.refused
      << " dropped=" << c.dropped << " noerror=" << c.rcode[0] << " formerr=" << c.rcode[1]
      << " servfail=" << c.rcode[2] << " nxdomain=" << c.rcode[3] << " edns=" << c.edns << " badvers=" << c.badvers
      << " tcp-open=" << s.tcpOpen << " tcp-refused=" << s.tcpRefused << " forward-timeouts=" << s.forwardTimeouts
      << " generation=" << s.generation << "\n";
  std::map<std::string, std::uint64_t> queries;
  for (const auto& p : s.pools) queries[p.name] = p.queries;
  for (const dns::PoolView& v : fe_->pools()) {
    out << "dns pool " << v.name << " answer={" << daemon::joinSpaced(v.answer) << "} ttl=" << v.ttl
        << (v.allDown ? " all-down" : "") << " changes=" << v.changes << " queries=" << queries[v.name];
    for (const auto& m : v.members) out << " " << m.address << "=" << (m.in ? "in" : "out") << "(" << m.why << ")";
    out << "\n";
  }
  return out.str();
}

}  // namespace fail::shell

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "mon/target.hh"

#include <algorithm>
#include <exception>
#include <utility>

#include "base/log.hh"
#include "base/time.hh"
#include "client/link.hh"
#include "ev/ev.hh"
#include "mon/watcher_backfill.hh"
#include "mon/watcher_feed.hh"

namespace fail::mon {

namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("failmon");
  return f;
}

// A watching link whose target says nothing this long is sent PING (at least a second).
std::chrono::milliseconds idleAfter(const WatcherOptions& o) {
  return std::max(o.connectTimeout, std::chrono::milliseconds(1000));
}

}  // namespace

struct Watcher::Impl {
  struct Conn {
    std::unique_ptr<client::Link> link;  // null when it could not be made (bad TLS files)
    Feed feed;
  };

  event_base* base;
  Model& model;
  std::vector<TargetSpec> specs;
  WatcherOptions opts;
  std::vector<Conn> conns;
  std::function<void()> onUpdate;
  ev::Timer notify;  // armed at 0 after a change: one onUpdate per batch of lines
  std::vector<std::unique_ptr<Backfill>> backfills;
  ev::Timer reap;  // frees finished backfills outside their own callbacks

  Impl(event_base* b, Model& m, std::vector<TargetSpec> s, WatcherOptions o)
      : base(b), model(m), specs(std::move(s)), opts(std::move(o)),
        notify(b, [this] { if (onUpdate) onUpdate(); }),
        reap(b, [this] { reapBackfills(); }) {}

  void changed() {
    if (!notify.armed()) notify.arm(ev::Micros{0});
  }

  void build() {
    conns.reserve(specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
      if (i >= model.size()) model.add(specs[i].name);
      conns.push_back(Conn{nullptr, Feed(model, i)});
      conns.back().link = makeLink(i);
    }
  }

  std::unique_ptr<client::Link> makeLink(std::size_t i) {
    client::LinkOptions lo;
    lo.client = "failmon";
    lo.connectTimeout = opts.connectTimeout;
    lo.minBackoff = opts.minBackoff;
    lo.maxBackoff = opts.maxBackoff;
    lo.logFacility = "failmon";
    std::unique_ptr<client::Link> link;
    try {
      link = std::make_unique<client::Link>(base, specs[i].link, lo);
    } catch (const std::exception& e) {
      model.down(i, e.what(), wallNow());
      return nullptr;
    }
    client::Link* l = link.get();
    link->watchIdle(idleAfter(opts), opts.connectTimeout);
    auto onEvent = [this, i](const client::WatchEvent& e) {
      conns[i].feed.event(e, wallNow());
      changed();
    };
    auto onGone = [this, i] {
      conns[i].feed.gone(wallNow());
      changed();
    };
    link->watch(opts.pattern, onEvent, onGone);
    link->onState([this, i, l](bool up, const std::string&) {
      if (!up) return;  // onFailure says why
      conns[i].feed.up(l->peerProgram(), l->peerVersion(), l->lastSerial() > 0, wallNow());
      changed();
    });
    link->onFailure([this, i, l](const std::string& why, bool wasReady) {
      // A target that greets and then breaks before its listing is complete (garbage,
      // a refused WATCH) would otherwise be retried at the minimum backoff forever.
      if (wasReady && !conns[i].feed.synced()) l->backOffFully();
      FAIL_LOG(fac(), Debug) << specs[i].name << ": down: " << why;
      conns[i].feed.down(why, wallNow());
      changed();
    });
    return link;
  }

  void reapBackfills() {
    std::erase_if(backfills, [](const std::unique_ptr<Backfill>& b) { return b->done(); });
  }
};

Watcher::Watcher(event_base* base, Model& model, std::vector<TargetSpec> targets, WatcherOptions opts)
    : impl_(std::make_unique<Impl>(base, model, std::move(targets), std::move(opts))) {
  impl_->build();
}

Watcher::~Watcher() = default;

void Watcher::start() {
  for (auto& c : impl_->conns)
    if (c.link) c.link->start();
}

void Watcher::stop() {
  for (auto& c : impl_->conns)
    if (c.link) c.link->stop();
  impl_->backfills.clear();
}

void Watcher::onUpdate(std::function<void()> fn) { impl_->onUpdate = std::move(fn); }

void Watcher::backfill(std::size_t i, const std::string& name) {
  Impl& m = *impl_;
  if (i >= m.specs.size()) return;
  auto b = std::make_unique<Backfill>(m.base, m.specs[i].link, m.opts.connectTimeout, name,
                                      [&m, i, name](std::vector<Change> older) {
                                        m.model.backfilled(i, name, std::move(older));
                                        m.changed();
                                        m.reap.arm(ev::Micros{0});
                                      });
  b->start();
  m.backfills.push_back(std::move(b));
}

Model collect(const std::vector<TargetSpec>& targets, std::chrono::milliseconds deadline,
              const std::string& pattern) {
  Model model;
  for (const auto& t : targets) model.add(t.name);
  std::unique_ptr<event_base, void (*)(event_base*)> base(event_base_new(), event_base_free);
  std::vector<bool> done(targets.size(), false);
  {
    WatcherOptions wo;
    wo.pattern = pattern;
    wo.connectTimeout = std::min(wo.connectTimeout, deadline);
    Watcher watcher(base.get(), model, targets, wo);
    auto allDone = [&] {
      for (std::size_t i = 0; i < model.size(); ++i) {
        const Target& t = model.at(i);
        if (t.synced || t.reach == Reach::Down) done[i] = true;
      }
      return std::all_of(done.begin(), done.end(), [](bool d) { return d; });
    };
    watcher.onUpdate([&] {
      if (allDone()) event_base_loopbreak(base.get());
    });
    ev::Timer timeout(base.get(), [&] { event_base_loopbreak(base.get()); });
    if (!allDone()) {
      timeout.arm(std::chrono::duration_cast<ev::Micros>(deadline));
      watcher.start();
      event_base_dispatch(base.get());
    }
    watcher.stop();
  }
  Micros now = wallNow();
  for (std::size_t i = 0; i < model.size(); ++i)
    if (!done[i]) model.down(i, "no answer within " + formatDurationMs(deadline.count()), now);
  return model;
}

}  // namespace fail::mon

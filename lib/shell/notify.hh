// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failsh's notifications (`fail::notify`, failover(n) "NOTIFICATIONS"), on the loop side:
// the policy's declarations (channels, rules, quiet windows, the status page's link),
// and for the running policy the notification center (notify/center.hh) with its
// durable queue, fed the local faild's records straight from the engine
// (Engine::subscribe, no Tcl callback). Each channel is published as the record
// notify:CHANNEL in the monitor store and the local faild: UP while its last attempt
// succeeded (or none was needed), FAIL while attempts fail; note "sent N" or the last
// error; attributes waiting, sent, failed, suppressed, digests, retries.
//
// Owned by an Engine (Engine::notifications), as the followed names are. A staging
// engine's set only keeps declarations; adopt() on a reload takes them whole (a failed
// reload never reaches it, so it changes nothing). The live set opens the queue at its
// first channel and keeps it open. Loop side only.
#pragma once

#include <event2/event.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ev/loop.hh"
#include "notify/center.hh"

namespace fail::shell {

class Engine;

// Where the queue is without --notify-db: notify.db in the first directory of
// $STATE_DIRECTORY (systemd's StateDirectory=), else /var/lib/failsh/notify.db.
std::string defaultNotifyDb();
// Whether `path` can be opened as the queue, without creating it (failsh -t): an
// existing file is opened; a missing one needs a writable directory. "" or why not.
std::string checkNotifyDb(const std::string& path);

class Notifications {
 public:
  // `db`: the queue's file (failsh --notify-db; the package: fail::notify config -db).
  Notifications(Engine& engine, event_base* base, std::string db);
  ~Notifications();
  Notifications(const Notifications&) = delete;
  Notifications& operator=(const Notifications&) = delete;

  // Declarations, each replacing the one of the same name (a quiet window: of the same
  // pattern); applied at once when active.
  void channel(notify::ChannelConfig c);
  // False with *err when -to names a channel not declared (yet).
  bool rule(notify::RuleSpec r, std::string* err);
  void quiet(notify::QuietSpec q);
  void link(std::string url);
  // The Tcl package's fail::notify config -db; false (with *err) once the queue is open.
  bool setDb(std::string path, std::string* err);
  const std::string& db() const { return db_; }
  const notify::NotifyConfig& declared() const { return decls_; }
  bool hasChannel(const std::string& name) const;

  // A reload: `next`'s declarations, whole. Activates this set. False with *err when
  // the queue cannot be opened (the channels then send nothing; said in their records).
  bool adopt(const Notifications& next, std::string* err);
  // Applies the declarations from now on (idempotent): opens the queue at the first
  // channel, subscribes to the engine. False with *err as adopt.
  bool activate(std::string* err);
  bool active() const { return subId_ >= 0; }
  // Why the queue could not be opened, "" when it is open or not needed.
  const std::string& error() const { return error_; }

  // fail::notify send; false with *err (no such channel, the queue refused it).
  bool send(const std::string& channel, const std::string& subject, const std::string& body, std::string* err);
  // What fail::notify status shows; nullopt: no such channel declared.
  std::optional<notify::ChannelView> status(const std::string& channel) const;
  std::vector<std::string> channelNames() const;
  const notify::Center* center() const { return center_.get(); }
  std::string dump() const;

 private:
  bool open(std::string* err);  // the queue and the center, at the first channel
  void applyNow();
  void published(const notify::ChannelView& v);
  void forget(const std::string& channel);

  Engine& engine_;
  event_base* base_;
  std::string db_, host_;
  notify::NotifyConfig decls_;
  std::unique_ptr<ev::Loop> loop_;
  std::unique_ptr<notify::Queue> queue_;
  std::unique_ptr<notify::Center> center_;
  std::string error_;
  int subId_ = -1, syncId_ = -1;
};

}  // namespace fail::shell

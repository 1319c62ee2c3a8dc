// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "server/dump.hh"

#include "base/text.hh"
#include "proto/list.hh"

namespace fail::server {

Dump Dump::list(const state::Store& store, std::string pattern, const access::Grant& grant) {
  Dump d(Kind::List, std::move(pattern), grant);
  d.serial_ = store.publishedSerial();
  return d;
}

Dump Dump::watch(const state::Store& store, std::string pattern, const access::Grant& grant) {
  Dump d(Kind::Watch, std::move(pattern), grant);
  d.serial_ = store.publishedSerial();
  d.cursor_ = d.serial_;
  return d;
}

Dump Dump::watchSince(const state::Store& store, std::string pattern, const access::Grant& grant,
                      std::uint64_t since) {
  Dump d(Kind::Watch, std::move(pattern), grant);
  d.serial_ = store.publishedSerial();
  d.cursor_ = since;
  d.phase_ = Phase::Changes;
  return d;
}

bool Dump::wanted(std::string_view name) const {
  return globMatch(pattern_, name) && grant_->levelFor(name) >= access::Level::Ro;
}

Dump::Status Dump::pump(const state::Store& store, std::string& out, size_t budget) {
  if (!headDone_) {
    headDone_ = true;
    out += (kind_ == Kind::List ? "OK " : "OK WATCH ") + std::to_string(serial_);
    if (kind_ == Kind::Watch) out += '\n';
  }
  if (phase_ == Phase::Records) {
    // Records as published: a change still being written (which may fail and be
    // undone) is not shown before it is durable.
    bool more = false;
    store.forEachPublishedAfter(started_ ? &after_ : nullptr, [&](const state::Version& r) {
      if (out.size() >= budget) {
        more = true;
        return false;
      }
      after_ = r.name();
      if (!wanted(after_)) return true;
      if (kind_ == Kind::List) {
        out += ' ';  // never at the start of a line: the OK head precedes
        out += r.word();
      } else {
        out += "RECORD ";
        out += r.word();
        out += '\n';
      }
      return true;
    });
    started_ = true;
    if (more) return Status::More;
    if (kind_ == Kind::List) {
      out += '\n';
      phase_ = Phase::End;
      return Status::Done;
    }
    phase_ = Phase::Changes;
  }
  if (phase_ == Phase::Changes) {
    bool full = false;
    bool held = store.changesSince(cursor_, [&](const state::Published& p) {
      if (full) return;
      if (out.size() >= budget) {
        full = true;
        return;
      }
      cursor_ = p.serial();
      if (!wanted(p.name())) return;
      p.appendLine(out);
      out += '\n';
    });
    if (!held) return Status::Gone;
    if (full) return Status::More;
    out += "SYNCED " + std::to_string(store.publishedSerial()) + "\n";
    phase_ = Phase::End;
    return Status::Done;
  }
  return Status::Done;
}

}  // namespace fail::server

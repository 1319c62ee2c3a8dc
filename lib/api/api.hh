// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faild's HTTP/JSON API (doc/http-api.md, doc/openapi.yaml) on an http::Server: the
// records (GET, PUT, DELETE through the Store, as the protocol's GET, SET and DEL), the
// stream of changes (server-sent events, resumable like WATCH since=), the history and
// availability (through history::Reader, off the loop thread). Access as the
// protocol's (api/auth.hh).
//
// Loop thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "api/auth.hh"
#include "api/events.hh"
#include "history/reader.hh"
#include "http/server.hh"
#include "server/server.hh"
#include "state/store.hh"

namespace fail::api {

struct ApiCounters {
  std::uint64_t puts = 0, deletes = 0, storageErrors = 0, historyBusy = 0;
};

// Throws std::runtime_error when an HTTP listener is not on loopback and there is no
// access file (anyone could change records), as the protocol server refuses such a
// listener. Api's constructor checks it; faild -t too.
void checkListeners(const http::ServerConfig& config, const access::AccessFile* access);

class Api {
 public:
  // Registers the routes on `http`. `history` may be null (no history database: the
  // history routes answer 404). Throws as checkListeners does.
  Api(ev::Loop& loop, http::Server& http, state::Store& store, server::Server& proto,
      history::Reader* history);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  const ApiCounters& counters() const { return counters_; }
  const Auth& auth() const { return auth_; }
  const EventStreams& events() const { return events_; }

 private:
  // Authenticates, then runs `fn` with the request and the grant (or answers the
  // refusal): at once, or after the wrong-secret throttle's delay.
  using GrantedFn = std::function<void(const http::Request&, const access::Grant&)>;
  void withGrant(const http::Request& r, const std::shared_ptr<http::Exchange>& ex, GrantedFn fn);
  void listRecords(const http::Request& r, http::Exchange& ex, const access::Grant& g);
  void getRecord(const http::Request& r, http::Exchange& ex, const access::Grant& g);
  void putRecord(const http::Request& r, const std::shared_ptr<http::Exchange>& ex, const access::Grant& g);
  void deleteRecord(const http::Request& r, const std::shared_ptr<http::Exchange>& ex, const access::Grant& g);
  void history(const http::Request& r, const std::shared_ptr<http::Exchange>& ex, const access::Grant& g);
  void availability(const http::Request& r, const std::shared_ptr<http::Exchange>& ex, const access::Grant& g);
  // The answer to a change the Store could not make durable (it was undone).
  http::Response storageError(const char* what, std::uint64_t serial, const std::string& error);
  // The JSON of a record's version, kept while that version is current: a listing of
  // many records is a concatenation, not an encoding of each (GET /v1/records).
  const std::string& recordText(const state::Version& v);

  ev::Loop& loop_;
  state::Store& store_;
  server::Server& proto_;
  history::Reader* history_;
  Auth auth_;
  EventStreams events_;
  struct Cached {
    state::VersionRef version;  // held, so that its address names it alone
    std::string json;
  };
  std::unordered_map<const state::Version*, Cached> cache_;
  ApiCounters counters_;
};

}  // namespace fail::api

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "api/api.hh"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "api/input.hh"
#include "base/log.hh"
#include "base/text.hh"
#include "history/json.hh"
#include "proto/request.hh"
#include "state/json.hh"

namespace fail::api {

namespace {

constexpr const char* kRecords = "/v1/records";
constexpr const char* kRecordPrefix = "/v1/records/";

http::Response json(int status, const nlohmann::ordered_json& j) {
  http::Response r;
  r.status = status;
  r.contentType = "application/json";
  r.body = state::dumpJson(j) + "\n";
  return r;
}

http::Response denied(access::Level level, const std::string& name) {
  return http::errorResponse(403, "DENIED",
                             std::string(level == access::Level::Rw ? "no write" : "no read") + " access to '" +
                                 printable(name) + "'");
}

// The name in /v1/records/{name}.
std::string nameOf(const http::Request& r) { return r.path.substr(std::string_view(kRecordPrefix).size()); }

// An access entry's NAME, proven by the secret, else the client's address: what the
// protocol records as the origin of a SET without HELLO.
std::string originOf(const http::Request& r, const access::Grant& g) {
  return g.name().empty() ? r.peer : g.name();
}

}  // namespace

void checkListeners(const http::ServerConfig& config, const access::AccessFile* access) {
  if (access) return;
  for (const auto& l : config.listens)
    if (!net::isLoopback(l))
      throw std::runtime_error("HTTP listener " + l.text +
                               " is not on loopback: it needs an access file (-c FILE); without one "
                               "anyone who reaches it could change every record");
}

Api::Api(ev::Loop& loop, http::Server& http, state::Store& store, server::Server& proto,
         history::Reader* history)
    : loop_(loop), store_(store), proto_(proto), history_(history), auth_(loop, proto), events_(loop, store) {
  checkListeners(http.config(), proto_.accessFile());
  using Ex = std::shared_ptr<http::Exchange>;
  auto route = [this](void (Api::*member)(const http::Request&, const Ex&, const access::Grant&)) {
    return [this, member](const http::Request& r, Ex ex) {
      withGrant(r, ex, [this, member, ex](const http::Request& req, const access::Grant& g) {
        (this->*member)(req, ex, g);
      });
    };
  };
  auto sync = [this](void (Api::*member)(const http::Request&, http::Exchange&, const access::Grant&)) {
    return [this, member](const http::Request& r, Ex ex) {
      withGrant(r, ex, [this, member, ex](const http::Request& req, const access::Grant& g) {
        (this->*member)(req, *ex, g);
      });
    };
  };
  http.handleAsync("GET", kRecords, sync(&Api::listRecords));
  http.handlePrefixAsync("GET", kRecordPrefix, sync(&Api::getRecord));
  http.handlePrefixAsync("PUT", kRecordPrefix, route(&Api::putRecord));
  http.handlePrefixAsync("DELETE", kRecordPrefix, route(&Api::deleteRecord));
  http.handleAsync("GET", "/v1/history", route(&Api::history));
  http.handleAsync("GET", "/v1/availability", route(&Api::availability));
  http.handleAsync("GET", "/v1/events", [this](const http::Request& r, Ex ex) {
    withGrant(r, ex, [this, ex](const http::Request& r, const access::Grant& g) {
      Refusal why;
      std::string pattern;
      std::optional<std::uint64_t> since;
      if (!onlyParams(r, {"pattern", "since"}, why) || !patternParam(r, pattern, why) || !resumeSerial(r, since, why))
        return ex->reply(why.response());
      if (r.method == "HEAD") {  // the headers a stream would have, and no stream
        http::Response head;
        head.contentType = "text/event-stream";
        return ex->reply(head);
      }
      events_.open(ex, std::move(pattern), g, since);
    });
  });
}

Api::~Api() = default;

void Api::withGrant(const http::Request& r, const std::shared_ptr<http::Exchange>& ex, GrantedFn fn) {
  if (!proto_.accessFile()) return fn(r, access::Grant::full());  // the common case: at once
  // A throttled check answers after the handler returned: the request goes with it.
  auto req = std::make_shared<http::Request>(r);
  auth_.check(*req, ex, [ex, req, fn = std::move(fn)](std::optional<access::Grant> g, http::Response err) {
    if (!g) return ex->reply(err);
    fn(*req, *g);
  });
}

http::Response Api::storageError(const char* what, std::uint64_t serial, const std::string& error) {
  ++counters_.storageErrors;
  return http::errorResponse(500, "STORAGE", std::string("the ") + what + " (serial " + std::to_string(serial) +
                                                 ") could not be stored and was not made: " + error);
}

const std::string& Api::recordText(const state::Version& v) {
  auto [it, fresh] = cache_.try_emplace(&v);
  Cached& c = it->second;
  if (fresh) {
    c.version = v.ref();
    c.json = state::dumpJson(state::recordJson(v.record()));
  }
  return c.json;
}

void Api::listRecords(const http::Request& r, http::Exchange& ex, const access::Grant& g) {
  Refusal why;
  std::string pattern;
  if (!onlyParams(r, {"pattern"}, why) || !patternParam(r, pattern, why)) return ex.reply(why.response());
  http::Response out;
  out.contentType = "application/json";
  out.body = "{\"serial\":" + std::to_string(store_.publishedSerial()) + ",\"records\":[";
  bool first = true;
  store_.forEachPublished([&](const state::Version& v) {
    if (!globMatch(pattern, v.name()) || g.levelFor(v.name()) < access::Level::Ro) return;
    if (!first) out.body += ',';
    first = false;
    out.body += recordText(v);
  });
  out.body += "]}\n";
  // Versions no longer current leave the cache once it holds many more than there are
  // records, whatever the listings' patterns: its size stays bounded by the store's.
  if (cache_.size() > 2 * store_.size() + 64)
    std::erase_if(cache_, [this](const auto& kv) { return store_.get(kv.second.version->name()) != kv.first; });
  ex.reply(out);
}

void Api::getRecord(const http::Request& r, http::Exchange& ex, const access::Grant& g) {
  Refusal why;
  std::string name = nameOf(r);
  if (!onlyParams(r, {}, why) || !checkName(name, why)) return ex.reply(why.response());
  if (g.levelFor(name) < access::Level::Ro) return ex.reply(denied(access::Level::Ro, name));
  const state::Version* v = store_.get(name);
  if (!v) return ex.reply(http::errorResponse(404, "NOTFOUND", "no record '" + name + "'"));
  http::Response out;
  out.contentType = "application/json";
  out.body = state::dumpJson(state::recordJson(v->record())) + "\n";
  ex.reply(out);
}

void Api::putRecord(const http::Request& r, const std::shared_ptr<http::Exchange>& ex, const access::Grant& g) {
  Refusal why;
  std::string name = nameOf(r);
  if (!onlyParams(r, {}, why) || !checkName(name, why)) return ex->reply(why.response());
  if (g.levelFor(name) < access::Level::Rw) return ex->reply(denied(access::Level::Rw, name));
  if (!r.header("Content-Length") && !r.header("Transfer-Encoding"))
    return ex->reply(http::errorResponse(411, "LENGTH", "PUT needs a JSON body with a Content-Length"));
  SetBody body;
  if (!parseSetBody(r.body, body, why)) return ex->reply(why.response());
  if (body.at && *body.at > wallNow() + 10'000'000)
    return ex->reply(http::errorResponse(422, "ARGS", "\"at\" lies more than 10 s in the future"));
  const state::Version* old = store_.get(name);
  if (old && !body.attrs.empty()) {  // (without new attributes the count cannot grow)
    state::Attrs merged = old->attrs();
    for (const auto& [k, v] : body.attrs) state::mergeAttr(merged, k, v);
    if (merged.size() > proto::kMaxAttrs)
      return ex->reply(http::errorResponse(409, "ARGS", "'" + name + "' would have more than " +
                                                             std::to_string(proto::kMaxAttrs) + " attributes"));
  }
  state::SetInput in;
  in.name = name;
  in.state = body.state;
  in.ttlMs = body.ttlMs;
  in.note = std::move(body.note);
  in.at = body.at;
  in.attrs = std::move(body.attrs);
  in.origin = originOf(r, g);
  int created = old ? 200 : 201;
  ++counters_.puts;
  std::weak_ptr<http::Exchange> weak = ex;
  // Answered once the change is durable (the Store calls back after the fsync).
  auto answer = [this, weak, name, created](bool ok, std::uint64_t serial, const std::string& error, bool change) {
    auto e = weak.lock();
    if (!e) return;
    if (!ok) return e->reply(storageError("change", serial, error));
    nlohmann::ordered_json j{{"result", change ? "change" : "refresh"}, {"serial", serial}};
    if (const state::Version* v = store_.get(name)) j["record"] = state::recordJson(v->record());
    e->reply(json(change ? created : 200, j));
  };
  std::uint64_t serial = 0;
  auto kind = store_.set(
      std::move(in), wallNow(), steadyNow(),
      [answer](bool ok, std::uint64_t serial, const std::string& error) { answer(ok, serial, error, true); }, serial);
  if (kind == state::Store::SetKind::Refresh) answer(true, serial, "", false);
}

void Api::deleteRecord(const http::Request& r, const std::shared_ptr<http::Exchange>& ex, const access::Grant& g) {
  Refusal why;
  std::string name = nameOf(r);
  if (!onlyParams(r, {}, why) || !checkName(name, why)) return ex->reply(why.response());
  if (g.levelFor(name) < access::Level::Rw) return ex->reply(denied(access::Level::Rw, name));
  std::weak_ptr<http::Exchange> weak = ex;
  ++counters_.deletes;
  bool found = store_.del(name, wallNow(), [this, weak](bool ok, std::uint64_t serial, const std::string& error) {
    auto e = weak.lock();
    if (!e) return;
    if (!ok) return e->reply(storageError("deletion", serial, error));
    e->reply(json(200, {{"result", "deleted"}, {"serial", serial}}));
  });
  if (!found) ex->reply(http::errorResponse(404, "NOTFOUND", "no record '" + name + "'"));
}

void Api::history(const http::Request& r, const std::shared_ptr<http::Exchange>& ex, const access::Grant& g) {
  Refusal why;
  history::Query q;
  Micros now = wallNow();
  size_t limit = 0;
  if (!onlyParams(r, {"pattern", "since", "until", "limit"}, why) || !patternParam(r, q.pattern, why) ||
      !timeParam(r, "since", now, 0, q.since, why) ||
      !timeParam(r, "until", now, std::numeric_limits<Micros>::max(), q.until, why) ||
      !limitParam(r, history::Reader::kMaxChanges, limit, why))
    return ex->reply(why.response());
  if (!history_)
    return ex->reply(http::errorResponse(404, "NOTFOUND", "this faild keeps no history database"));
  size_t shown = limit ? limit : history::Reader::kDefaultChanges;
  q.limit = shown + 1;  // one more tells whether older changes matched
  q.visible = [g](std::string_view name) { return g.levelFor(name) >= access::Level::Ro; };
  std::weak_ptr<http::Exchange> weak = ex;
  bool queued = history_->changes(std::move(q), ex, [weak, shown](std::vector<history::Change> changes, std::string error) {
    auto e = weak.lock();
    if (!e) return;
    if (!error.empty()) return e->reply(http::errorResponse(500, "HISTORY", error));
    bool more = changes.size() > shown;
    if (more) changes.erase(changes.begin());  // the oldest: the extra one
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& c : changes) list.push_back(history::changeJson(c));
    e->reply(json(200, {{"changes", std::move(list)}, {"more", more}}));
  });
  if (!queued) {
    ++counters_.historyBusy;
    ex->reply(http::errorResponse(503, "BUSY", "too many history queries waiting; try again"));
  }
}

void Api::availability(const http::Request& r, const std::shared_ptr<http::Exchange>& ex, const access::Grant& g) {
  Refusal why;
  std::string pattern;
  Micros now = wallNow(), from = 0, to = 0;
  if (!onlyParams(r, {"pattern", "since", "until"}, why) || !patternParam(r, pattern, why) ||
      !timeParam(r, "since", now, now - 30 * history::kDay, from, why) || !timeParam(r, "until", now, now, to, why))
    return ex->reply(why.response());
  if (from >= to) return ex->reply(http::errorResponse(400, "BADREQUEST", "since= must come before until="));
  if (!history_)
    return ex->reply(http::errorResponse(404, "NOTFOUND", "this faild keeps no history database"));
  std::weak_ptr<http::Exchange> weak = ex;
  bool queued = history_->availability(
      pattern, from, to, ex, [weak, g, from, to](history::Reader::Availabilities rows, std::string error) {
        auto e = weak.lock();
        if (!e) return;
        if (!error.empty()) return e->reply(http::errorResponse(500, "HISTORY", error));
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const auto& [name, a] : rows)
          if (g.levelFor(name) >= access::Level::Ro) list.push_back(history::availabilityJson(name, a, from, to));
        e->reply(json(200, {{"from", from},
                            {"from_iso", isoTime(from)},
                            {"to", to},
                            {"to_iso", isoTime(to)},
                            {"records", std::move(list)}}));
      });
  if (!queued) {
    ++counters_.historyBusy;
    ex->reply(http::errorResponse(503, "BUSY", "too many history queries waiting; try again"));
  }
}

}  // namespace fail::api

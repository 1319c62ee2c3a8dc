// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A real HTTP receiver for webhook tests: tests/common/webhook_peer.py (python3's
// http.server, threaded) on a loopback port of its own choosing, writing every request as
// one JSON line to a file. Its mode (200, 500, hang, trickle, redirect, any status) can be
// switched while it runs; a test reads what arrived with seen() and waits with waitSeen().
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "peers.hh"

namespace fail::test {

// One request as the receiver saw it.
struct HookSeen {
  std::string method, path;
  HeaderMap headers;  // a repeated header: its values joined by ", "
  std::string body;
  double time = 0;     // Unix seconds when the request was whole
  std::string answer;  // the mode it met: "200", "500", "hang", "trickle", "redirect"
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct WebhookPeerOptions {
  std::string mode = "200";
  std::string tlsCert{}, tlsKey{};  // both: HTTPS (e.g. a Pki leaf for "IP:127.0.0.1")
  std::string redirectTo{};         // where "redirect" sends (default http://127.0.0.1:9/elsewhere)
};

class WebhookPeer : public ScriptPeer {
 public:
  // Files go into `dir` (hook.jsonl, hook.log, hook.port, hook.mode), `tag` apart when a
  // test runs more than one receiver in the same folder.
  explicit WebhookPeer(std::string dir, WebhookPeerOptions o = {}, std::string tag = "hook")
      : ScriptPeer(std::move(dir), std::move(tag)), o_(std::move(o)) {}

  // Starts the receiver (again after stop(), on the same port); true once it listens.
  bool start(std::string* why = nullptr) {
    std::vector<std::string> args{"--log", file("jsonl"), "--mode", o_.mode};
    if (!o_.tlsCert.empty()) args.insert(args.end(), {"--tls-cert", o_.tlsCert, "--tls-key", o_.tlsKey});
    if (!o_.redirectTo.empty()) args.insert(args.end(), {"--redirect-to", o_.redirectTo});
    return launch("webhook_peer.py", args, why);
  }
  // "http://127.0.0.1:PORT/path" (https with TLS).
  std::string url(const std::string& path = "/hook") const {
    return std::string(o_.tlsCert.empty() ? "http" : "https") + "://127.0.0.1:" + std::to_string(port()) + path;
  }

  // Everything that arrived so far, oldest first.
  std::vector<HookSeen> seen() const {
    std::vector<HookSeen> out;
    std::istringstream in(readAll(file("jsonl")));
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) continue;  // a line being written (cannot happen: one write)
      HookSeen h;
      h.method = j.value("method", "");
      h.path = j.value("path", "");
      h.body = j.value("body", "");
      h.time = j.value("time", 0.0);
      h.answer = j.value("answer", "");
      for (auto& kv : j["headers"]) {
        auto name = kv[0].get<std::string>(), value = kv[1].get<std::string>();
        auto [it, fresh] = h.headers.emplace(name, value);
        if (!fresh) it->second += ", " + value;
      }
      out.push_back(std::move(h));
    }
    return out;
  }
  // Waits until `pred` holds for what arrived (default: at least `count` requests);
  // returns what arrived then (or at the deadline).
  std::vector<HookSeen> waitSeen(const std::function<bool(const std::vector<HookSeen>&)>& done,
                                 std::chrono::seconds limit = std::chrono::seconds(30)) const {
    return pollSeen<std::vector<HookSeen>>([this] { return seen(); }, done, limit);
  }
  std::vector<HookSeen> waitCount(size_t count, std::chrono::seconds limit = std::chrono::seconds(30)) const {
    return waitSeen([&](const std::vector<HookSeen>& s) { return s.size() >= count; }, limit);
  }
 private:
  WebhookPeerOptions o_;
};

}  // namespace fail::test

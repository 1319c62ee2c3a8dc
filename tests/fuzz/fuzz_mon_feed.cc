// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: what a hostile target can make failmon show. The input is a WATCH
// stream (lines as client::parseWatchLine reads them; the first byte picks listing or
// resuming), fed to the Model through mon::Feed as the Watcher does, then rendered by
// renderLines. Contract: nothing crashes; the Model's counts match its records; the
// text holds no control character but the line feeds, and is valid UTF-8.
#include <cstdint>
#include <string>
#include <string_view>

#include "base/text.hh"
#include "check.hh"
#include "client/reply.hh"
#include "mon/render.hh"
#include "mon/watcher_feed.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  fail::mon::Model model;
  model.add(std::string(in.substr(0, in.find('\n'))));
  fail::mon::Feed feed(model, 0);
  feed.up("faild", "1", data[0] & 1, 1000);
  fail::Micros now = 2'000'000;
  while (!in.empty()) {
    auto nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    fail::client::WatchEvent ev;
    std::string err;
    if (fail::client::parseWatchLine(line, ev, err))
      feed.event(ev, now += 1000);
    else if (data[0] & 2)
      feed.down(err, now += 1000);
  }
  const fail::mon::Target& t = model.at(0);
  FUZZ_CHECK(fail::mon::Model::counts(t).total() == t.records.size());
  for (const auto& [name, e] : t.records) FUZZ_CHECK(e.recent.size() <= fail::mon::Model::kRecent);
  std::string text = fail::mon::renderLines(model, now);
  FUZZ_CHECK(fail::validUtf8(text));
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    FUZZ_CHECK(c == '\n' || (u >= 0x20 && u != 0x7F));
  }
  return 0;
}

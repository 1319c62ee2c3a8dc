// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: what a server sends back (client/reply.hh): a reply line and a WATCH
// stream line, and the record dicts inside them. Nothing may crash; what parses must be
// consistent.
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hh"
#include "client/reply.hh"
#include "state/record.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  client::Reply r;
  std::string err;
  if (client::parseReply(in, r, err)) {
    FUZZ_CHECK(r.ok || !r.code.empty());
    FUZZ_CHECK(r.line == in);
    if (r.ok && r.words.size() == 1) {
      state::Record rec;
      state::decodeRecord(r.words[0], rec);
    }
  } else {
    FUZZ_CHECK(!err.empty());
  }
  client::WatchEvent e;
  err.clear();
  if (client::parseWatchLine(in, e, err)) {
    using K = client::WatchEvent::Kind;
    if (e.kind == K::Record || e.kind == K::Change) FUZZ_CHECK(!e.record.name.empty() && e.name == e.record.name);
    if (e.kind == K::Error) FUZZ_CHECK(!e.error.ok && !e.error.code.empty());
  } else {
    FUZZ_CHECK(!err.empty());
  }
  return 0;
}

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: parseRequest on arbitrary bytes. On success the fields obey the
// protocol's rules; on failure the reply is a valid list "ERR CODE ...".
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.hh"
#include "base/text.hh"
#include "proto/list.hh"
#include "proto/request.hh"
#include "state/record.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::proto;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Request r;
  Error e;
  if (!parseRequest(in, r, e)) {
    std::string reply = formatError(e);
    for (unsigned char c : reply) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
    FUZZ_CHECK(fail::validUtf8(reply));
    std::vector<std::string> w;
    FUZZ_CHECK(splitList(reply, w));
    FUZZ_CHECK(w.size() >= 2 && w[0] == "ERR" && w[1] == errcName(e.code));
    FUZZ_CHECK(e.code != Errc::Internal);
    return 0;
  }
  FUZZ_CHECK(fail::validUtf8(in));
  switch (r.cmd) {
    case Cmd::Get:
    case Cmd::Del:
      FUZZ_CHECK(fail::validName(r.name));
      break;
    case Cmd::Set: {
      FUZZ_CHECK(fail::validName(r.name));
      FUZZ_CHECK(r.ttlMs >= 0);
      FUZZ_CHECK(r.note.size() <= kMaxNote);
      FUZZ_CHECK(!r.at || *r.at >= 0);
      FUZZ_CHECK(r.attrs.size() <= kMaxAttrs);
      for (size_t i = 0; i < r.attrs.size(); ++i) {
        const auto& [k, v] = r.attrs[i];
        FUZZ_CHECK(fail::state::validAttrKey(k));
        FUZZ_CHECK(k != "ttl" && k != "note" && k != "at");
        FUZZ_CHECK(v.size() <= kMaxAttrValue);
        for (size_t j = 0; j < i; ++j) FUZZ_CHECK(r.attrs[j].first != k);
      }
      break;
    }
    case Cmd::History:
    case Cmd::Report:
      FUZZ_CHECK(r.limit <= kMaxHistoryLimit && (r.cmd == Cmd::History || r.limit == 0));
      for (const auto& t : {r.from, r.until}) {
        FUZZ_CHECK(!t || t->value >= 0);
        FUZZ_CHECK(!t || !t->ago || t->value <= kMaxAgoMs * 1000);
      }
      break;
    case Cmd::Debug:
    case Cmd::Watch:
    case Cmd::List:
    case Cmd::Hello:
    case Cmd::Auth:
    case Cmd::Ping:
    case Cmd::Quit:
    case Cmd::Stats:
      break;
  }
  // A request re-encoded from its words parses to the same command.
  std::vector<std::string> words;
  FUZZ_CHECK(splitList(in, words));
  Request again;
  Error e2;
  FUZZ_CHECK(parseRequest(encodeList(words), again, e2));
  FUZZ_CHECK(again.cmd == r.cmd && again.name == r.name && again.state == r.state &&
        again.ttlMs == r.ttlMs && again.note == r.note && again.at == r.at &&
        again.attrs == r.attrs && again.since == r.since && again.secret == r.secret &&
        again.pattern == r.pattern && again.client == r.client &&
        again.version == r.version && again.facility == r.facility &&
        again.level == r.level && again.from == r.from && again.until == r.until &&
        again.limit == r.limit);
  return 0;
}

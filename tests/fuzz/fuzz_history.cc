// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: HISTORY's and REPORT's arguments (parseRequest on "HISTORY " or
// "REPORT " and arbitrary bytes), and the reply words failc reads (history/wire.hh's
// decodeChange and decodeAvailability). Accepted arguments obey the protocol's bounds; a
// refusal is ERR ARGS or SYNTAX with a message; a decoded word written again reads the same.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.hh"
#include "history/wire.hh"
#include "proto/list.hh"
#include "proto/request.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::proto;
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  bool history = data[0] & 1;
  std::string line = (history ? "HISTORY " : "REPORT ") + std::string(rest);
  Request r;
  Error e;
  if (parseRequest(line, r, e)) {
    FUZZ_CHECK(r.cmd == (history ? Cmd::History : Cmd::Report));
    FUZZ_CHECK(r.limit <= kMaxHistoryLimit && (history || r.limit == 0));
    for (const auto& t : {r.from, r.until}) {
      if (!t) continue;
      FUZZ_CHECK(t->value >= 0);
      FUZZ_CHECK(!t->ago || t->value <= kMaxAgoMs * 1000);
      (void)t->at(1'763'784'000'000'000);  // no overflow (UBSan)
    }
  } else {
    FUZZ_CHECK(e.code == Errc::Args || e.code == Errc::Syntax);
    FUZZ_CHECK(!e.message.empty());
  }

  fail::history::Change c;
  std::string why;
  if (fail::history::decodeChange(rest, c, &why)) {
    std::string again;
    fail::history::appendChange(again, c);
    std::vector<std::string> w;
    FUZZ_CHECK(splitList(again, w) && w.size() == 1);
    fail::history::Change c2;
    FUZZ_CHECK(fail::history::decodeChange(w[0], c2, &why));
    FUZZ_CHECK(c2 == c);
  } else {
    FUZZ_CHECK(!why.empty());
  }
  fail::history::Availability a;
  std::string name;
  why.clear();
  if (fail::history::decodeAvailability(rest, name, a, &why)) {
    std::string again;
    fail::history::appendAvailability(again, name, a);
    std::vector<std::string> w;
    FUZZ_CHECK(splitList(again, w) && w.size() == 1);
    fail::history::Availability a2;
    std::string name2;
    FUZZ_CHECK(fail::history::decodeAvailability(w[0], name2, a2, &why));
    FUZZ_CHECK(name2 == name && a2.up == a.up && a2.down == a.down && a2.outages == a.outages &&
               a2.recovering == a.recovering && a2.absent == a.absent);
  } else {
    FUZZ_CHECK(!why.empty());
  }
  return 0;
}

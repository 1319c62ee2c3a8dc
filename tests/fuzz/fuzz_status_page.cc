// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: faild's status page (api/status_page.hh). The input, split at NUL
// bytes, is the page's filter (q, state) and a record (name, note, origin, an attribute's
// key and value). The filter is taken or refused with a message naming the parameter;
// the page holds exactly as many markup characters as the page of the same record with
// every text empty (whatever a record says, it adds no element and no attribute), and
// only valid UTF-8.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/status_page.hh"
#include "base/text.hh"
#include "check.hh"

namespace {

std::size_t markup(const std::string& page, char c) {
  std::size_t n = 0;
  for (char x : page) n += x == c;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  for (std::size_t at = 0; parts.size() < 6;) {
    std::size_t nul = in.find('\0', at);
    parts.push_back(in.substr(at, nul == std::string_view::npos ? std::string_view::npos : nul - at));
    if (nul == std::string_view::npos) break;
    at = nul + 1;
  }
  if (parts.size() < 2) return 0;
  api::StatusFilter filter;
  std::string err;
  if (!api::parseStatusFilter(parts[0], parts[1], filter, err))
    FUZZ_CHECK(err.rfind("q: ", 0) == 0 || err.rfind("state: ", 0) == 0);

  state::Record hostile, plain;
  hostile.state = plain.state = state::State::Fail;
  hostile.since = plain.since = 1763784000000000;
  if (parts.size() > 2) hostile.name = std::string(parts[2]);
  if (parts.size() > 3) hostile.note = std::string(parts[3]);
  if (parts.size() > 4) hostile.origin = std::string(parts[4]);
  if (parts.size() > 5) {
    std::string_view kv = parts[5];
    std::size_t eq = kv.find('=');
    if (eq != std::string_view::npos && !kv.substr(0, eq).empty()) {
      hostile.attrs.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
      plain.attrs.emplace_back("", "");
    }
  }
  (void)filter.matches(hostile);
  api::StatusPageOptions opts;
  std::string page = api::renderStatusPage({hostile}, 1, {}, opts, 1763784100000000);
  std::string blank = api::renderStatusPage({plain}, 1, {}, opts, 1763784100000000);
  for (char c : {'<', '>', '"', '\''}) FUZZ_CHECK(markup(page, c) == markup(blank, c));
  FUZZ_CHECK(validUtf8(page));
  return 0;
}

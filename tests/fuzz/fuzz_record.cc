// libFuzzer target: decodeRecord on arbitrary bytes; what it accepts re-encodes to a
// record that decodes to the same fields.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "proto/list.hh"
#include "state/record.hh"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool same(const fail::state::Record& a, const fail::state::Record& b) {
  return a.name == b.name && a.state == b.state && a.serial == b.serial &&
         a.since == b.since && a.ttlMs == b.ttlMs && a.origin == b.origin &&
         a.note == b.note && a.attrs == b.attrs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::state;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Record r;
  std::string err;
  if (!decodeRecord(in, r, &err)) {
    check(!err.empty());
    return 0;
  }
  check(!r.name.empty());
  check(r.ttlMs >= 0);
  for (size_t i = 1; i < r.attrs.size(); ++i) check(r.attrs[i - 1].first < r.attrs[i].first);
  for (const auto& kv : r.attrs) check(!kv.second.empty());

  std::string text = encodeRecord(r);
  for (unsigned char c : text) check(c >= 0x20 && c != 0x7f);
  Record back;
  check(decodeRecord(text, back, &err));
  check(same(r, back));
  check(encodeRecord(back) == text);

  // As one element of a reply: one word holding exactly the dict.
  std::string wrapped = "OK";
  appendRecord(wrapped, r);
  std::vector<std::string> words;
  check(fail::proto::splitList(wrapped, words));
  check(words.size() == 2 && words[1] == text);
  return 0;
}

// libFuzzer target: parseRequest on arbitrary bytes. On success the fields obey the
// protocol's rules; on failure the reply is a valid list "ERR CODE ...".
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.hh"
#include "proto/list.hh"
#include "proto/request.hh"
#include "state/record.hh"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::proto;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Request r;
  Error e;
  if (!parseRequest(in, r, e)) {
    std::string reply = formatError(e);
    for (unsigned char c : reply) check(c >= 0x20 && c != 0x7f);
    check(fail::validUtf8(reply));
    std::vector<std::string> w;
    check(splitList(reply, w));
    check(w.size() >= 2 && w[0] == "ERR" && w[1] == errcName(e.code));
    check(e.code != Errc::Internal);
    return 0;
  }
  check(fail::validUtf8(in));
  switch (r.cmd) {
    case Cmd::Get:
    case Cmd::Del:
      check(fail::validName(r.name));
      break;
    case Cmd::Set: {
      check(fail::validName(r.name));
      check(r.ttlMs >= 0);
      check(r.note.size() <= kMaxNote);
      check(!r.at || *r.at >= 0);
      check(r.attrs.size() <= kMaxAttrs);
      for (size_t i = 0; i < r.attrs.size(); ++i) {
        const auto& [k, v] = r.attrs[i];
        check(fail::state::validAttrKey(k));
        check(k != "ttl" && k != "note" && k != "at");
        check(v.size() <= kMaxAttrValue);
        for (size_t j = 0; j < i; ++j) check(r.attrs[j].first != k);
      }
      break;
    }
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
  check(splitList(in, words));
  Request again;
  Error e2;
  check(parseRequest(encodeList(words), again, e2));
  check(again.cmd == r.cmd && again.name == r.name && again.state == r.state &&
        again.ttlMs == r.ttlMs && again.note == r.note && again.at == r.at &&
        again.attrs == r.attrs && again.since == r.since && again.secret == r.secret &&
        again.pattern == r.pattern && again.client == r.client &&
        again.version == r.version && again.facility == r.facility &&
        again.level == r.level);
  return 0;
}

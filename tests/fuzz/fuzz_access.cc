// libFuzzer target: the access file reader on arbitrary text. A std::runtime_error is
// the expected rejection; anything else (another exception, a crash) is a bug.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "access/access.hh"
#include "base/text.hh"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fail::access;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  AccessFile file;
  try {
    file = AccessFile::parse(in, "fuzz");
  } catch (const std::runtime_error& e) {
    check(std::string_view(e.what()).substr(0, 5) == "fuzz:");
    return 0;
  }
  for (const auto& e : file.entries()) {
    check(!e.pattern.empty() && !e.secret.empty() && e.line > 0);
    check(e.level == Level::Ro || e.level == Level::Rw);
    check(e.name.empty() || fail::validName(e.name));
    auto g = file.authenticate(e.secret);
    check(g.has_value() && g->any() && g->best() >= e.level);
    if (fail::validName(e.pattern)) check(g->levelFor(e.pattern) >= e.level);
    if (e.pattern == "*" && e.level == Level::Rw) check(g->canDebug());
    if (!e.name.empty()) {
      auto n = file.byName(e.name);
      check(n.has_value() && n->best() >= e.level);
    }
    check(secretEquals(e.secret, e.secret));
    check(!secretEquals(e.secret, e.secret + "x"));
  }
  // The input itself, as a secret and as a record name, never crashes.
  auto g = file.authenticate(in);
  if (g) g->levelFor(in);
  file.byName(in);
  return 0;
}

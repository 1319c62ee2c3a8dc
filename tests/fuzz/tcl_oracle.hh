// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Tcl's own list reader as an oracle, for fuzz_list and tests/unit/proto/list_test.cc.
#pragma once

#include <tcl.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fail::fuzz {

// Tcl writes NUL as the two bytes C0 80 (its "modified UTF-8"); map them back.
inline std::string fromTcl(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) == 0xC0 && i + 1 < s.size() &&
        static_cast<unsigned char>(s[i + 1]) == 0x80) {
      out += '\0';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Tcl_SplitList's reading of `text` (through Tcl_ListObjGetElements, which takes NUL
// bytes). False with Tcl's message on error.
inline bool tclSplit(std::string_view text, std::vector<std::string>& out, std::string& err) {
  static Tcl_Interp* interp = [] {
    Tcl_FindExecutable(nullptr);
    return Tcl_CreateInterp();
  }();
  out.clear();
  Tcl_Obj* obj = Tcl_NewStringObj(text.data(), static_cast<int>(text.size()));
  Tcl_IncrRefCount(obj);
  int n = 0;
  Tcl_Obj** elems = nullptr;
  bool ok = Tcl_ListObjGetElements(interp, obj, &n, &elems) == TCL_OK;
  if (ok) {
    for (int i = 0; i < n; ++i) {
      int len = 0;
      const char* b = Tcl_GetStringFromObj(elems[i], &len);
      out.push_back(fromTcl(std::string_view(b, static_cast<size_t>(len))));
    }
  } else {
    err = Tcl_GetStringResult(interp);
  }
  Tcl_DecrRefCount(obj);
  Tcl_ResetResult(interp);
  return ok;
}

// Inputs where Tcl 8.6 (TCL_UTF_MAX 3) and our reader differ on purpose: \U above U+FFFF
// and a backslash before a 4-byte character (Tcl 8.6 gives U+FFFD, we the character, as
// Tcl 9 does), \u of a surrogate (Tcl writes the surrogate, we U+FFFD), and a backslash
// before C0/C1 or an encoded surrogate (Tcl decodes its own "modified UTF-8"; invalid
// UTF-8 to us, taken as one Latin-1 byte). Backslash pairs are followed as the reader does.
inline bool divergesOnPurpose(std::string_view s) {
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] != '\\') continue;
    unsigned char c = s[i + 1];
    if (c == 'U' || c == 'u') {
      std::uint32_t v = 0;
      size_t n = 0, max = c == 'U' ? 8 : 4;
      while (n < max && i + 2 + n < s.size() && hex(s[i + 2 + n]) >= 0 && v <= 0x10FFF)
        v = (v << 4) | static_cast<std::uint32_t>(hex(s[i + 2 + n++]));
      if (v > 0xFFFF || (v >= 0xD800 && v <= 0xDFFF)) return true;
    }
    if (c == 0xC0 || c == 0xC1 || (c >= 0xF0 && c <= 0xF7)) return true;
    if (c == 0xED && i + 2 < s.size() && static_cast<unsigned char>(s[i + 2]) >= 0xA0)
      return true;
    ++i;
  }
  return false;
}

}  // namespace fail::fuzz

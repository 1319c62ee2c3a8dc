// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// html.hh: text made safe in an HTML element or a quoted attribute value, the pages'
// style sheet and the hashes their Content-Security-Policy allows.
#include "base/html.hh"

#include <openssl/evp.h>

namespace fail {

const std::string_view kHtmlPageCss =
    ":root{color-scheme:light dark}"
    "body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;max-width:90em;padding:0 .75em}"
    "h1{font-size:1.4em;margin:.5em 0 .2em}h2{font-size:1.15em;margin:1.2em 0 .2em}"
    "p{margin:.2em 0}.muted{color:#888}"
    ".counts span{display:inline-block;padding:.1em .5em;margin:.1em .3em .1em 0;border-radius:.3em}"
    "table{border-collapse:collapse;width:100%;margin:.3em 0}"
    "th,td{text-align:left;vertical-align:top;padding:.25em .5em;border-bottom:1px solid #8885;"
    "overflow-wrap:anywhere}"
    "th{font-size:.9em;white-space:nowrap}"
    "td[data-label=State],td[data-label=Changed],td[data-label=Latency]{white-space:nowrap}"
    "td[data-label=Name],td[data-label=Check],td[data-label=Details]{min-width:8em}"
    ".st{font-weight:bold;padding:0 .3em;border-radius:.2em}"
    ".s-up{background:#2e7d32;color:#fff}.s-recover{background:#ef6c00;color:#000}"
    ".s-fail{background:#c62828;color:#fff}.s-unknown{background:#616161;color:#fff}"
    ".reach-down{color:#e53935;font-weight:bold}.restarted{color:#ef6c00;font-weight:bold}"
    "@media (max-width:40em){thead{display:none}table,tbody,tr,td{display:block}"
    "tr{border-bottom:2px solid #8887;padding:.3em 0}td{border:0;padding:.1em .2em}td:empty{display:none}"
    "td[data-label]::before{content:attr(data-label) \": \";font-weight:bold;color:#888}}";

namespace {

constexpr char kHex[] = "0123456789abcdef";

// The length of the valid UTF-8 sequence at s[i] (2-4) and its code point, or 0 when
// the bytes there are not one (RFC 3629: no overlong forms, no surrogates, ≤ U+10FFFF).
int utf8Sequence(std::string_view s, std::size_t i, char32_t& cp) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  int len;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    cp = c & 0x0f;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    cp = c & 0x07;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (int k = 1; k < len; ++k) {
    unsigned char d = b(i + k);
    if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xbf)) return 0;
    cp = (cp << 6) | (d & 0x3f);
  }
  return len;
}

// Code points that are shown as a visible escape rather than as themselves: C1
// controls, and the invisible ones that reorder or split what follows (bidirectional
// overrides and isolates, line and paragraph separators), which could make a note
// read as something else.
bool showAsEscape(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

void appendUnicodeEscape(std::string& out, char32_t cp) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xf];
}

void appendControl(std::string& out, unsigned char c) {
  switch (c) {
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default:
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
  }
}

}  // namespace

void appendHtmlEscaped(std::string& out, std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default:
          if (c < 0x20 || c == 0x7f)
            appendControl(out, c);
          else
            out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    char32_t cp = 0;
    int len = utf8Sequence(text, i, cp);
    if (len == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD for a byte that is not valid UTF-8
      ++i;
    } else {
      if (showAsEscape(cp))
        appendUnicodeEscape(out, cp);
      else
        out.append(text.data() + i, len);
      i += len;
    }
  }
}

std::string htmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 8);
  appendHtmlEscaped(out, text);
  return out;
}

std::string cspHash(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdLen = 0;
  EVP_Digest(text.data(), text.size(), md, &mdLen, EVP_sha256(), nullptr);
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(b64, md, static_cast<int>(mdLen));
  return "'sha256-" + std::string(reinterpret_cast<char*>(b64), n) + "'";
}

}  // namespace fail

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// What the suite's HTML pages share (failmon's CGI pages, faild's status page): text
// made safe for HTML, one style sheet, and the hashes a Content-Security-Policy names
// to allow exactly the inline style and script a page carries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fail {

// HTML-escapes & < > " ' so that text is safe in an element or a quoted attribute
// value, and shows what could make it read as something else as a visible escape:
// control characters (\n, \x1b), C1 controls, bidirectional overrides and isolates,
// U+2028/U+2029 and the BOM (\u202e). Bytes that are not UTF-8 become U+FFFD.
std::string htmlEscape(std::string_view text);
// The same, appended to `out` (no temporary string: a page is built in one).
void appendHtmlEscaped(std::string& out, std::string_view text);

// A page built in one reserved string: markup as it is, text escaped, numbers. A page
// with more to say derives from it (class Page : public HtmlOut<Page>) so that its own
// methods chain with these.
template <class Self>
class HtmlOut {
 public:
  explicit HtmlOut(std::size_t reserve) { out_.reserve(reserve); }
  Self& raw(std::string_view s) {
    out_ += s;
    return self();
  }
  Self& text(std::string_view s) {
    appendHtmlEscaped(out_, s);
    return self();
  }
  Self& num(std::uint64_t n) {
    out_ += std::to_string(n);
    return self();
  }
  std::string take() { return std::move(out_); }

 private:
  Self& self() { return static_cast<Self&>(*this); }
  std::string out_;
};

// The pages' style sheet: a table of records with state colours (.st .s-up, .s-recover,
// .s-fail, .s-unknown), one column per record under 40em (labels from data-label).
extern const std::string_view kHtmlPageCss;

// "'sha256-BASE64'": the source expression a Content-Security-Policy uses to allow an
// inline <style> or <script> whose content is exactly `text`.
std::string cspHash(std::string_view text);

}  // namespace fail

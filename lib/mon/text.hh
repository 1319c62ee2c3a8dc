// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Text from a target (names, notes, attribute values) made safe to show: on a terminal
// nothing a server sends may move the cursor, change colours or the title, or break the
// layout; in a page, see html.hh. Widths are in terminal columns (wcwidth of each code
// point: East Asian wide characters take two, combining marks none).
#pragma once

#include <string>
#include <string_view>

namespace fail::mon {

// `text` with every control character (C0, DEL, C1, so ESC and CSI too) shown as a
// visible escape (\n, \t, \x1b) and every byte of invalid UTF-8 as U+FFFD; the result
// holds no control character at all.
std::string terminalSafe(std::string_view text);

// Columns `utf8` takes on a terminal (valid UTF-8 without control characters, as
// terminalSafe returns it).
int displayWidth(std::string_view utf8);

// `utf8` cut to at most `columns` columns (an ellipsis "…" marks a cut) and, when `pad`,
// padded with spaces to exactly `columns`. Never splits a UTF-8 sequence.
std::string fitColumns(std::string_view utf8, int columns, bool pad = true);

// `utf8` for a terminal that is not UTF-8: every non-ASCII character as one '?' per
// column it takes (none for a combining mark), so the layout stays as measured.
std::string toAscii(std::string_view utf8);

}  // namespace fail::mon

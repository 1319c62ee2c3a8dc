// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The validated configuration as the Hcfile reader (a child hc, `--internal-read-config`)
// hands it to hc: text, one Tcl list per line in the protocol's encoding (proto/list),
// read back without running Tcl. Format, in this order:
//
//   hcconfig 1                                        the version of this format
//   file PATH
//   location NAME                                     ({} : none)
//   warning TEXT                                      zero or more
//   check NAME KIND FILE LINE {OPTION VALUE ...}      zero or more, declaration order;
//                                                     options without '-', defaults filled in
//   report ADDRESS FILE LINE SECRET SECRET-FILE TLS CA CERT KEY
//                                                     zero or more; TLS 0 or 1
//   end CHECKS REPORTS                                the counts, so a cut answer is an error
//
// The answer travels over a pipe from the child to its parent and is never logged: it
// holds the reports' secrets.
#pragma once

#include <string>
#include <string_view>

#include "hc/config.hh"

namespace fail::hc {

std::string encodeConfig(const Config& cfg);

// Reads what encodeConfig wrote into a Config whose checks hold name, kind, file, line
// and options (the resolved fields are check::validate's job) and whose reports hold
// everything but `target` (client::parseTarget's job). Returns false with `err` set on
// anything malformed, never throws for bad input.
bool decodeConfig(std::string_view text, Config& out, std::string& err);

}  // namespace fail::hc

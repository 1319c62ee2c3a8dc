// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failc: see man/failc.1. All behaviour lives in lib/client (and, for update, lib/dns).
#include <iostream>

#include "client/commands.hh"
#include "dns/update_command.hh"

int main(int argc, char** argv) {
  fail::client::ParsedArgs args;
  if (auto rc = fail::client::parseCommandLine(fail::client::kFailc, argc, argv, args, std::cout,
                                               std::cerr))
    return *rc;
  return fail::client::runFailc(args, std::cout, std::cerr, fail::dns::runFailcUpdate);
}

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failstat: see man/failstat.1. All behaviour lives in lib/client.
#include <iostream>

#include "client/status.hh"

int main(int argc, char** argv) {
  fail::client::ParsedArgs args;
  if (auto rc = fail::client::parseCommandLine(fail::client::kFailstat, argc, argv, args, std::cout,
                                               std::cerr))
    return *rc;
  return fail::client::runFailstat(args, std::cout, std::cerr);
}

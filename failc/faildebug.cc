// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// faildebug: see man/faildebug.1. All behaviour lives in lib/client.
#include <iostream>

#include "client/debug.hh"

int main(int argc, char** argv) {
  fail::client::ParsedArgs args;
  if (auto rc = fail::client::parseCommandLine(fail::client::kFaildebug, argc, argv, args,
                                               std::cout, std::cerr))
    return *rc;
  return fail::client::runFaildebug(args, std::cout, std::cerr);
}

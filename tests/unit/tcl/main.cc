// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The notifier's own tests run in a program of their own: Tcl's notifier must be
// replaced before the process creates its first interpreter (tcl/notifier.hh).
#include <gtest/gtest.h>
#include <tcl.h>

#include "tcl/notifier.hh"

int main(int argc, char** argv) {
  fail::tcl::install();
  Tcl_FindExecutable(argv[0]);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

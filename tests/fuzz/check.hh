// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// FUZZ_CHECK: an invariant of a fuzz target. On failure it names the condition and line
// (run-fuzzers.sh quotes it) and aborts, which libFuzzer reports as a crash and saves.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "fuzz check failed: %s at %s:%d\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (0)

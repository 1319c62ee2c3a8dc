// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failmon: see man/failmon.1. All behaviour lives in lib/mon.
#include <iostream>

int main() {
  std::cerr << "failmon: not built yet\n";
  return 1;
}

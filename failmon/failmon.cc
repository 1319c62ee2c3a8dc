// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failmon (and failmon.cgi, hcmon.cgi: links to it): see man/failmon.1. All behaviour
// lives in lib/mon (run.hh).
#include "mon/run.hh"

int main(int argc, char** argv) { return fail::mon::failmonMain(argc, argv); }

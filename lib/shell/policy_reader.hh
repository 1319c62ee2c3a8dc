// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Reading the policy in a child process first (failsh(8), "Reading the policy"): before
// the live interpreter reads a policy (at start, for -t, on SIGHUP), failsh runs itself
// (/proc/self/exe -t, FAILSH_POLICY_READER=1 in its environment) on the same file and
// options under resource limits. A crash, an abort, a hang or an error there is
// reported and the live interpreter never reads the file; on SIGHUP the running policy
// stays as it was.
#pragma once

#include <cstdint>
#include <string>

#include "base/spawn.hh"
#include "shell/shell.hh"

namespace fail::shell {

// The child's limits: address space, stack, and CPU and wall time a little beyond the
// policy's own time limit (its start-up included).
inline constexpr std::uint64_t kReaderAddressSpace = 1ull << 30;
inline constexpr std::uint64_t kReaderStack = 8ull << 20;
inline constexpr std::chrono::milliseconds kReaderSlack{2000};

// True in the child (it reads in-process, as failsh did before).
bool isPolicyReader();

// How to run the child for `opts` (its file, --safe, --limit and the names and addresses
// of --allow-host; never a secret).
spawn::Options policyReader(const ShellOptions& opts);

// "" when the child read the policy; else what went wrong, starting with the file name.
std::string readerError(const spawn::Result& r, const ShellOptions& opts);

}  // namespace fail::shell

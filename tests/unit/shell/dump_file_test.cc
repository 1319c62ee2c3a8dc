// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// shell/shell.hh defaultDumpFile(): under $RUNTIME_DIRECTORY, else /run/failsh.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "shell/shell.hh"

namespace fail::shell {
namespace {

TEST(DefaultDumpFile, RuntimeDirectoryElseRunFailsh) {
  const char* was = getenv("RUNTIME_DIRECTORY");
  std::string saved = was ? was : "";
  unsetenv("RUNTIME_DIRECTORY");
  EXPECT_EQ(defaultDumpFile(), "/run/failsh/failsh.dump");
  setenv("RUNTIME_DIRECTORY", "/run/failsh-test", 1);
  EXPECT_EQ(defaultDumpFile(), "/run/failsh-test/failsh.dump");
  setenv("RUNTIME_DIRECTORY", "/run/a:/run/b", 1);  // several RuntimeDirectory= entries: the first
  EXPECT_EQ(defaultDumpFile(), "/run/a/failsh.dump");
  if (was) setenv("RUNTIME_DIRECTORY", saved.c_str(), 1);
  else unsetenv("RUNTIME_DIRECTORY");
}

}  // namespace
}  // namespace fail::shell

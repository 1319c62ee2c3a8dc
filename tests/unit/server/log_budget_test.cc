// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "server/log_budget.hh"

#include <gtest/gtest.h>

namespace fail::server {
namespace {

TEST(LogBudget, OneLineAndOneSummaryPerInterval) {
  LogBudget b(10);
  EXPECT_TRUE(b.note(0));
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(b.note(1 + i % 9));
  EXPECT_EQ(b.due(5), 0u);  // the interval is not over
  EXPECT_EQ(b.due(10), 1000u);
  EXPECT_EQ(b.due(11), 0u);
  EXPECT_FALSE(b.note(12));  // inside the summary's interval: counted
  EXPECT_EQ(b.due(20), 1u);
  EXPECT_TRUE(b.note(31));  // quiet since: logged in full again
}

}  // namespace
}  // namespace fail::server

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "history/availability.hh"

#include <gtest/gtest.h>

namespace fail::history {
namespace {

constexpr Micros kS = 1'000'000;

TEST(Availability, TimeIsCountedByStateAndUnknownApart) {
  AvailabilityCounter c(100 * kS, 200 * kS);
  c.add(50 * kS, "UP");       // before the window: the state it starts in
  c.add(120 * kS, "FAIL");    // 20 s up
  c.add(130 * kS, "UNKNOWN"); // 10 s down
  c.add(140 * kS, "FAIL");    // 10 s unknown
  c.add(150 * kS, "UP");      // 10 s down; then 50 s up
  Availability a = c.finish();
  EXPECT_EQ(a.up, 70 * kS);
  EXPECT_EQ(a.down, 20 * kS);
  EXPECT_EQ(a.unknown, 10 * kS);
  EXPECT_EQ(a.absent, 0);
  EXPECT_DOUBLE_EQ(a.upPercent(), 70.0 * 100 / 90);
  // UNKNOWN inside an outage does not end it: one outage, 120 s to 150 s.
  EXPECT_EQ(a.outages, 1u);
  EXPECT_EQ(a.longest, 30 * kS);
  EXPECT_EQ(a.recoveries, 1u);
  EXPECT_EQ(a.mttr(), 30 * kS);
}

TEST(Availability, AnOutageFromBeforeTheWindowCountsItsWholeLengthToRecover) {
  AvailabilityCounter c(100 * kS, 200 * kS);
  c.add(40 * kS, "FAIL");
  c.add(110 * kS, "RECOVER");  // RECOVER ends it and counts as up
  Availability a = c.finish();
  EXPECT_EQ(a.down, 10 * kS);
  EXPECT_EQ(a.recover, 90 * kS);
  EXPECT_EQ(a.outages, 1u);
  EXPECT_EQ(a.longest, 10 * kS);  // clipped to the window
  EXPECT_EQ(a.mttr(), 70 * kS);   // 40 s to 110 s
  EXPECT_DOUBLE_EQ(a.upPercent(), 90.0);
}

TEST(Availability, AnOutageStillOpenIsCountedButNotRecovered) {
  AvailabilityCounter c(0, 100 * kS);
  c.add(10 * kS, "UP");
  c.add(60 * kS, "FAIL");
  c.add(70 * kS, "FAIL");  // a new note, the same outage
  Availability a = c.finish();
  EXPECT_EQ(a.absent, 10 * kS);
  EXPECT_EQ(a.outages, 1u);
  EXPECT_EQ(a.longest, 40 * kS);
  EXPECT_EQ(a.recoveries, 0u);
  EXPECT_EQ(a.mttr(), 0);
}

TEST(Availability, ADeletionEndsTheRecordAndItsOutage) {
  AvailabilityCounter c(0, 100 * kS);
  c.add(0, "FAIL");
  c.add(30 * kS, "DELETED");
  Availability a = c.finish();
  EXPECT_EQ(a.down, 30 * kS);
  EXPECT_EQ(a.absent, 70 * kS);
  EXPECT_EQ(a.outages, 1u);
  EXPECT_EQ(a.recoveries, 0u);
}

TEST(Availability, NothingKnownGivesNoPercentage) {
  AvailabilityCounter c(0, 100 * kS);
  c.add(200 * kS, "UP");  // after the window: ignored
  Availability a = c.finish();
  EXPECT_EQ(a.absent, 100 * kS);
  EXPECT_LT(a.upPercent(), 0);
  EXPECT_EQ(a.outages, 0u);
}

TEST(Availability, OutagesThatEndedBeforeTheWindowAreNotCounted) {
  AvailabilityCounter c(100 * kS, 200 * kS);
  c.add(10 * kS, "FAIL");
  c.add(20 * kS, "UP");
  Availability a = c.finish();
  EXPECT_EQ(a.outages, 0u);
  EXPECT_EQ(a.up, 100 * kS);
  EXPECT_DOUBLE_EQ(a.upPercent(), 100.0);
}

}  // namespace
}  // namespace fail::history

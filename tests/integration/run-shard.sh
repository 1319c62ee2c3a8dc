#!/bin/sh
# Copyright (c) 2026 The failover authors.
# SPDX-License-Identifier: BSD-2-Clause
# The log compiler of tests/integration/shard-K-of-N.gtest (tests/integration/Makefile.inc):
# runs the K-th of N GoogleTest shards of integration_tests, so that under `make -jJ check`
# the shards' waits for daemons overlap. Each shard is a test of its own with its own
# log (shard-K-of-N.log) and GoogleTest's summary, which .ci/run counts.
set -u
name=$(basename "$1" .gtest)
k=$(echo "$name" | sed -n 's/^shard-\([0-9]*\)-of-[0-9]*$/\1/p')
n=$(echo "$name" | sed -n 's/^shard-[0-9]*-of-\([0-9]*\)$/\1/p')
if [ -z "$k" ] || [ -z "$n" ] || [ "$k" -lt 1 ] || [ "$k" -gt "$n" ]; then
  echo "run-shard: $1 is not named shard-K-of-N.gtest"
  exit 99
fi
GTEST_TOTAL_SHARDS=$n GTEST_SHARD_INDEX=$((k - 1))
export GTEST_TOTAL_SHARDS GTEST_SHARD_INDEX
exec "${top_builddir:-.}/tests/integration/integration_tests"

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Redaction: a registered secret never appears in a log line or in redacted() text.
#include "base/log.hh"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace fail::log {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(LogRedact, SecretsAreReplacedInLinesAndText) {
  char path[] = "/tmp/failover-log-test.XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  openSink(Sink::File, "test", path);
  redact("Hunter2-secret");
  redact("abc");  // too short to register: would mangle every line
  Facility& f = facility("redact-test");
  write(f, Level::Err, "while executing \"failhost beta secret Hunter2-secret colour blue\" abc");
  write(f, Level::Err, "twice: Hunter2-secretHunter2-secret.");
  openSink(Sink::Stderr, "test");
  std::string text = slurp(path);
  ::unlink(path);
  EXPECT_EQ(text.find("Hunter2"), std::string::npos) << text;
  EXPECT_NE(text.find("failhost beta secret *** colour blue\" abc"), std::string::npos) << text;
  EXPECT_NE(text.find("twice: ******."), std::string::npos) << text;
  EXPECT_EQ(redacted("x Hunter2-secret y"), "x *** y");
  EXPECT_EQ(redacted("nothing here"), "nothing here");
}

}  // namespace
}  // namespace fail::log

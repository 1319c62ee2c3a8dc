// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/forward_match.hh"

#include <gtest/gtest.h>

#include <string>

namespace fail::dns {
namespace {

using Bytes = std::basic_string<std::uint8_t>;

Bytes message(const std::string& qname, std::uint16_t type = 1, std::uint8_t qdcount = 1) {
  Bytes m = {0x12, 0x34, 0x01, 0x00, 0x00, qdcount, 0, 0, 0, 0, 0, 0};

  for (char c : qname) m.push_back(static_cast<std::uint8_t>(c));
  m.push_back(0);
  m.push_back(static_cast<std::uint8_t>(type >> 8));
  m.push_back(static_cast<std::uint8_t>(type));
  m.push_back(0);
  m.push_back(1);
  return m;
}

const std::string kWww("\x03www\x07" "example\x03" "com", 16);

TEST(ForwardMatch, QuestionEnd) {
  Bytes m = message(kWww);
  EXPECT_EQ(questionEnd(m.data(), m.size()), m.size());
  Bytes withAnswer = m + Bytes{0xc0, 0x0c, 0, 1, 0, 1};
  EXPECT_EQ(questionEnd(withAnswer.data(), withAnswer.size()), m.size());
  EXPECT_EQ(messageId(m.data()), 0x1234);
}

TEST(ForwardMatch, RejectsMalformedQuestions) {
  Bytes m = message(kWww);
  EXPECT_EQ(questionEnd(m.data(), 11), 0u);            // shorter than a header
  EXPECT_EQ(questionEnd(m.data(), m.size() - 1), 0u);  // QCLASS cut
  EXPECT_EQ(questionEnd(m.data(), 20), 0u);            // the name cut
  Bytes two = message(kWww, 1, 2);
  EXPECT_EQ(questionEnd(two.data(), two.size()), 0u);  // QDCOUNT 2
  Bytes pointer = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1};
  EXPECT_EQ(questionEnd(pointer.data(), pointer.size()), 0u);  // a compression pointer
  std::string longName;
  for (int i = 0; i < 5; ++i) longName += std::string(1, '\x3f') + std::string(63, 'a');
  Bytes tooLong = message(longName);
  EXPECT_EQ(questionEnd(tooLong.data(), tooLong.size()), 0u);  // over 255 bytes
}

TEST(ForwardMatch, SameQuestionIgnoresCaseNotType) {
  Bytes a = message(kWww), upper = message(std::string("\x03WWW\x07" "ExAmPlE\x03" "COM", 16));
  EXPECT_TRUE(sameQuestion(a.data(), a.size(), upper.data(), upper.size()));
  Bytes aaaa = message(kWww, 28);
  EXPECT_FALSE(sameQuestion(a.data(), a.size(), aaaa.data(), aaaa.size()));
  Bytes other = message(std::string("\x03www\x07" "example\x03" "net", 16));
  EXPECT_FALSE(sameQuestion(a.data(), a.size(), other.data(), other.size()));
  EXPECT_FALSE(sameQuestion(a.data(), 5, a.data(), a.size()));
}

TEST(ForwardMatch, SetMessageId) {
  Bytes m = message(kWww);
  setMessageId(m.data(), 0xbeef);
  EXPECT_EQ(messageId(m.data()), 0xbeef);
}

}  // namespace
}  // namespace fail::dns

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/wire.hh"

#include <gtest/gtest.h>

#include <vector>

namespace fail::dns::wire {
namespace {

std::vector<std::uint8_t> message(std::initializer_list<int> after) {
  std::vector<std::uint8_t> m(kHeaderSize, 0);
  for (int b : after) m.push_back(static_cast<std::uint8_t>(b));
  return m;
}

TEST(DnsWire, ReadsANameLowercasedAndTellsWhereItEnds) {
  auto m = message({3, 'W', 'w', 'W', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0xaa});
  std::size_t end = 0, len = 0;
  std::uint8_t lower[kMaxName];
  ASSERT_EQ(readName(m.data(), m.size(), 12, &end, lower, &len), NameError::None);
  EXPECT_EQ(end, m.size() - 1);
  EXPECT_EQ(len, 13u);
  EXPECT_EQ(toText(lower, len), "www.example");
}

TEST(DnsWire, FollowsPointersBackwardsOnly) {
  // 12: "example" root; 21: "www" + pointer to 12.
  auto m = message({7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 3, 'w', 'w', 'w', 0xc0, 12});
  std::size_t end = 0, len = 0;
  std::uint8_t lower[kMaxName];
  ASSERT_EQ(readName(m.data(), m.size(), 21, &end, lower, &len), NameError::None);
  EXPECT_EQ(end, m.size());
  EXPECT_EQ(toText(lower, len), "www.example");
  // A pointer to itself, forwards, into the header, or a loop of two: refused.
  auto self = message({0xc0, 12});
  EXPECT_EQ(readName(self.data(), self.size(), 12, &end), NameError::BadPointer);
  auto fwd = message({0xc0, 14, 0});
  EXPECT_EQ(readName(fwd.data(), fwd.size(), 12, &end), NameError::BadPointer);
  auto header = message({0xc0, 2});
  EXPECT_EQ(readName(header.data(), header.size(), 12, &end), NameError::BadPointer);
  auto loop = message({1, 'a', 0xc0, 12});  // "a" then back to its own start
  EXPECT_EQ(readName(loop.data(), loop.size(), 12, &end), NameError::BadPointer);
  auto two = message({0xc0, 14, 0xc0, 12});  // 14 -> 12 -> 14 ...
  EXPECT_EQ(readName(two.data(), two.size(), 14, &end), NameError::BadPointer);
}

TEST(DnsWire, RejectsTruncatedLongAndStrangeNames) {
  std::size_t end = 0;
  auto cut = message({3, 'w', 'w'});
  EXPECT_EQ(readName(cut.data(), cut.size(), 12, &end), NameError::Truncated);
  auto noRoot = message({1, 'a'});
  EXPECT_EQ(readName(noRoot.data(), noRoot.size(), 12, &end), NameError::Truncated);
  auto halfPointer = message({0xc0});
  EXPECT_EQ(readName(halfPointer.data(), halfPointer.size(), 12, &end), NameError::Truncated);
  auto label64 = message({64});
  label64.resize(label64.size() + 65, 'a');
  EXPECT_EQ(readName(label64.data(), label64.size(), 12, &end), NameError::BadLabelType);
  auto ext = message({0x41, 0});
  EXPECT_EQ(readName(ext.data(), ext.size(), 12, &end), NameError::BadLabelType);
  // 4 labels of 63 = 256 bytes with the root: one too many.
  std::vector<std::uint8_t> big(kHeaderSize, 0);
  for (int i = 0; i < 4; ++i) {
    big.push_back(63);
    big.resize(big.size() + 63, 'x');
  }
  big.push_back(0);
  EXPECT_EQ(readName(big.data(), big.size(), 12, &end), NameError::NameTooLong);
  // 3 labels of 63 and one of 61: 255 exactly.
  std::vector<std::uint8_t> max(kHeaderSize, 0);
  for (int i = 0; i < 4; ++i) {
    const int l = i < 3 ? 63 : 61;
    max.push_back(static_cast<std::uint8_t>(l));
    max.resize(max.size() + l, 'x');
  }
  max.push_back(0);
  EXPECT_EQ(readName(max.data(), max.size(), 12, &end), NameError::None);
  // The long name reached through a pointer counts as well.
  EXPECT_STREQ(nameErrorText(NameError::NameTooLong), "name longer than 255 bytes");
}

TEST(DnsWire, HeaderFieldsRoundTrip) {
  std::uint8_t buf[kHeaderSize];
  writeHeader(buf, Header{0x1234, kQr | kAa | 3, 1, 2, 3, 4});
  Header h;
  ASSERT_TRUE(readHeader(buf, sizeof buf, h));
  EXPECT_EQ(h.id, 0x1234);
  EXPECT_EQ(rcodeOf(h.flags), 3u);
  EXPECT_EQ(opcodeOf(h.flags), 0u);
  EXPECT_EQ(h.arcount, 4);
  EXPECT_FALSE(readHeader(buf, 11, h));
}

TEST(DnsWire, WritesNamesCompressedAgainstTheQuestionWhereItPays) {
  const std::string q = toWire("www.example.com");
  std::string out;
  appendName(out, toWire("ns1.example.com"), q);
  // "ns1" then a pointer to "example.com" in the question: 12 + 4.
  EXPECT_EQ(out, std::string("\3ns1\xc0\x10", 6));
  out.clear();
  appendName(out, toWire("WWW.example.com"), q);  // case does not matter
  EXPECT_EQ(out, std::string("\xc0\x0c", 2));
  out.clear();
  appendName(out, toWire("mail.example.net"), q);  // only the root in common: written whole
  EXPECT_EQ(out, toWire("mail.example.net"));
  out.clear();
  appendName(out, toWire("a.b"));
  EXPECT_EQ(out, std::string("\1a\1b\0", 5));
}

TEST(DnsWire, LowercaseKeyAndHash) {
  std::string a = toWire("www.example.com");
  std::string b = "\3WwW\7EXAMPLE\3cOm";
  b.push_back('\0');
  lowercase(reinterpret_cast<std::uint8_t*>(b.data()), b.size());
  EXPECT_EQ(a, b);
  EXPECT_EQ(hashName(reinterpret_cast<const std::uint8_t*>(a.data()), a.size()),
            hashName(reinterpret_cast<const std::uint8_t*>(b.data()), b.size()));
  EXPECT_EQ(toWire(""), std::string(1, '\0'));
  EXPECT_EQ(toText(reinterpret_cast<const std::uint8_t*>("\1a\1\x01\0"), 5), "a.\\001");
}

// readQname agrees with readName + hashName on every name and every cut of it, whatever
// the letters (every byte value in a label), and on what it rejects.
TEST(DnsWire, ReadQnameAgreesWithReadNameAndHashName) {
  std::vector<std::vector<int>> names = {
      {0},
      {3, 'W', 'w', 'W', 7, 'E', 'x', 'A', 'm', 'p', 'L', 'e', 3, 'c', 'O', 'M', 0},
      {1, '@', 1, '[', 1, '`', 1, '{', 2, 0xc1, 0xda, 0},
      {0xc0, 12},
      {0x40, 1, 0},
      {63},
  };
  std::vector<int> all;  // labels holding every byte value, 253 bytes on the wire
  for (int l = 0, b = 0; l < 4; ++l) {
    all.push_back(62);
    for (int k = 0; k < 62; ++k) all.push_back(b++ % 256);
  }
  all.push_back(0);
  names.push_back(all);
  std::vector<int> tooLong(all.begin(), all.end() - 1);
  tooLong.insert(tooLong.end(), {3, 'a', 'b', 'c', 0});
  names.push_back(tooLong);
  for (const auto& name : names) {
    for (std::size_t cut = 0; cut <= name.size(); ++cut) {
      auto m = message({});
      for (std::size_t k = 0; k < cut; ++k) m.push_back(static_cast<std::uint8_t>(name[k]));
      std::size_t end1 = 0, len1 = 0, end2 = 0, len2 = 0;
      std::uint8_t lower1[kMaxName], lower2[kQnameBuffer];
      std::uint64_t hash = 0;
      const NameError e1 = readName(m.data(), m.size(), kHeaderSize, &end1, lower1, &len1);
      const NameError e2 = readQname(m.data(), m.size(), &end2, lower2, &len2, &hash);
      ASSERT_EQ(e1, e2) << "name " << &name - names.data() << " cut " << cut;
      if (e1 != NameError::None) continue;
      EXPECT_EQ(end1, end2);
      ASSERT_EQ(len1, len2);
      EXPECT_EQ(std::vector<std::uint8_t>(lower1, lower1 + len1), std::vector<std::uint8_t>(lower2, lower2 + len2));
      EXPECT_EQ(hash, hashName(lower1, len1));
    }
  }
}

TEST(DnsWire, WellFormedWalksEveryRecordAndWantsTsigLast) {
  // Header (1 question, 1 answer, 0, 1 additional), "a." A IN, an A record by pointer.
  std::vector<std::uint8_t> m = {0, 1, 0x80, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 'a', 0, 0, 1, 0, 1,
                                 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 203, 0, 113, 1};
  std::vector<std::uint8_t> tsig = {0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 0};  // root, TSIG ANY, no data
  auto msg = m;
  msg.insert(msg.end(), tsig.begin(), tsig.end());
  std::string why;
  EXPECT_TRUE(wellFormed(msg.data(), msg.size(), &why)) << why;
  msg.push_back(7);  // bytes after the last record are allowed
  EXPECT_TRUE(wellFormed(msg.data(), msg.size(), &why)) << why;
  // The TSIG, then another record: refused.
  auto notLast = m;
  notLast[11] = 2;
  notLast.insert(notLast.end(), tsig.begin(), tsig.end());
  notLast.insert(notLast.end(), {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0});
  EXPECT_FALSE(wellFormed(notLast.data(), notLast.size(), &why));
  EXPECT_EQ(why, "a TSIG record that is not the last record at offset 35");
  // Cut anywhere inside: refused, naming what.
  for (std::size_t n = 0; n < m.size(); ++n) EXPECT_FALSE(wellFormed(m.data(), n, &why)) << n;
  auto longer = m;
  longer[30] = 5;  // rdlength past the end
  EXPECT_FALSE(wellFormed(longer.data(), longer.size(), &why));
  EXPECT_EQ(why, "a record's data runs past the end of the message at offset 21");
}

}  // namespace
}  // namespace fail::dns::wire

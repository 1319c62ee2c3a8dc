// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/tsig_sign.hh"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace fail::dns {

namespace {

constexpr std::uint16_t kTypeTsig = 250, kClassAny = 255;

const EVP_MD* digestOf(const std::string& algorithm) {
  if (algorithm == "hmac-sha256.") return EVP_sha256();
  if (algorithm == "hmac-sha512.") return EVP_sha512();
  if (algorithm == "hmac-sha384.") return EVP_sha384();
  if (algorithm == "hmac-sha224.") return EVP_sha224();
  if (algorithm == "hmac-sha1.") return EVP_sha1();
  if (algorithm == "hmac-md5.sig-alg.reg.int.") return EVP_md5();
  return nullptr;
}

// A canonical name ("a.b", "" for the root; a trailing dot allowed) in uncompressed wire form.
std::vector<std::uint8_t> nameWire(const std::string& name) {
  std::vector<std::uint8_t> out;
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    out.push_back(static_cast<std::uint8_t>(dot - start));
    for (std::size_t i = start; i < dot; ++i) {
      char c = name[i];
      out.push_back(static_cast<std::uint8_t>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    }
    start = dot + 1;
  }
  out.push_back(0);
  return out;
}

void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x));
}
void put48(std::vector<std::uint8_t>& v, std::uint64_t x) {
  for (int s = 40; s >= 0; s -= 8) v.push_back(static_cast<std::uint8_t>(x >> s));
}
std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

// The TSIG variables of RFC 8945 §4.3.3.
void putVariables(std::vector<std::uint8_t>& v, const std::string& keyName, const std::string& algorithm,
                  std::uint64_t timeSigned, std::uint16_t fudge, std::uint16_t error,
                  const std::vector<std::uint8_t>& other) {
  auto k = nameWire(keyName);
  v.insert(v.end(), k.begin(), k.end());
  put16(v, kClassAny);
  v.insert(v.end(), {0, 0, 0, 0});  // TTL
  auto a = nameWire(algorithm);
  v.insert(v.end(), a.begin(), a.end());
  put48(v, timeSigned);
  put16(v, fudge);
  put16(v, error);
  put16(v, static_cast<std::uint16_t>(other.size()));
  v.insert(v.end(), other.begin(), other.end());
}

bool hmac(const TsigKey& key, const std::vector<std::uint8_t>& data, std::vector<std::uint8_t>& mac) {
  const EVP_MD* md = digestOf(key.algorithm);
  std::vector<std::uint8_t> secret;
  if (!md || !decodeTsigSecret(key.secret, secret)) return false;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (!HMAC(md, secret.data(), static_cast<int>(secret.size()), data.data(), data.size(), out, &len)) return false;
  OPENSSL_cleanse(secret.data(), secret.size());
  mac.assign(out, out + len);
  return true;
}

// Reads the name at *pos (following compression pointers) into canonical text with a
// trailing dot; advances *pos past it in the message. False when malformed.
bool readName(const std::uint8_t* w, std::size_t len, std::size_t* pos, std::string* out) {
  std::size_t p = *pos, jumps = 0, total = 0;
  bool jumped = false;
  if (out) out->clear();
  for (;;) {
    if (p >= len) return false;
    std::uint8_t b = w[p];
    if ((b & 0xC0) == 0xC0) {
      if (p + 1 >= len || ++jumps > 64) return false;
      if (!jumped) *pos = p + 2;
      jumped = true;
      p = static_cast<std::size_t>((b & 0x3F) << 8 | w[p + 1]);
      continue;
    }
    if (b & 0xC0) return false;
    if (b == 0) {
      if (!jumped) *pos = p + 1;
      if (out && out->empty()) *out = ".";
      return true;
    }
    if (p + 1 + b > len || (total += b + 1) > 255) return false;
    if (out) {
      for (std::size_t i = 0; i < b; ++i) {
        char c = static_cast<char>(w[p + 1 + i]);
        out->push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
      }
      out->push_back('.');
    }
    p += 1 + b;
  }
}

// Finds the start of the last RR of the message (the TSIG RR's place); false when the
// message cannot be walked or has no additional RR.
bool lastRecord(const std::uint8_t* w, std::size_t len, std::size_t* start) {
  if (len < 12) return false;
  std::size_t pos = 12;
  unsigned qd = get16(w + 4), rr = get16(w + 6) + get16(w + 8) + get16(w + 10);
  if (get16(w + 10) == 0) return false;
  for (unsigned i = 0; i < qd; ++i) {
    if (!readName(w, len, &pos, nullptr) || pos + 4 > len) return false;
    pos += 4;
  }
  for (unsigned i = 0; i < rr; ++i) {
    *start = pos;
    if (!readName(w, len, &pos, nullptr) || pos + 10 > len) return false;
    pos += 10 + get16(w + pos + 8);
    if (pos > len) return false;
  }
  return pos == len;
}

}  // namespace

std::string tsigErrorName(std::uint16_t error) {
  switch (error) {
    case 0: return "";
    case kTsigBadSig: return "BADSIG";
    case kTsigBadKey: return "BADKEY";
    case kTsigBadTime: return "BADTIME";
    case kTsigBadTrunc: return "BADTRUNC";
    default: return "TSIGERROR" + std::to_string(error);
  }
}

std::vector<std::uint8_t> tsigSign(std::vector<std::uint8_t>& wire, const TsigKey& key, std::uint64_t timeSigned,
                                   const std::vector<std::uint8_t>& requestMac, std::string* err) {
  std::vector<std::uint8_t> mac;
  if (wire.size() < 12) {
    if (err) *err = "TSIG: message too short";
    return mac;
  }
  std::vector<std::uint8_t> data;
  if (!requestMac.empty()) {
    put16(data, static_cast<std::uint16_t>(requestMac.size()));
    data.insert(data.end(), requestMac.begin(), requestMac.end());
  }
  data.insert(data.end(), wire.begin(), wire.end());
  putVariables(data, key.name, key.algorithm, timeSigned, kTsigFudge, 0, {});
  if (!hmac(key, data, mac)) {
    if (err) *err = "TSIG: cannot compute the " + key.algorithmName() + " MAC of key " + key.name;
    mac.clear();
    return mac;
  }
  std::vector<std::uint8_t> rr = nameWire(key.name), rdata = nameWire(key.algorithm);
  put48(rdata, timeSigned);
  put16(rdata, kTsigFudge);
  put16(rdata, static_cast<std::uint16_t>(mac.size()));
  rdata.insert(rdata.end(), mac.begin(), mac.end());
  rdata.push_back(wire[0]);  // original ID
  rdata.push_back(wire[1]);
  put16(rdata, 0);  // error
  put16(rdata, 0);  // other len
  put16(rr, kTypeTsig);
  put16(rr, kClassAny);
  rr.insert(rr.end(), {0, 0, 0, 0});
  put16(rr, static_cast<std::uint16_t>(rdata.size()));
  rr.insert(rr.end(), rdata.begin(), rdata.end());
  wire.insert(wire.end(), rr.begin(), rr.end());
  std::uint16_t ar = static_cast<std::uint16_t>(get16(wire.data() + 10) + 1);
  wire[10] = static_cast<std::uint8_t>(ar >> 8);
  wire[11] = static_cast<std::uint8_t>(ar);
  return mac;
}

TsigVerdict tsigVerify(const std::uint8_t* w, std::size_t len, const TsigKey& key,
                       const std::vector<std::uint8_t>& requestMac, std::uint64_t now, TsigSeen* seen) {
  TsigSeen s;
  std::size_t start = 0;
  if (len >= 12 && get16(w + 10) == 0) {
    if (seen) *seen = s;
    return TsigVerdict::Unsigned;
  }
  if (!lastRecord(w, len, &start)) return TsigVerdict::Malformed;
  std::size_t pos = start;
  if (!readName(w, len, &pos, &s.keyName) || pos + 10 > len) return TsigVerdict::Malformed;
  if (get16(w + pos) != kTypeTsig) {
    if (seen) *seen = s;
    return TsigVerdict::Unsigned;
  }
  s.present = true;
  if (get16(w + pos + 2) != kClassAny || get16(w + pos + 4) != 0 || get16(w + pos + 6) != 0)
    return TsigVerdict::Malformed;  // class ANY, TTL 0
  std::size_t rdEnd = pos + 10 + get16(w + pos + 8);
  pos += 10;
  if (!readName(w, rdEnd, &pos, &s.algorithm) || pos + 10 > rdEnd) return TsigVerdict::Malformed;
  for (int i = 0; i < 6; ++i) s.timeSigned = s.timeSigned << 8 | w[pos + i];
  s.fudge = get16(w + pos + 6);
  s.macLength = get16(w + pos + 8);
  pos += 10;
  if (pos + s.macLength + 6 > rdEnd) return TsigVerdict::Malformed;
  std::vector<std::uint8_t> mac(w + pos, w + pos + s.macLength);
  pos += s.macLength;
  std::uint16_t originalId = get16(w + pos);
  s.error = get16(w + pos + 2);
  std::size_t otherLen = get16(w + pos + 4);
  pos += 6;
  if (pos + otherLen != rdEnd) return TsigVerdict::Malformed;
  std::vector<std::uint8_t> other(w + pos, w + pos + otherLen);
  if (!s.keyName.empty() && s.keyName.back() == '.') s.keyName.pop_back();
  if (seen) *seen = s;

  bool ours = s.keyName == key.name && s.algorithm == key.algorithm;
  if (s.error != 0 && (s.macLength == 0 || !ours)) return TsigVerdict::ErrorSet;  // BADKEY, BADSIG
  if (!ours) return TsigVerdict::Forged;
  std::vector<std::uint8_t> data;
  if (!requestMac.empty()) {
    put16(data, static_cast<std::uint16_t>(requestMac.size()));
    data.insert(data.end(), requestMac.begin(), requestMac.end());
  }
  std::size_t msgAt = data.size();
  data.insert(data.end(), w, w + start);
  data[msgAt] = static_cast<std::uint8_t>(originalId >> 8);
  data[msgAt + 1] = static_cast<std::uint8_t>(originalId);
  std::uint16_t ar = static_cast<std::uint16_t>(get16(w + 10) - 1);
  data[msgAt + 10] = static_cast<std::uint8_t>(ar >> 8);
  data[msgAt + 11] = static_cast<std::uint8_t>(ar);
  putVariables(data, s.keyName, s.algorithm, s.timeSigned, s.fudge, s.error, other);
  std::vector<std::uint8_t> want;
  if (!hmac(key, data, want) || want.size() != mac.size() || CRYPTO_memcmp(want.data(), mac.data(), mac.size()) != 0)
    return TsigVerdict::Forged;
  if (s.error != 0) return TsigVerdict::ErrorSet;  // BADTIME, signed
  std::uint64_t diff = now > s.timeSigned ? now - s.timeSigned : s.timeSigned - now;
  if (diff > s.fudge) return TsigVerdict::BadTime;
  return TsigVerdict::Verified;
}

}  // namespace fail::dns

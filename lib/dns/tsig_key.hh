// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// TSIG keys (RFC 8945) for RFC 2136 updates, read from the files people already have:
// what `tsig-keygen` writes (BIND's `key "NAME" { algorithm A; secret "S"; };`), Knot's
// `key:` section (`- id: NAME`, `algorithm: A`, `secret: S`), or one `ALGORITHM:NAME:SECRET`
// line (the dig/knsupdate `-y` form; `NAME:SECRET` means hmac-sha256), which is also the
// inline `-key` form for tests.
//
// Algorithms: hmac-sha256 (the default), hmac-sha512, hmac-sha384, hmac-sha224, hmac-sha1
// and hmac-md5, any case, with or without a trailing dot (hmac-md5 also as
// hmac-md5.sig-alg.reg.int). Anything else is an error naming FILE:LINE.
//
// Secrets: no message made here ever holds a secret (errors quote names and algorithms
// only), and every secret read is registered with log::redact so that no log line can
// show it either.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fail::dns {

struct TsigKey {
  std::string name;       // canonical (dns/name.hh): lowercase, no trailing dot
  std::string algorithm;  // as ldns names it: "hmac-sha256.", "hmac-md5.sig-alg.reg.int."
  std::string secret;     // base64, checked to decode to at least one byte; never logged
  std::string origin;     // where it came from, for messages: "FILE:LINE" or "-key"

  // The key name with its trailing dot, as ldns wants it ("failover-key.").
  std::string ldnsName() const { return name + "."; }
  // The algorithm as people write it: "hmac-sha256".
  std::string algorithmName() const;
};

// Reads the key file `path`. A file holding several keys (BIND or Knot) needs `wanted`,
// the key's name; with one key, `wanted` (when not empty) must match it. On failure
// returns false with *err a sentence naming PATH[:LINE] and what is wrong.
bool readTsigKeyFile(const std::string& path, TsigKey& key, std::string* err,
                     std::string_view wanted = {});

// The same on text already read; `where` names it in messages (the file's path).
bool parseTsigKeyText(std::string_view text, std::string_view where, TsigKey& key,
                      std::string* err, std::string_view wanted = {});

// The inline form `ALGORITHM:NAME:SECRET` or `NAME:SECRET` (`-key`, dig's `-y`). Errors
// name "-key".
bool parseTsigKeyInline(std::string_view text, TsigKey& key, std::string* err);

// Decodes a base64 secret; false when it is not base64 or decodes to nothing.
bool decodeTsigSecret(std::string_view base64, std::vector<std::uint8_t>& out);

// The ldns name of an algorithm people write ("HMAC-SHA256", "hmac-sha256.",
// "hmac-md5.sig-alg.reg.int"), or "" when it is not one of the six accepted.
std::string tsigAlgorithm(std::string_view written);

}  // namespace fail::dns

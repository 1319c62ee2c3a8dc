// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libFuzzer target: dns::Request::check, the checks a reply to an RFC 2136 update or a
// query must pass (ID, question, TSIG with the request's MAC, rcode). The input is taken
// as the reply to a signed UPDATE (first byte even) or an unsigned query (odd), sent
// with the reply's own ID so that the checks past the ID are reached. Invariant: a reply
// accepted for the signed update either verified, carries a TSIG error, is a failure
// rcode marked unsigned, or is truncated (which only sends the client to TCP).
#include <cstdint>
#include <string>

#include "check.hh"
#include "dns/tsig_key.hh"
#include "dns/tsig_sign.hh"
#include "dns/update_msg.hh"

namespace {

using namespace fail::dns;

const TsigKey& key() {
  static TsigKey k = [] {
    TsigKey t;
    std::string err;
    parseTsigKeyText("hmac-sha256:failover-key:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=", "f", t, &err);
    return t;
  }();
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  bool update = (data[0] & 1) == 0;
  data += 1;
  size -= 1;
  static Request up = *Request::update("example.test", {RrsetChange{"www.example.test", kTypeA, 60, {"203.0.113.10"},
                                                                    std::vector<std::string>{"203.0.113.20"}}},
                                       &key(), nullptr);
  static Request query = *Request::query("www.example.test", kTypeA, nullptr, nullptr);
  const Request& req = update ? up : query;
  Encoded sent = req.encode(static_cast<uint16_t>(data[0] << 8 | data[1]), 1000);
  Reply r;
  std::string why;
  if (req.check(sent, data, size, 1000, &r, &why) == ReplyCheck::Ignore) {
    FUZZ_CHECK(!why.empty());
    return 0;
  }
  if (update)
    FUZZ_CHECK(r.truncated || r.verified || r.tsigError != 0 ||
               (r.unsignedReply && r.rcode != kNoError && r.rcode != kYxRrset && r.rcode != kNxRrset));
  FUZZ_CHECK(!update || r.records.empty());
  return 0;
}

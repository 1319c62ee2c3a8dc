// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The webhook sender: the message's body POSTed (or PUT) with its idempotency key and,
// when the channel has a secret, an HMAC-SHA256 signature over a timestamp and the body
// (the receiver recomputes it and refuses a stale timestamp: a replay).
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <stdexcept>

#include "notify/senders_kinds.hh"

namespace fail::notify {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class WebhookSender final : public detail::CurlSender {
 public:
  WebhookSender(const WebhookSpec& spec, std::chrono::milliseconds timeout, Transfers& transfers)
      : CurlSender(transfers), spec_(spec), where_(urlHostPort(spec.url)) {
    limits_.timeout = timeout;
    limits_.verify = spec.tls.verify;
    limits_.ca = spec.tls.ca;
  }

  // A few at once: a slow receiver should not hold back a storm's digest for long, and
  // receivers order by the timestamp and key anyway.
  size_t parallel() const override { return 4; }

  void send(const Message& m, std::function<void(Outcome)> done) override {
    run([&] { return prepare(m); }, [this](const TransferResult& r) { return judge(r); }, std::move(done));
  }

 private:
  std::unique_ptr<Transfer> prepare(const Message& m) {
    auto t = std::make_unique<Transfer>(spec_.url, "http,https", limits_);
    // The defaults, each replaced by a -header of the same name.
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/json"},
        {"Idempotency-Key", m.key},
        {"X-Failover-Event", kindName(m.kind)},
    };
    if (!spec_.secret.empty())
      headers.emplace_back("X-Failover-Signature", webhookSignature(spec_.secret, wallNow() / 1'000'000, m.body));
    for (const auto& [name, value] : spec_.headers) {
      bool replaced = false;
      for (auto& h : headers)
        if (lower(h.first) == lower(name)) h.second = value, replaced = true;
      if (!replaced) headers.emplace_back(name, value);
    }
    // A CR or LF would start another header (checkSpec refuses them in -header; a key
    // comes from the queue): made spaces, whatever checked it before.
    for (const auto& [name, value] : headers) t->header(name + ": " + detail::oneLine(value));
    t->header("Expect:");  // no "100-continue" round trip before the body
    if (spec_.method != "POST") curl_easy_setopt(t->easy(), CURLOPT_CUSTOMREQUEST, spec_.method.c_str());
    t->postBody(m.body);
    return t;
  }

  Outcome judge(const TransferResult& r) const {
    if (!r.ok()) return detail::transportOutcome(r, where_);
    Outcome o;
    o.took = r.took;
    long s = r.status;
    o.detail = "HTTP " + std::to_string(s) + " from " + where_;
    if (s >= 200 && s < 300) {
      o.end = Outcome::End::Sent;
      return o;
    }
    if (s >= 300 && s < 400) {
      o.end = Outcome::End::Failed;
      o.detail += ": redirected to " + (r.redirect.empty() ? std::string("nowhere") : urlForDetail(r.redirect)) +
                  "; redirects are not followed";
      return o;
    }
    // 408 and 429 say "not now"; a 5xx is the receiver's trouble, likely passing. Any
    // other 4xx says this request is wrong, and it will stay so.
    o.end = (s == 408 || s == 429 || s >= 500 || s < 200) ? Outcome::End::Retry : Outcome::End::Failed;
    std::string said = detail::detailText(r.body, 200);
    if (!said.empty()) o.detail += ": " + said;
    return o;
  }

  WebhookSpec spec_;
  std::string where_;
  TransferLimits limits_;
};

}  // namespace

std::string webhookSignature(const std::string& secret, std::int64_t unixSeconds, std::string_view body) {
  std::string signed_ = std::to_string(unixSeconds) + "." + std::string(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(signed_.data()), signed_.size(), mac, &len))
    throw std::runtime_error("HMAC-SHA256 failed");
  static const char* kHex = "0123456789abcdef";
  std::string out = "t=" + std::to_string(unixSeconds) + ",sha256=";
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

namespace detail {

std::unique_ptr<Sender> makeWebhookSender(const WebhookSpec& spec, std::chrono::milliseconds timeout,
                                          Transfers& transfers) {
  return std::make_unique<WebhookSender>(spec, timeout, transfers);
}

}  // namespace detail
}  // namespace fail::notify

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Inside the senders (senders.hh is the interface): one maker per kind, each in its own
// file, and what the two libcurl senders share.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "notify/curl.hh"
#include "notify/senders.hh"

namespace fail::notify::detail {

std::unique_ptr<Sender> makeMailSender(const MailSpec& spec, std::chrono::milliseconds timeout, Transfers& transfers);
std::unique_ptr<Sender> makeWebhookSender(const WebhookSpec& spec, std::chrono::milliseconds timeout,
                                          Transfers& transfers);
std::unique_ptr<Sender> makeExecSender(const ExecSpec& spec, std::chrono::milliseconds timeout, ev::Loop& loop);
std::unique_ptr<Sender> makeSyslogSender(const SyslogSpec& spec, ev::Loop& loop);

// The SMTP URL for `spec.server` ("smtp://HOST:PORT", "smtps://[::1]"); "" with *err
// saying what is wrong with it.
std::string mailUrl(const MailSpec& spec, std::string* err);

// A sender whose attempts are libcurl transfers: the ones still out are cancelled when it
// is destroyed, so no callback reaches a dead sender.
class CurlSender : public Sender {
 public:
  explicit CurlSender(Transfers& transfers) : transfers_(transfers) {}
  ~CurlSender() override;

 protected:
  // Starts the transfer `make` prepares; `judge` turns its result into the Outcome `done`
  // gets. When `make` throws (libcurl could not make a handle), its message is the
  // result's error, judged the same way, and `done` still runs from the loop.
  void run(const std::function<std::unique_ptr<Transfer>()>& make,
           std::function<Outcome(const TransferResult&)> judge, std::function<void(Outcome)> done);

 private:
  Transfers& transfers_;
  std::set<Transfers::Id> out_;
};

// A transfer that failed below its protocol (r.code is not CURLE_OK): a TLS
// verification failure or a bad -ca file Failed, naming the cause; a timeout, a refused
// connection or anything else Retry. `where` is "host:port". The part of the mapping
// mail and webhooks share.
Outcome transportOutcome(const TransferResult& r, const std::string& where);

// `text` with control characters (CR and LF above all: in a header they would start
// another) made spaces.
std::string oneLine(std::string_view text);

// `text` made safe and short for a detail: registered secrets replaced, blanks at the
// ends cut, then base/text's printable (control bytes as \xHH, at most `max` bytes).
std::string detailText(std::string_view text, size_t max = 200);

}  // namespace fail::notify::detail

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A channel's transport (failover(n), "NOTIFICATIONS"): what `fail::notify channel` says,
// and the Sender that delivers a Message that way.
//
// - mail: an RFC 5322 message (Date, From, To, Subject, Message-ID <KEY@failover.HOST>,
//   Auto-Submitted: auto-generated, MIME text/plain UTF-8) over SMTP, SMTPS or STARTTLS,
//   with AUTH when a user is given (mail.cc);
// - webhook: the message's body (JSON by default) with Content-Type: application/json,
//   Idempotency-Key: KEY, X-Failover-Event: KIND and, with a secret,
//   X-Failover-Signature: t=UNIXSECONDS,sha256=HEX where HEX = HMAC-SHA256(secret,
//   "UNIXSECONDS." + body); redirects are not followed (webhook.cc);
// - exec: argv, the fields in the environment as FAIL_<FIELD> (and FAIL_SUBJECT), the
//   body on stdin, within the timeout (exec_sender.cc);
// - syslog: "SUBJECT: BODY's first line" at LOG_NOTICE (an alert: LOG_WARNING) with the
//   facility (syslog_sender.cc).
//
// Outcomes: HTTP 2xx Sent; 408, 429, 5xx, a connection error or a timeout Retry; 3xx
// Failed ("redirected to LOCATION; redirects are not followed"); another 4xx Failed.
// SMTP 4xx Retry, 5xx Failed with the server's reply. A TLS verification failure Failed
// naming the cause. exec: exit 0 Sent, anything else Retry. syslog: Sent. A detail names
// the server as host:port, never the password, the secret, a URL's user or query string.
#pragma once

#include <syslog.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ev/loop.hh"
#include "notify/message.hh"

namespace fail::notify {

struct TlsSpec {
  bool verify = true;  // -insecure: false
  std::string ca;      // -ca FILE; "": the system's trust store
  bool operator==(const TlsSpec&) const = default;
};
struct MailSpec {
  std::vector<std::string> to;  // addresses ("ops@example.com")
  std::string server;           // HOST[:PORT] (port 25, or 465 with smtps); [V6]:PORT
  bool smtps = false, starttls = false;
  std::string user, password;   // AUTH when `user` is set
  std::string from;
  TlsSpec tls;
  bool operator==(const MailSpec&) const = default;
};
struct WebhookSpec {
  std::string url;              // http:// or https://
  std::string method = "POST";  // POST or PUT
  std::string secret;           // "": no signature
  std::vector<std::pair<std::string, std::string>> headers;  // over the defaults, by name
  TlsSpec tls;
  bool operator==(const WebhookSpec&) const = default;
};
struct ExecSpec {
  std::vector<std::string> argv;
  bool operator==(const ExecSpec&) const = default;
};
struct SyslogSpec {
  int facility = LOG_DAEMON;
  bool operator==(const SyslogSpec&) const = default;
};
struct ChannelSpec {
  std::string name;
  std::variant<MailSpec, WebhookSpec, ExecSpec, SyslogSpec> how;
  std::chrono::milliseconds timeout{10000};  // one attempt, whole
  bool operator==(const ChannelSpec&) const = default;
};

class Transfers;  // notify/curl.hh: libcurl's multi interface on an ev::Loop

// Checks what a Sender cannot work with, for the policy's error at configuration time:
// a URL that is not http(s) or does not parse, a method other than POST and PUT, a
// header name or value with CR/LF (or a name that is not a token), an address with CR, LF,
// '<' or '>', no recipient, no sender address, a bad HOST[:PORT], -smtps with
// -starttls, an empty argv, a timeout of 0. False with *err naming the option and what is
// wrong ("-webhook: not an http or https URL").
bool checkSpec(const ChannelSpec& spec, std::string* err);

// A channel's sender (checkSpec first: what it rejects fails every attempt). The
// password and secret are already read (the shell reads -password-file/-secret-file);
// they never appear in a log line or an Outcome. `transfers` and `loop` outlive it.
std::unique_ptr<Sender> makeSender(const ChannelSpec& spec, Transfers& transfers, ev::Loop& loop);

// "daemon", "user", "local0" ... "local7" (as fail::notify channel -syslog takes them);
// nullopt for anything else.
std::optional<int> parseSyslogFacility(std::string_view name);
const char* syslogFacilityName(int facility);  // the other way; "daemon" when unknown

// "host:port" for an outcome's detail: the URL's host and port (the scheme's default when
// none), without its user, password, path or query. "" when it does not parse.
std::string urlHostPort(const std::string& url);
// The URL without its user, password, query and fragment, for an outcome's detail (a
// Location may hold a token).
std::string urlForDetail(const std::string& url);

// The webhook's signature header value: "t=UNIXSECONDS,sha256=HEX" with HEX the
// lowercase HMAC-SHA256 of "UNIXSECONDS." + body under `secret`.
std::string webhookSignature(const std::string& secret, std::int64_t unixSeconds, std::string_view body);

// The mail as sent (RFC 5322, CRLF line ends; libcurl does the SMTP dot-stuffing):
// headers folded, a non-ASCII subject encoded (RFC 2047), CR and LF in the subject made
// spaces; a body with non-ASCII bytes or long lines quoted-printable. `host` goes into
// the Message-ID, `date` (wall clock) into Date.
std::string mailText(const MailSpec& spec, const Message& m, const std::string& host, Micros date);

}  // namespace fail::notify

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "notify/senders.hh"

#include <curl/curl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "base/log.hh"
#include "base/text.hh"
#include "notify/curl.hh"
#include "notify/senders_kinds.hh"

namespace fail::notify {
namespace {

struct Facility {
  const char* name;
  int value;
};
constexpr Facility kFacilities[] = {
    {"daemon", LOG_DAEMON}, {"user", LOG_USER},     {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
    {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

struct CurlUrlFree {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using CurlUrlPtr = std::unique_ptr<CURLU, CurlUrlFree>;

// One part of a parsed URL, "" when it has none.
std::string part(CURLU* u, CURLUPart which, unsigned flags = 0) {
  char* out = nullptr;
  if (curl_url_get(u, which, &out, flags) != CURLUE_OK || !out) return "";
  std::string s = out;
  curl_free(out);
  return s;
}

CurlUrlPtr parseUrl(const std::string& url) {
  CurlUrlPtr u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return nullptr;
  return u;
}

bool fail(std::string* err, std::string text) {
  if (err) *err = std::move(text);
  return false;
}

// An address as SMTP's MAIL FROM/RCPT TO and the To header take it: something@something
// in ASCII (no SMTPUTF8), nothing that would end a header or the address's brackets.
bool goodAddress(const std::string& a) {
  if (a.empty() || a.size() > 254 || a.find('@') == std::string::npos) return false;
  return std::none_of(a.begin(), a.end(), [](unsigned char c) {
    return c < 0x21 || c >= 0x7f || c == '<' || c == '>' || c == ',' || c == '"';
  });
}

// RFC 9110's token: what a header's name may be.
bool goodHeaderName(const std::string& n) {
  static const char* kSpecials = "!#$%&'*+-.^_`|~";
  return !n.empty() && std::all_of(n.begin(), n.end(), [](unsigned char c) {
    return std::isalnum(c) || (c && std::strchr(kSpecials, c));
  });
}

bool checkMail(const MailSpec& m, std::string* err) {
  if (m.to.empty()) return fail(err, "-mail: no recipient");
  for (const auto& a : m.to)
    if (!goodAddress(a)) return fail(err, "-mail: not a mail address: \"" + detail::detailText(a, 80) + "\"");
  if (!goodAddress(m.from)) return fail(err, "-from: not a mail address: \"" + detail::detailText(m.from, 80) + "\"");
  if (m.smtps && m.starttls) return fail(err, "-smtps and -starttls: choose one");
  std::string e;
  if (detail::mailUrl(m, &e).empty()) return fail(err, "-smtp: " + e);
  if (!m.password.empty() && m.user.empty()) return fail(err, "-password-file without -user");
  return true;
}

bool checkWebhook(const WebhookSpec& w, std::string* err) {
  auto u = parseUrl(w.url);
  std::string scheme = u ? part(u.get(), CURLUPART_SCHEME) : "";
  if (!u || (scheme != "http" && scheme != "https") || part(u.get(), CURLUPART_HOST).empty())
    return fail(err, "-webhook: not an http or https URL");
  if (w.method != "POST" && w.method != "PUT")
    return fail(err, "-method: \"" + detail::detailText(w.method, 20) + "\" is neither POST nor PUT");
  for (const auto& [name, value] : w.headers) {
    if (!goodHeaderName(name)) return fail(err, "-header: not a header name: \"" + detail::detailText(name, 80) + "\"");
    if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
      return fail(err, "-header " + name + ": a value may not hold CR, LF or NUL");
  }
  return true;
}

}  // namespace

bool checkSpec(const ChannelSpec& spec, std::string* err) {
  if (spec.timeout.count() <= 0) return fail(err, "-timeout: must be more than 0");
  if (auto* m = std::get_if<MailSpec>(&spec.how)) return checkMail(*m, err);
  if (auto* w = std::get_if<WebhookSpec>(&spec.how)) return checkWebhook(*w, err);
  if (auto* x = std::get_if<ExecSpec>(&spec.how)) {
    if (x->argv.empty() || x->argv[0].empty()) return fail(err, "-exec: no program");
    return true;
  }
  const auto& s = std::get<SyslogSpec>(spec.how);
  for (const auto& f : kFacilities)
    if (f.value == s.facility) return true;
  return fail(err, "-syslog: not a facility (daemon, user, local0 ... local7)");
}

std::unique_ptr<Sender> makeSender(const ChannelSpec& spec, Transfers& transfers, ev::Loop& loop) {
  if (auto* m = std::get_if<MailSpec>(&spec.how)) return detail::makeMailSender(*m, spec.timeout, transfers);
  if (auto* w = std::get_if<WebhookSpec>(&spec.how)) return detail::makeWebhookSender(*w, spec.timeout, transfers);
  if (auto* x = std::get_if<ExecSpec>(&spec.how)) return detail::makeExecSender(*x, spec.timeout, loop);
  return detail::makeSyslogSender(std::get<SyslogSpec>(spec.how), loop);
}

std::optional<int> parseSyslogFacility(std::string_view name) {
  for (const auto& f : kFacilities)
    if (name == f.name) return f.value;
  return std::nullopt;
}

const char* syslogFacilityName(int facility) {
  for (const auto& f : kFacilities)
    if (f.value == facility) return f.name;
  return "daemon";
}

std::string urlHostPort(const std::string& url) {
  auto u = parseUrl(url);
  if (!u) return "";
  std::string host = part(u.get(), CURLUPART_HOST), port = part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (host.empty()) return "";
  return port.empty() ? host : host + ":" + port;
}

std::string urlForDetail(const std::string& url) {
  auto u = parseUrl(url);
  if (!u) return detail::detailText(url.substr(0, url.find_first_of("?#")), 200);
  for (CURLUPart p : {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS, CURLUPART_QUERY, CURLUPART_FRAGMENT})
    curl_url_set(u.get(), p, nullptr, 0);
  return detail::detailText(part(u.get(), CURLUPART_URL), 200);
}

namespace detail {

std::string mailUrl(const MailSpec& spec, std::string* err) {
  auto bad = [&](std::string text) {
    if (err) *err = std::move(text);
    return std::string();
  };
  // HOST, HOST:PORT, [V6] or [V6]:PORT; a bare IPv6 address (two colons or more) is a
  // host without a port.
  std::string host = spec.server, port;
  if (!host.empty() && host[0] == '[') {
    auto close = host.find(']');
    if (close == std::string::npos) return bad("no ']' after an IPv6 address");
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') return bad("not HOST[:PORT]: \"" + detailText(spec.server, 80) + "\"");
      port = host.substr(close + 2);
    }
    host = host.substr(0, close + 1);
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    port = host.substr(host.find(':') + 1);
    host = host.substr(0, host.find(':'));
  } else if (host.find(':') != std::string::npos) {
    host = "[" + host + "]";
  }
  if (host.empty() || host == "[]") return bad("no host");
  if (!port.empty()) {
    bool digits = port.size() <= 5 && std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); });
    if (!digits || std::stoi(port) < 1 || std::stoi(port) > 65535) return bad("not a port: \"" + detailText(port, 20) + "\"");
  }
  std::string url = std::string(spec.smtps ? "smtps://" : "smtp://") + host + (port.empty() ? "" : ":" + port);
  auto u = parseUrl(url);
  if (!u || part(u.get(), CURLUPART_HOST).empty()) return bad("not HOST[:PORT]: \"" + detailText(spec.server, 80) + "\"");
  return url;
}

CurlSender::~CurlSender() {
  for (auto id : out_) transfers_.cancel(id);
}

void CurlSender::run(const std::function<std::unique_ptr<Transfer>()>& make,
                     std::function<Outcome(const TransferResult&)> judge, std::function<void(Outcome)> done) {
  auto id = std::make_shared<Transfers::Id>(0);
  auto finish = [this, id, judge = std::move(judge), done = std::move(done)](TransferResult r) {
    out_.erase(*id);
    done(judge(r));
  };
  std::unique_ptr<Transfer> t;
  try {
    t = make();
  } catch (const std::exception& e) {
    TransferResult r;
    r.code = CURLE_FAILED_INIT;
    r.error = e.what();
    *id = transfers_.failed(std::move(r), std::move(finish));
    out_.insert(*id);
    return;
  }
  *id = transfers_.start(std::move(t), std::move(finish));
  out_.insert(*id);
}

Outcome transportOutcome(const TransferResult& r, const std::string& where) {
  Outcome o;
  o.took = r.took;
  std::string why = detailText(r.error);
  if (r.verifyResult != 0 && r.code == CURLE_SSL_CONNECT_ERROR) {
    // The chain did not verify, yet OpenSSL ended the handshake with another error (a CA
    // of the same name but another key): it is still a verification failure.
    o.end = Outcome::End::Failed;
    o.detail = "TLS verification of " + where + " failed: " +
               X509_verify_cert_error_string(r.verifyResult) + " (" + why + ")";
    return o;
  }
  switch (r.code) {
    case CURLE_PEER_FAILED_VERIFICATION:
      o.end = Outcome::End::Failed;
      o.detail = "TLS verification of " + where + " failed: " + why;
      break;
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      o.end = Outcome::End::Failed;
      o.detail = "TLS set-up for " + where + " failed: " + why;
      break;
    case CURLE_USE_SSL_FAILED:
      o.end = Outcome::End::Failed;
      o.detail = where + " offers no STARTTLS: " + why;
      break;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      o.end = Outcome::End::Failed;
      o.detail = where + ": " + why;
      break;
    case CURLE_OPERATION_TIMEDOUT:
      o.end = Outcome::End::Retry;
      o.detail = "timed out with " + where + ": " + why;
      break;
    default:
      o.end = Outcome::End::Retry;
      o.detail = where.empty() ? why : where + ": " + why;
      break;
  }
  return o;
}

std::string detailText(std::string_view text, size_t max) {
  std::string s = log::redacted(text);
  s.erase(0, s.find_first_not_of(" \t\r\n"));
  s.erase(s.find_last_not_of(" \t\r\n") + 1);
  return printable(s, max);
}

}  // namespace detail
}  // namespace fail::notify

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The mail sender: the message as RFC 5322 text (mail_text.cc), handed to libcurl's SMTP,
// which does the dot-stuffing and the final "." itself (curl's smtp.c escapes a line that
// starts with a dot; the tests send one).
#include <unistd.h>

#include "notify/senders_kinds.hh"

namespace fail::notify {
namespace {

std::string localHostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

class MailSender final : public detail::CurlSender {
 public:
  MailSender(const MailSpec& spec, std::chrono::milliseconds timeout, Transfers& transfers)
      : CurlSender(transfers), spec_(spec), url_(detail::mailUrl(spec, &urlError_)), where_(urlHostPort(url_)) {
    limits_.timeout = timeout;
    limits_.verify = spec.tls.verify;
    limits_.ca = spec.tls.ca;
  }

  size_t parallel() const override { return 1; }  // in order, one connection to the server

  void send(const Message& m, std::function<void(Outcome)> done) override {
    auto host = m.fields.find("host");
    std::string text = mailText(spec_, m, host != m.fields.end() && !host->second.empty() ? host->second : localHostName(),
                                m.created ? m.created : wallNow());
    run([&] { return prepare(std::move(text)); }, [this](const TransferResult& r) { return judge(r); },
        std::move(done));
  }

 private:
  std::unique_ptr<Transfer> prepare(std::string text) {
    auto t = std::make_unique<Transfer>(url_, "smtp,smtps", limits_);
    CURL* e = t->easy();
    if (spec_.starttls) curl_easy_setopt(e, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    // A connection of its own for each mail: libcurl matches a cached SMTP connection by
    // host and credentials but not by TLS settings when STARTTLS made it secure, so a
    // channel that verifies could reuse one that another channel made with -insecure. Mail
    // is rare enough (rate-limited) that the handshake costs nothing that matters.
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    if (!spec_.user.empty()) {
      curl_easy_setopt(e, CURLOPT_USERNAME, spec_.user.c_str());
      curl_easy_setopt(e, CURLOPT_PASSWORD, spec_.password.c_str());
    }
    std::string from = "<" + spec_.from + ">";
    curl_easy_setopt(e, CURLOPT_MAIL_FROM, from.c_str());  // libcurl copies strings
    for (const auto& to : spec_.to) t->recipient("<" + to + ">");
    t->upload(std::move(text));
    return t;
  }

  Outcome judge(const TransferResult& r) const {
    Outcome o;
    o.took = r.took;
    if (url_.empty()) {  // checkSpec would have said so
      o.end = Outcome::End::Failed;
      o.detail = "-smtp: " + urlError_;
      return o;
    }
    std::string reply = detail::detailText(r.lastReply());
    if (r.ok()) {
      o.end = Outcome::End::Sent;
      o.detail = "SMTP " + (reply.empty() ? std::to_string(r.status) : reply) + " from " + where_;
      return o;
    }
    // A reply code says more than libcurl's CURLcode ("RCPT failed: 550"): 4xx is the
    // server's "later", 5xx its "never".
    if (r.status >= 400 && r.status < 600) {
      o.end = r.status < 500 ? Outcome::End::Retry : Outcome::End::Failed;
      o.detail = "SMTP " + (reply.empty() ? std::to_string(r.status) + " (" + detail::detailText(r.error) + ")" : reply) +
                 " from " + where_;
      return o;
    }
    return detail::transportOutcome(r, where_);
  }

  MailSpec spec_;
  std::string urlError_, url_, where_;
  TransferLimits limits_;
};

}  // namespace

namespace detail {

std::unique_ptr<Sender> makeMailSender(const MailSpec& spec, std::chrono::milliseconds timeout, Transfers& transfers) {
  return std::make_unique<MailSender>(spec, timeout, transfers);
}

}  // namespace detail
}  // namespace fail::notify

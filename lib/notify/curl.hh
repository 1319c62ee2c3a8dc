// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// libcurl's multi interface on the ev::Loop (doc/design.md: one loop per process): the
// senders' SMTP and HTTP(S) transfers run beside everything else failsh does, never
// blocking it. libcurl says which sockets to watch and when to wake it
// (CURLMOPT_SOCKETFUNCTION, CURLMOPT_TIMERFUNCTION); libevent events and a timer do, and
// call curl_multi_socket_action. A transfer's end is read with curl_multi_info_read
// after libcurl returned, so its callback runs from the loop, never from inside libcurl.
//
// Every transfer is bounded: a whole-attempt timeout, a low-speed cut (a receiver that
// trickles), at most kMaxBody bytes of the answer kept (for the error message; the rest
// is read and dropped), no redirects followed, only the protocols its sender names. TLS
// verification is on unless the channel says -insecure. libcurl never writes to stderr
// (no verbose output), and nothing here logs a URL or a header.
//
// Loop thread only.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ev/ev.hh"
#include "ev/loop.hh"

namespace fail::notify {

// curl_global_init, once per process. libcurl's own initialisation may not be
// thread-safe (it depends on how libcurl and its TLS library were built): call it from
// main before any thread starts. Transfers' constructor calls it too, for tests.
void curlGlobalInit();

struct CurlEasyFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlSlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyFree>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistFree>;

// How a transfer ended.
struct TransferResult {
  CURLcode code = CURLE_OK;
  long status = 0;           // the HTTP status, or the last SMTP reply's code; 0: none came
  std::string error;         // libcurl's message when code is not CURLE_OK ("" otherwise)
  std::string body;          // the answer's first Transfer::kMaxBody bytes
  std::vector<std::string> replies;  // the last header lines received, CR LF cut: HTTP's
                                     // status line and headers, or SMTP's reply lines
  std::string redirect;      // a 3xx's Location, resolved (CURLINFO_REDIRECT_URL)
  long verifyResult = 0;     // OpenSSL's X509_V_* of the server's chain (0: fine or none)
  std::chrono::milliseconds took{0};

  bool ok() const { return code == CURLE_OK; }
  // The last reply line that starts with the last reply code ("550 5.1.1 <x@y>: no such
  // user"), or "" (for SMTP's error messages).
  std::string lastReply() const;
};

// What a transfer must not exceed and how it checks the server.
struct TransferLimits {
  std::chrono::milliseconds timeout{10000};  // the whole attempt
  bool verify = true;        // TLS: the chain and the name
  std::string ca;            // a PEM CA bundle; "": the system's
};

// One transfer being prepared: an easy handle with the options every transfer shares, and
// what it must keep alive while libcurl runs it (the header list, the recipients, the
// data it sends, the answer kept). The sender sets its own options on easy().
class Transfer {
 public:
  static constexpr size_t kMaxBody = 64 << 10;
  static constexpr size_t kMaxReplies = 16;    // header lines kept
  static constexpr size_t kMaxReplyLine = 512; // bytes kept of each

  // `protocols`: libcurl's comma-separated list ("http,https", "smtp,smtps"), for the URL
  // and anything it could lead to. Throws std::runtime_error when libcurl cannot make an
  // easy handle.
  Transfer(const std::string& url, const char* protocols, const TransferLimits& limits);
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  CURL* easy() const { return easy_.get(); }
  void header(const std::string& line);      // "Name: value" (HTTP)
  void recipient(const std::string& addr);   // an SMTP RCPT TO (CURLOPT_MAIL_RCPT)
  void postBody(std::string data);           // the HTTP request's body (POST, or PUT)
  void upload(std::string data);             // the data read by libcurl (SMTP's message)

 private:
  friend class Transfers;
  static size_t onWrite(char* p, size_t size, size_t n, void* self);
  static size_t onHeader(char* p, size_t size, size_t n, void* self);
  static size_t onRead(char* p, size_t size, size_t n, void* self);
  TransferResult finish(CURLcode code);

  CurlEasyPtr easy_;
  CurlSlistPtr headers_, recipients_;
  std::string post_, upload_;
  size_t uploaded_ = 0;
  TransferResult result_;
  char errbuf_[CURL_ERROR_SIZE] = {};
};

// The transfers running on one loop (one CURLM, so connections are reused).
class Transfers {
 public:
  using Id = std::uint64_t;

  explicit Transfers(ev::Loop& loop);
  // Ends every transfer still running; their callbacks never run.
  ~Transfers();
  Transfers(const Transfers&) = delete;
  Transfers& operator=(const Transfers&) = delete;

  // Starts `t`. `done` runs from the loop when it ended, never from inside start(), exactly
  // once, unless cancel(id) or the destructor came first. `done` may start and cancel
  // transfers (not destroy the Transfers).
  Id start(std::unique_ptr<Transfer> t, std::function<void(TransferResult)> done);
  // Reports `r` from the loop as if a transfer had ended so (one that could not even be
  // made), with start()'s guarantees.
  Id failed(TransferResult r, std::function<void(TransferResult)> done);
  // Stops a transfer; its callback never runs. An unknown or finished id is ignored.
  void cancel(Id id);
  size_t running() const { return jobs_.size(); }

 private:
  struct Job {
    std::unique_ptr<Transfer> transfer;
    std::function<void(TransferResult)> done;
    bool added = false;                    // in the multi handle
    std::unique_ptr<TransferResult> ended; // set once it ended, before `done` runs
  };
  struct Watch;  // one socket libcurl asked to watch

  static int onSocket(CURL* easy, curl_socket_t s, int what, void* self, void* socketp);
  static int onTimer(CURLM* multi, long timeoutMs, void* self);
  static void onEvent(evutil_socket_t fd, short what, void* self) noexcept;
  void action(curl_socket_t s, int flags);
  void collect();
  void finish(Id id);

  ev::Loop& loop_;
  CURLM* multi_;
  ev::Timer timer_;  // libcurl's (CURLMOPT_TIMERFUNCTION)
  ev::Timer soon_;   // finishes what failed() reported, from the loop
  std::map<curl_socket_t, std::unique_ptr<Watch>> watches_;
  std::map<Id, Job> jobs_;
  Id next_ = 1;
};

}  // namespace fail::notify

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "notify/curl.hh"

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "base/log.hh"
#include "base/version.hh"

namespace fail::notify {
namespace {

log::Facility& logf() { return log::facility("notify"); }

// Below this many bytes a second for the low-speed time, a transfer is cut: a receiver
// that trickles its answer must not hold a sender until the whole timeout.
constexpr long kLowSpeedBytes = 16;

// CURLOPT_PROTOCOLS_STR came with libcurl 7.85; configure accepts 7.74.
void setProtocols(CURL* e, const char* protocols) {
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
#else
  long mask = 0;
  std::string p = protocols;
  if (p.find("https") != std::string::npos) mask |= CURLPROTO_HTTPS;
  if (p.find("http,") != std::string::npos || p == "http") mask |= CURLPROTO_HTTP;
  if (p.find("smtps") != std::string::npos) mask |= CURLPROTO_SMTPS;
  if (p.find("smtp,") != std::string::npos || p == "smtp") mask |= CURLPROTO_SMTP;
  curl_easy_setopt(e, CURLOPT_PROTOCOLS, mask);
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS, mask);
#endif
}

// Appends to a list libcurl reads (it keeps the head, which never changes after the
// first element).
curl_slist* append(CurlSlistPtr& list, const std::string& item) {
  curl_slist* l = curl_slist_append(list.get(), item.c_str());
  if (!l) throw std::bad_alloc();
  (void)list.release();
  list.reset(l);
  return l;
}

}  // namespace

void curlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
  });
}

std::string TransferResult::lastReply() const {
  if (status == 0) return "";
  std::string code = std::to_string(status);
  for (auto it = replies.rbegin(); it != replies.rend(); ++it)
    if (it->compare(0, code.size(), code) == 0) return *it;
  return "";
}

Transfer::Transfer(const std::string& url, const char* protocols, const TransferLimits& limits)
    : easy_(curl_easy_init()) {
  if (!easy_) throw std::runtime_error("curl_easy_init failed");
  CURL* e = easy_.get();
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  setProtocols(e, protocols);
  // Signals would interrupt failsh's loop; without them libcurl resolves names with its
  // threaded resolver (Debian's build), so a slow DNS server does not block either.
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_VERBOSE, 0L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf_);
  long ms = static_cast<long>(std::max<std::int64_t>(1, limits.timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, ms);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytes);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, std::max(1L, ms / 3000));
  curl_easy_setopt(e, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, limits.verify ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, limits.verify ? 2L : 0L);
  if (!limits.ca.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, limits.ca.c_str());
  static const std::string agent = std::string("failover/") + kVersion;
  curl_easy_setopt(e, CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, onWrite);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
}

void Transfer::header(const std::string& line) {
  curl_easy_setopt(easy_.get(), CURLOPT_HTTPHEADER, append(headers_, line));
}

void Transfer::recipient(const std::string& addr) {
  curl_easy_setopt(easy_.get(), CURLOPT_MAIL_RCPT, append(recipients_, addr));
}

void Transfer::postBody(std::string data) {
  post_ = std::move(data);
  curl_easy_setopt(easy_.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_.size()));
  curl_easy_setopt(easy_.get(), CURLOPT_POSTFIELDS, post_.data());
}

void Transfer::upload(std::string data) {
  upload_ = std::move(data);
  uploaded_ = 0;
  curl_easy_setopt(easy_.get(), CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(easy_.get(), CURLOPT_READFUNCTION, onRead);
  curl_easy_setopt(easy_.get(), CURLOPT_READDATA, this);
  curl_easy_setopt(easy_.get(), CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload_.size()));
}

size_t Transfer::onWrite(char* p, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  size_t len = size * n;
  std::string& body = t->result_.body;
  if (body.size() < kMaxBody) body.append(p, std::min(len, kMaxBody - body.size()));
  return len;  // the rest is read and dropped: the answer only explains an error
}

size_t Transfer::onHeader(char* p, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  size_t len = size * n;
  std::string_view line(p, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.empty()) return len;
  auto& replies = t->result_.replies;
  if (replies.size() == kMaxReplies) replies.erase(replies.begin());
  replies.emplace_back(line.substr(0, kMaxReplyLine));
  return len;
}

size_t Transfer::onRead(char* p, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  size_t len = std::min(size * n, t->upload_.size() - t->uploaded_);
  std::copy_n(t->upload_.data() + t->uploaded_, len, p);
  t->uploaded_ += len;
  return len;
}

TransferResult Transfer::finish(CURLcode code) {
  TransferResult r = std::move(result_);
  r.code = code;
  if (code != CURLE_OK) r.error = errbuf_[0] ? errbuf_ : curl_easy_strerror(code);
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &r.status);
  char* location = nullptr;
  if (curl_easy_getinfo(easy_.get(), CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location)
    r.redirect = location;
  long verify = 0;
  if (curl_easy_getinfo(easy_.get(), CURLINFO_SSL_VERIFYRESULT, &verify) == CURLE_OK) r.verifyResult = verify;
  curl_off_t us = 0;
  if (curl_easy_getinfo(easy_.get(), CURLINFO_TOTAL_TIME_T, &us) == CURLE_OK)
    r.took = std::chrono::milliseconds(us / 1000);
  return r;
}

struct Transfers::Watch {
  event* ev = nullptr;
  ~Watch() {
    if (ev) event_free(ev);
  }
};

Transfers::Transfers(ev::Loop& loop)
    : loop_(loop),
      multi_(nullptr),
      timer_(loop.base(), [this] { action(CURL_SOCKET_TIMEOUT, 0); }),
      soon_(loop.base(), [this] { collect(); }) {
  curlGlobalInit();
  multi_ = curl_multi_init();
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, onSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, onTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

Transfers::~Transfers() {
  for (auto& [id, job] : jobs_)
    if (job.added) curl_multi_remove_handle(multi_, job.transfer->easy());
  jobs_.clear();
  // Closes the cached connections; libcurl may still call onSocket, whose map is alive.
  curl_multi_cleanup(multi_);
  timer_.cancel();
}

Transfers::Id Transfers::start(std::unique_ptr<Transfer> t, std::function<void(TransferResult)> done) {
  Id id = next_++;
  CURL* e = t->easy();
  curl_easy_setopt(e, CURLOPT_PRIVATE, reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)));
  Job& job = jobs_[id];
  job.transfer = std::move(t);
  job.done = std::move(done);
  CURLMcode rc = curl_multi_add_handle(multi_, e);
  if (rc == CURLM_OK) {
    job.added = true;  // libcurl armed the timer (onTimer): the transfer starts from the loop
    return id;
  }
  // Ended before it began; `done` must still run from the loop, not from here.
  TransferResult r;
  r.code = CURLE_FAILED_INIT;
  r.error = std::string("libcurl refused the transfer: ") + curl_multi_strerror(rc);
  auto doneAgain = std::move(job.done);
  jobs_.erase(id);
  return failed(std::move(r), std::move(doneAgain));
}

Transfers::Id Transfers::failed(TransferResult r, std::function<void(TransferResult)> done) {
  Id id = next_++;
  Job& job = jobs_[id];
  job.done = std::move(done);
  job.ended = std::make_unique<TransferResult>(std::move(r));
  soon_.arm(ev::Micros(0));  // collect() finishes it from the loop
  return id;
}

void Transfers::cancel(Id id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  if (it->second.added) curl_multi_remove_handle(multi_, it->second.transfer->easy());
  jobs_.erase(it);
}

int Transfers::onSocket(CURL*, curl_socket_t s, int what, void* self, void*) {
  auto* t = static_cast<Transfers*>(self);
  if (what == CURL_POLL_REMOVE) {
    t->watches_.erase(s);
    return 0;
  }
  auto& w = t->watches_[s];
  if (!w) w = std::make_unique<Watch>();
  short flags = EV_PERSIST;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) flags |= EV_READ;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) flags |= EV_WRITE;
  if (w->ev) {
    event_del(w->ev);  // a non-pending event may be reassigned
    event_assign(w->ev, t->loop_.base(), s, flags, onEvent, t);
  } else {
    w->ev = event_new(t->loop_.base(), s, flags, onEvent, t);
    if (!w->ev) return -1;
  }
  event_add(w->ev, nullptr);
  return 0;
}

int Transfers::onTimer(CURLM*, long timeoutMs, void* self) {
  auto* t = static_cast<Transfers*>(self);
  // Never call libcurl back from here: a 0 ms timeout runs on the loop's next turn.
  if (timeoutMs < 0)
    t->timer_.cancel();
  else
    t->timer_.arm(std::chrono::milliseconds(timeoutMs));
  return 0;
}

void Transfers::onEvent(evutil_socket_t fd, short what, void* self) noexcept {
  int flags = 0;
  if (what & EV_READ) flags |= CURL_CSELECT_IN;
  if (what & EV_WRITE) flags |= CURL_CSELECT_OUT;
  try {
    static_cast<Transfers*>(self)->action(fd, flags);
  } catch (const std::exception& e) {
    FAIL_LOG(logf(), Err) << "internal error in a transfer's callback: " << e.what();
  } catch (...) {
    FAIL_LOG(logf(), Err) << "internal error in a transfer's callback";
  }
}

void Transfers::action(curl_socket_t s, int flags) {
  int runningHandles = 0;
  curl_multi_socket_action(multi_, s, flags, &runningHandles);
  collect();
}

void Transfers::collect() {
  std::vector<Id> ended;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    void* priv = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
    Id id = static_cast<Id>(reinterpret_cast<std::uintptr_t>(priv));
    CURLcode code = msg->data.result;  // msg is invalid once the handle is removed
    auto it = jobs_.find(id);
    if (it == jobs_.end()) continue;
    curl_multi_remove_handle(multi_, msg->easy_handle);
    it->second.added = false;
    it->second.ended = std::make_unique<TransferResult>(it->second.transfer->finish(code));
    ended.push_back(id);
  }
  // Those that never ran (failed(), or refused by curl_multi_add_handle) end here too.
  for (auto& [id, job] : jobs_)
    if (job.ended && !job.added && std::find(ended.begin(), ended.end(), id) == ended.end()) ended.push_back(id);
  // A callback may cancel a transfer that ended in the same turn: finish() skips it.
  for (Id id : ended) finish(id);
}

void Transfers::finish(Id id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || !it->second.ended) return;
  auto done = std::move(it->second.done);
  TransferResult r = std::move(*it->second.ended);
  jobs_.erase(it);
  if (done) done(std::move(r));
}

}  // namespace fail::notify

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "dns/update_client.hh"

#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "base/unique_fd.hh"
#include "dns/tsig_sign.hh"
#include "ev/ev.hh"

namespace fail::dns {

namespace {

constexpr std::size_t kUdpMax = 512;  // no EDNS: larger messages go over TCP

std::uint16_t randomId() {
  std::uint8_t b[2];
  if (RAND_bytes(b, 2) != 1) {  // never seen; a weaker ID beats no update
    static std::uint32_t x = static_cast<std::uint32_t>(std::time(nullptr)) ^ 0x9e3779b9u;
    x = x * 1664525u + 1013904223u;
    return static_cast<std::uint16_t>(x >> 16);
  }
  return static_cast<std::uint16_t>(b[0] << 8 | b[1]);
}

bool sameAddress(const sockaddr_storage& a, socklen_t alen, const net::Address& b) {
  if (a.ss_family != b.family()) return false;
  if (a.ss_family == AF_INET) {
    auto* x = reinterpret_cast<const sockaddr_in*>(&a);
    auto* y = reinterpret_cast<const sockaddr_in*>(&b.storage);
    return alen >= sizeof(sockaddr_in) && x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  auto* x = reinterpret_cast<const sockaddr_in6*>(&a);
  auto* y = reinterpret_cast<const sockaddr_in6*>(&b.storage);
  return alen >= sizeof(sockaddr_in6) && x->sin6_port == y->sin6_port &&
         std::memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
}

std::uint64_t wallSeconds() { return static_cast<std::uint64_t>(std::time(nullptr)); }

}  // namespace

const char* transportName(Transport t) { return t == Transport::Tcp ? "tcp" : "udp"; }

std::string Result::status() const {
  if (answered) return rcodeName(rcode);
  return timedOut ? "TIMEOUT" : "NETWORK";
}

// One request in flight. UDP attempts each have their socket, kept open until the end so
// that a late reply to an earlier attempt still counts; a TCP attempt has one connection.
class UpdateClient::Exchange {
 public:
  Exchange(UpdateClient& owner, Id id, const net::Address& server, Request request, const ExchangeOptions& options,
           ExchangeDone done)
      : owner_(owner), id_(id), server_(server), request_(std::move(request)), options_(options),
        done_(std::move(done)), started_(std::chrono::steady_clock::now()),
        kick_(owner.loop_.base(), [this] { attempt(); }),
        deadline_(owner.loop_.base(), [this] { timedOut(); }),
        tcpWatch_(owner.loop_.base(), [this](ev::IoWatch::Ready r) { onTcp(r); }) {
    result_.server = server_.text();
    tcp_ = options_.tcpOnly;
  }

  void start() {
    deadline_.arm(options_.deadline);
    kick_.arm(ev::Micros(0));  // the first attempt from the loop: done never runs inside send()
  }

  ExchangeDone takeDone() { return std::move(done_); }

 private:
  struct UdpAttempt {
    UniqueFd fd;
    Encoded sent;
    std::unique_ptr<ev::IoWatch> watch;
  };

  void attempt() {
    ++result_.attempts;
    Encoded sent = request_.encode(randomId(), wallSeconds());
    if (sent.wire.empty()) return fail("cannot sign the message (OpenSSL)");
    if (sent.wire.size() > 65535) return fail("message too large (" + std::to_string(sent.wire.size()) + " bytes)");
    if (sent.wire.size() > kUdpMax) tcp_ = true;
    auto elapsed = std::chrono::steady_clock::now() - started_;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(options_.deadline - elapsed);
    auto timeout = options_.firstTimeout * (1 << std::min(result_.attempts - 1, 10));
    if (timeout < left) kick_.arm(timeout);  // the next attempt; else the deadline ends it
    if (tcp_) return startTcp(std::move(sent));
    sendUdp(std::move(sent));
  }

  void sendUdp(Encoded sent) {
    result_.transport = Transport::Udp;
    UniqueFd fd(::socket(server_.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return note("socket: " + std::string(std::strerror(errno)));
    // Unconnected: the kernel picks a random port at the first send.
    if (::sendto(fd.get(), sent.wire.data(), sent.wire.size(), 0, server_.sa(), server_.length) < 0)
      return note("send to " + result_.server + ": " + std::strerror(errno));
    ++owner_.counters_.sent;
    auto a = std::make_unique<UdpAttempt>();
    UdpAttempt* raw = a.get();
    a->fd = std::move(fd);
    a->sent = std::move(sent);
    a->watch = std::make_unique<ev::IoWatch>(owner_.loop_.base(), [this, raw](ev::IoWatch::Ready) { onUdp(*raw); });
    a->watch->watch(a->fd.get(), EV_READ | EV_PERSIST);
    udp_.push_back(std::move(a));
  }

  void onUdp(UdpAttempt& a) {
    std::uint8_t buf[65536];
    for (;;) {
      sockaddr_storage from{};
      socklen_t flen = sizeof from;
      ssize_t n = ::recvfrom(a.fd.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
      if (n < 0) return;  // EAGAIN, or an ICMP error: keep waiting for the deadline
      if (!sameAddress(from, flen, server_)) {
        ignored("a datagram from another address");
        continue;
      }
      if (deliver(a.sent, buf, static_cast<std::size_t>(n), Transport::Udp)) return;
    }
  }

  // True when the exchange is over (or moved to TCP): stop reading.
  bool deliver(const Encoded& sent, const std::uint8_t* data, std::size_t n, Transport t) {
    Reply r;
    std::string why;
    if (request_.check(sent, data, n, wallSeconds(), &r, &why) == ReplyCheck::Ignore) {
      ignored(why);
      return false;
    }
    if (r.truncated && t == Transport::Udp) {
      tcp_ = true;
      kick_.arm(ev::Micros(0));
      return true;
    }
    if (readingSerial_) {
      result_.soaSerial = r.soaSerial;
      finish();
      return true;
    }
    result_.answered = true;
    result_.rcode = r.rcode;
    result_.tsigError = r.tsigError;
    result_.unsignedReply = r.unsignedReply;
    result_.records = std::move(r.records);
    result_.soaSerial = r.soaSerial;
    result_.transport = t;
    if (!result_.ok()) {
      result_.error = rcodeName(r.rcode);
      if (r.tsigError) result_.error += " (" + tsigErrorName(r.tsigError) + ")";
      if (r.unsignedReply) result_.error += " (unsigned)";
      result_.error += " from " + result_.server;
    }
    if (result_.ok() && options_.readSerial && request_.isUpdate()) {
      readSerial();
      return true;
    }
    finish();
    return true;
  }

  // After an UPDATE that succeeded: the zone's SOA from the same server, under the same
  // deadline, in place of the UPDATE (late replies to it are no longer read).
  void readSerial() {
    auto q = Request::query(request_.qname(), kTypeSoa, nullptr, nullptr);
    if (!q) return finish();
    for (auto& a : udp_) a->watch->stop();
    tcpWatch_.stop();
    tcpFd_.reset();
    request_ = std::move(*q);
    readingSerial_ = true;
    tcp_ = options_.tcpOnly;
    updateAttempts_ = result_.attempts;
    updateTransport_ = result_.transport;
    kick_.arm(ev::Micros(0));
  }

  void startTcp(Encoded sent) {
    result_.transport = Transport::Tcp;
    tcpWatch_.stop();
    tcpFd_.reset(::socket(server_.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!tcpFd_) return note("socket: " + std::string(std::strerror(errno)));
    if (::connect(tcpFd_.get(), server_.sa(), server_.length) < 0 && errno != EINPROGRESS) {
      note("connect " + result_.server + ": " + std::strerror(errno));
      return tcpFd_.reset();
    }
    tcpSent_ = std::move(sent);
    tcpOut_.assign({static_cast<std::uint8_t>(tcpSent_.wire.size() >> 8), static_cast<std::uint8_t>(tcpSent_.wire.size())});
    tcpOut_.insert(tcpOut_.end(), tcpSent_.wire.begin(), tcpSent_.wire.end());
    tcpIn_.clear();
    tcpConnected_ = false;
    tcpWatch_.watch(tcpFd_.get(), EV_WRITE);
  }

  void onTcp(ev::IoWatch::Ready r) {
    if (!tcpFd_) return;
    if (r == ev::IoWatch::Ready::Writable) return tcpWrite();
    std::uint8_t buf[16384];
    ssize_t n = ::read(tcpFd_.get(), buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return tcpWatch_.watch(tcpFd_.get(), EV_READ);
    if (n <= 0) {
      note(n == 0 ? "connection closed by " + result_.server : "read from " + result_.server + ": " + std::strerror(errno));
      return tcpFd_.reset();  // the next attempt (kick_) tries again
    }
    tcpIn_.insert(tcpIn_.end(), buf, buf + n);
    while (tcpIn_.size() >= 2) {
      std::size_t len = static_cast<std::size_t>(tcpIn_[0] << 8 | tcpIn_[1]);
      if (tcpIn_.size() < 2 + len) break;
      std::vector<std::uint8_t> msg(tcpIn_.begin() + 2, tcpIn_.begin() + 2 + static_cast<long>(len));
      tcpIn_.erase(tcpIn_.begin(), tcpIn_.begin() + 2 + static_cast<long>(len));
      if (deliver(tcpSent_, msg.data(), msg.size(), Transport::Tcp)) return;
    }
    tcpWatch_.watch(tcpFd_.get(), EV_READ);
  }

  void tcpWrite() {
    if (!tcpConnected_) {
      int e = 0;
      socklen_t l = sizeof e;
      ::getsockopt(tcpFd_.get(), SOL_SOCKET, SO_ERROR, &e, &l);
      if (e != 0) {
        note("connect " + result_.server + ": " + std::strerror(e));
        return tcpFd_.reset();
      }
      tcpConnected_ = true;
      ++owner_.counters_.sent;
    }
    ssize_t n = ::send(tcpFd_.get(), tcpOut_.data(), tcpOut_.size(), MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      note("send to " + result_.server + ": " + std::strerror(errno));
      return tcpFd_.reset();
    }
    if (n > 0) tcpOut_.erase(tcpOut_.begin(), tcpOut_.begin() + n);
    tcpWatch_.watch(tcpFd_.get(), tcpOut_.empty() ? EV_READ : EV_WRITE);
  }

  void note(const std::string& e) { lastError_ = e; }
  void ignored(const std::string& why) {
    ++owner_.counters_.ignored;
    lastIgnored_ = why;
  }
  void fail(const std::string& e) {
    result_.error = e;
    finish();
  }

  void timedOut() {
    if (readingSerial_) return finish();  // the update stands; its serial is unknown
    result_.timedOut = true;
    result_.error = "no reply from " + result_.server + " within " + std::to_string(options_.deadline.count()) +
                    " ms after " + std::to_string(result_.attempts) + " attempt" + (result_.attempts == 1 ? "" : "s");
    if (!lastError_.empty()) result_.error += " (" + lastError_ + ")";
    if (!lastIgnored_.empty()) result_.error += " (ignored: " + lastIgnored_ + ")";
    finish();
  }

  void finish() {
    kick_.cancel();
    deadline_.cancel();
    tcpWatch_.stop();
    for (auto& a : udp_) a->watch->stop();
    result_.elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
    if (readingSerial_) {
      result_.attempts = updateAttempts_;
      result_.transport = updateTransport_;
    }
    owner_.finished(id_, result_);  // deletes this later, from the loop
  }

  UpdateClient& owner_;
  Id id_;
  net::Address server_;
  Request request_;
  ExchangeOptions options_;
  ExchangeDone done_;
  std::chrono::steady_clock::time_point started_;
  Result result_;
  bool tcp_ = false;
  std::string lastError_, lastIgnored_;
  ev::Timer kick_, deadline_;
  std::vector<std::unique_ptr<UdpAttempt>> udp_;
  ev::IoWatch tcpWatch_;
  UniqueFd tcpFd_;
  Encoded tcpSent_;
  std::vector<std::uint8_t> tcpOut_, tcpIn_;
  bool tcpConnected_ = false;
  bool readingSerial_ = false;  // ExchangeOptions::readSerial, after the UPDATE's NOERROR
  int updateAttempts_ = 0;
  Transport updateTransport_ = Transport::Udp;
};

UpdateClient::UpdateClient(ev::Loop& loop) : loop_(loop) {}
UpdateClient::~UpdateClient() = default;

UpdateClient::Id UpdateClient::send(const net::Address& server, Request request, const ExchangeOptions& options,
                                    ExchangeDone done) {
  Id id = next_++;
  (request.isUpdate() ? counters_.updates : counters_.queries)++;
  auto ex = std::make_unique<Exchange>(*this, id, server, std::move(request), options, std::move(done));
  Exchange* raw = ex.get();
  exchanges_.emplace(id, std::move(ex));
  raw->start();
  return id;
}

void UpdateClient::cancel(Id id) {
  auto it = exchanges_.find(id);
  if (it == exchanges_.end()) return;
  loop_.deleteLater(std::move(it->second));  // its own callback may be running
  exchanges_.erase(it);
}

void UpdateClient::finished(Id id, const Result& result) {
  auto it = exchanges_.find(id);
  if (it == exchanges_.end()) return;
  std::unique_ptr<Exchange> ex = std::move(it->second);
  exchanges_.erase(it);
  ExchangeDone done = ex->takeDone();
  Result copy = result;  // `result` lives in *ex
  loop_.deleteLater(std::move(ex));
  if (done) done(copy);
}

}  // namespace fail::dns

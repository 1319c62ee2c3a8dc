// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "check/tls_client.hh"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <cstdint>

#include <map>
#include <stdexcept>

#include "net/tls.hh"

namespace fail::check {
namespace {

using net::drainSslErrors;

// A socket BIO of our own, because OpenSSL's writes with write(2): a peer's RST would
// raise SIGPIPE. This one sends with MSG_NOSIGNAL. The fd (not owned) is the BIO's data.
int fdOf(BIO* b) { return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(b))); }
bool retryable(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

int bioWrite(BIO* b, const char* data, int len) noexcept {
  BIO_clear_retry_flags(b);
  ssize_t n = ::send(fdOf(b), data, static_cast<std::size_t>(len), MSG_NOSIGNAL);
  if (n < 0 && retryable(errno)) BIO_set_retry_write(b);
  return static_cast<int>(n);
}

int bioRead(BIO* b, char* buf, int len) noexcept {
  BIO_clear_retry_flags(b);
  ssize_t n = ::recv(fdOf(b), buf, static_cast<std::size_t>(len), 0);
  if (n < 0 && retryable(errno)) BIO_set_retry_read(b);
  if (n == 0) BIO_set_flags(b, BIO_FLAGS_IN_EOF);
  return static_cast<int>(n);
}

long bioCtrl(BIO* b, int cmd, long, void*) noexcept {
  if (cmd == BIO_CTRL_FLUSH) return 1;
  if (cmd == BIO_CTRL_EOF) return BIO_test_flags(b, BIO_FLAGS_IN_EOF) != 0;
  return 0;
}

int bioCreate(BIO* b) noexcept {
  BIO_set_init(b, 1);
  return 1;
}

BIO* newSocketBio(int fd) {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "hc socket");
    if (m) {
      BIO_meth_set_write(m, bioWrite);
      BIO_meth_set_read(m, bioRead);
      BIO_meth_set_ctrl(m, bioCtrl);
      BIO_meth_set_create(m, bioCreate);
    }
    return m;
  }();
  BIO* b = method ? BIO_new(method) : nullptr;
  if (b) BIO_set_data(b, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)));
  return b;
}

}  // namespace

std::shared_ptr<SSL_CTX> sharedClientContext(const std::string& caFile) {
  static std::map<std::string, std::weak_ptr<SSL_CTX>> cache;
  for (auto it = cache.begin(); it != cache.end();)  // forget contexts nobody holds
    it = it->second.expired() ? cache.erase(it) : std::next(it);
  if (auto found = cache.find(caFile); found != cache.end()) return found->second.lock();
  std::string err;
  net::SslCtxPtr made = net::makeClientContext(net::TlsFiles{"", "", caFile}, err);
  if (!made) throw std::runtime_error(err);
  std::shared_ptr<SSL_CTX> ctx(made.release(), SSL_CTX_free);
  cache[caFile] = ctx;
  return ctx;
}

bool judgeCertificate(const CertCheck& cert, bool verify, int warnDays, ProbeResult& r) {
  if (verify && cert.problems) {
    r.outcome = Outcome::Fail;
    if (cert.problems & CertCheck::Expired) r.note = "certificate expired";
    else if (cert.problems & CertCheck::NotYetValid) r.note = "certificate not yet valid";
    else if (cert.problems & CertCheck::NameMismatch) r.note = "certificate name mismatch";
    else r.note = "certificate not trusted";
    if (cert.present) r.attrs.emplace_back("cert_days", std::to_string(cert.daysLeft));
    return false;
  }
  if (!cert.present) return true;
  r.attrs.emplace_back("cert_days", std::to_string(cert.daysLeft));
  if (cert.daysLeft < 0 || (cert.problems & CertCheck::Expired)) r.warning = "certificate expired";
  else if (cert.daysLeft < warnDays) r.warning = "certificate expires soon";
  return true;
}

int TlsClient::verifyCallback(int ok, X509_STORE_CTX* store) noexcept {
  if (ok) return 1;
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* self = ssl ? static_cast<TlsClient*>(SSL_get_app_data(ssl)) : nullptr;
  if (self) {
    switch (X509_STORE_CTX_get_error(store)) {
      case X509_V_ERR_CERT_HAS_EXPIRED: self->problems_ |= CertCheck::Expired; break;
      case X509_V_ERR_CERT_NOT_YET_VALID: self->problems_ |= CertCheck::NotYetValid; break;
      case X509_V_ERR_HOSTNAME_MISMATCH:
      case X509_V_ERR_IP_ADDRESS_MISMATCH: self->problems_ |= CertCheck::NameMismatch; break;
      default: self->problems_ |= CertCheck::Untrusted; break;
    }
  }
  return 1;  // carry on: the probe judges once the handshake is over
}

bool TlsClient::begin(SSL_CTX* ctx, int fd, const std::string& sni, const std::string& name) {
  reset();
  ERR_clear_error();
  ssl_.reset(SSL_new(ctx));
  BIO* bio = ssl_ ? newSocketBio(fd) : nullptr;
  bool ok = bio != nullptr;
  if (ok) {
    SSL_set_bio(ssl_.get(), bio, bio);  // the SSL owns it now
    SSL_set_app_data(ssl_.get(), this);
    SSL_set_verify(ssl_.get(), SSL_VERIFY_PEER, verifyCallback);
    ok = net::setServerName(ssl_.get(), sni) && net::setPeerName(ssl_.get(), name);
  }
  if (!ok) {
    std::string why = drainSslErrors();
    reset();
    detail_ = std::move(why);
    return false;
  }
  SSL_set_connect_state(ssl_.get());
  return true;
}

TlsClient::Io TlsClient::classify(int rc) {
  int sys = errno;  // before anything else can change it
  int err = SSL_get_error(ssl_.get(), rc);
  switch (err) {
    case SSL_ERROR_WANT_READ: return Io::WantRead;
    case SSL_ERROR_WANT_WRITE: return Io::WantWrite;
    case SSL_ERROR_ZERO_RETURN: return Io::Closed;
    case SSL_ERROR_SYSCALL:
      detail_ = drainSslErrors();
      if (sys == 0) return Io::Closed;
      errno_ = sys;
      return Io::Failed;
    default:
      detail_ = drainSslErrors();
      return Io::Failed;
  }
}

TlsClient::Io TlsClient::handshake() {
  int rc = SSL_do_handshake(ssl_.get());
  return rc == 1 ? Io::Ok : classify(rc);
}

TlsClient::Io TlsClient::read(char* buf, std::size_t cap, std::size_t& got) {
  got = 0;
  return SSL_read_ex(ssl_.get(), buf, cap, &got) == 1 ? Io::Ok : classify(0);
}

TlsClient::Io TlsClient::write(const char* buf, std::size_t len, std::size_t& wrote) {
  wrote = 0;
  return SSL_write_ex(ssl_.get(), buf, len, &wrote) == 1 ? Io::Ok : classify(0);
}

CertCheck TlsClient::certificate() const {
  CertCheck c;
  c.problems = problems_;
  X509* cert = ssl_ ? SSL_get0_peer_certificate(ssl_.get()) : nullptr;
  if (!cert) {
    c.problems |= CertCheck::Untrusted;
    return c;
  }
  c.present = true;
  int days = 0, secs = 0;
  if (ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(cert)) == 1) {
    // days and secs share their sign; round towards the past: 2 hours ago is day -1.
    c.daysLeft = days - ((days <= 0 && secs < 0) ? 1 : 0);
    if (days < 0 || secs < 0) c.problems |= CertCheck::Expired;
  }
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) c.problems |= CertCheck::NotYetValid;
  return c;
}

void TlsClient::reset() noexcept {
  ssl_.reset();
  problems_ = 0;
  errno_ = 0;
  detail_.clear();
}

}  // namespace fail::check

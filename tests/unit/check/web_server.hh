// Test peers for the http, https and tls probes: a loopback TCP server (optionally TLS)
// on its own thread whose behaviour is a handler (answer, trickle, flood, stay silent,
// reset...), and a small PKI made with OpenSSL's C API (a CA, and certificates valid,
// expired, near expiry, or for another name).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace fail::check::test {

// The number of open file descriptors of this process.
inline int openFds() {
  int n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

class WebServer {
 public:
  // One accepted connection, as the handler sees it (on the server's thread).
  struct Conn {
    Conn(WebServer& s, int f) : server(s), fd(f) {}
    WebServer& server;
    int fd;
    SSL* ssl = nullptr;
    std::string request;

    // Reads a request header (to the empty line); false on EOF, error or 3 s.
    bool readRequest() {
      char buf[4096];
      auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
      while (request.find("\r\n\r\n") == std::string::npos) {
        if (server.stopping() || std::chrono::steady_clock::now() > end) return false;
        int n = ssl ? SSL_read(ssl, buf, sizeof buf) : static_cast<int>(::recv(fd, buf, sizeof buf, 0));
        if (n > 0) request.append(buf, static_cast<std::size_t>(n));
        else if (!timedOut(n)) return false;
      }
      server.record(request);
      return true;
    }
    // Sends all of `data`; false once the peer is gone (or the server stops).
    bool send(std::string_view data) {
      while (!data.empty()) {
        if (server.stopping()) return false;
        int n = ssl ? SSL_write(ssl, data.data(), static_cast<int>(data.size()))
                    : static_cast<int>(::send(fd, data.data(), data.size(), MSG_NOSIGNAL));
        if (n > 0) data.remove_prefix(static_cast<std::size_t>(n));
        else if (!timedOut(n)) return false;
      }
      return true;
    }
    // Waits until the peer closes (or the server stops), reading and dropping bytes.
    void drain() {
      char buf[4096];
      while (!server.stopping()) {
        int n = ssl ? SSL_read(ssl, buf, sizeof buf) : static_cast<int>(::recv(fd, buf, sizeof buf, 0));
        if (n <= 0 && !timedOut(n)) return;
      }
    }
    // Makes the close that follows the handler an RST (call it last).
    void reset() {
      linger l{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }

   private:
    bool timedOut(int n) const {
      if (ssl) {
        int e = SSL_get_error(ssl, n);
        ERR_clear_error();
        return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
      }
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
    }
  };
  using Handler = std::function<void(Conn&)>;

  // Listens on 127.0.0.1 (a port of the kernel's choice); with `tls`, each connection
  // completes a TLS handshake before the handler runs.
  explicit WebServer(Handler handler, SSL_CTX* tls = nullptr) : handler_(std::move(handler)), tls_(tls) {
    std::signal(SIGPIPE, SIG_IGN);  // SSL_write to a peer gone
    listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_, 64) != 0 ||
        ::getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("test server: cannot listen");
    port_ = ntohs(a.sin_port);
    if (tls_) {  // SNI is seen with the ClientHello: before the client can finish
      SSL_CTX_set_tlsext_servername_callback(tls_, servername);
      SSL_CTX_set_tlsext_servername_arg(tls_, this);
    }
    thread_ = std::thread([this] { run(); });
  }
  ~WebServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_);
  }
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  std::uint16_t port() const { return port_; }
  bool stopping() const { return stop_; }
  int connections() const { return connections_; }
  int finished() const { return finished_; }  // connections whose handler returned
  std::vector<std::string> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::string lastRequest() const {
    auto r = requests();
    return r.empty() ? std::string() : r.back();
  }
  std::string lastSni() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sni_;
  }
  void record(const std::string& request) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{listen_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      timeval tv{0, 50 * 1000};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      Conn c{*this, fd};
      if (tls_ && !handshake(c)) {
        ::close(fd);
        ++finished_;
        continue;
      }
      handler_(c);
      if (c.ssl) SSL_free(c.ssl);
      ERR_clear_error();
      ::close(fd);
      ++finished_;
    }
  }

  bool handshake(Conn& c) {
    c.ssl = SSL_new(tls_);
    SSL_set_fd(c.ssl, c.fd);
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    int rc;
    while ((rc = SSL_accept(c.ssl)) != 1) {
      int e = SSL_get_error(c.ssl, rc);
      if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || stop_ ||
          std::chrono::steady_clock::now() > end) {
        SSL_free(c.ssl);
        c.ssl = nullptr;
        ERR_clear_error();
        return false;
      }
    }
    return true;
  }

  static int servername(SSL* ssl, int*, void* arg) {
    auto* self = static_cast<WebServer*>(arg);
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    std::lock_guard<std::mutex> lock(self->mu_);
    self->sni_ = name ? name : "";
    return SSL_TLSEXT_ERR_OK;
  }

  Handler handler_;
  SSL_CTX* tls_;
  int listen_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0}, finished_{0};
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  std::string sni_;
  std::thread thread_;
};

// Handlers for the usual answers.
inline WebServer::Handler answer(std::string response) {
  return [response](WebServer::Conn& c) {
    if (c.readRequest()) c.send(response);
  };
}

inline std::string okResponse(std::string_view body, std::string_view status = "200 OK") {
  return "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// A port on 127.0.0.1 on which nothing listens.
inline std::uint16_t closedPort() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

// A CA and certificates it signs, as PEM files in a temporary folder.
class Pki {
 public:
  Pki() {
    std::string tmpl = ::testing::TempDir() + "hc_pki_XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    caKey_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    caCert_ = makeCert(caKey_.get(), "hc test CA", nullptr, -86400, 86400 * 365, nullptr);
    caFile = dir_ + "/ca.crt";
    writeCert(caCert_.get(), caFile);
  }
  ~Pki() { std::filesystem::remove_all(dir_); }
  Pki(const Pki&) = delete;
  Pki& operator=(const Pki&) = delete;

  struct Files {
    std::string cert, key;
  };
  // A certificate for `san` (e.g. "DNS:localhost,IP:127.0.0.1") valid from `from` to
  // `to` seconds relative to now, signed by the CA (or by itself with `selfSigned`).
  Files leaf(const std::string& name, const char* san, long from, long to, bool selfSigned = false) {
    std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    auto cert = makeCert(key.get(), name.c_str(), san, from, to, selfSigned ? nullptr : caCert_.get(),
                         selfSigned ? key.get() : caKey_.get());
    Files f{dir_ + "/" + name + ".crt", dir_ + "/" + name + ".key"};
    writeCert(cert.get(), f.cert);
    FILE* out = std::fopen(f.key.c_str(), "w");
    PEM_write_PrivateKey(out, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(out);
    return f;
  }

  struct CtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
  };
  using CtxPtr = std::unique_ptr<SSL_CTX, CtxFree>;
  static CtxPtr serverContext(const Files& f) {
    CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), f.cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx.get(), f.key.c_str(), SSL_FILETYPE_PEM) != 1)
      throw std::runtime_error("test server: cannot load " + f.cert);
    return ctx;
  }

  std::string caFile;
  const std::string& dir() const { return dir_; }

 private:
  struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  };
  struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
  };
  using CertPtr = std::unique_ptr<X509, X509Free>;

  CertPtr makeCert(EVP_PKEY* key, const char* cn, const char* san, long from, long to, X509* issuer,
                   EVP_PKEY* signer = nullptr) {
    CertPtr x(X509_new());
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), ++serial_);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), from);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), to);
    X509_set_pubkey(x.get(), key);
    X509_NAME* n = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer) : n);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x.get(), x.get(), nullptr, nullptr, 0);
    std::vector<std::pair<int, const char*>> exts = {
        {NID_basic_constraints, issuer ? "critical,CA:FALSE" : "critical,CA:TRUE"}};
    if (san) exts.emplace_back(NID_subject_alt_name, san);
    for (auto [nid, value] : exts) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(x.get(), ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(x.get(), signer ? signer : key, EVP_sha256());
    return x;
  }
  static void writeCert(X509* x, const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "w");
    PEM_write_X509(f, x);
    std::fclose(f);
  }

  std::string dir_;
  long serial_ = 0;
  std::unique_ptr<EVP_PKEY, PkeyFree> caKey_;
  CertPtr caCert_;
};

}  // namespace fail::check::test

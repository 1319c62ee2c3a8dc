// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Kind "tls": connect, complete a TLS handshake and judge the server's certificate
// (chain, name, expiry); nothing is sent over the session, which is closed with an RST.
#include "base/unique_fd.hh"
#include "check/classify.hh"
#include "check/probe_base.hh"
#include "check/registry.hh"
#include "check/tls_client.hh"
#include "net/tcp.hh"

namespace fail::check {
namespace {

class TlsProbe final : public ProbeBase {
 public:
  TlsProbe(ev::Loop& loop, net::Address to, std::string sni, std::string name, bool verify,
           int warnDays, std::shared_ptr<SSL_CTX> ctx)
      : ProbeBase(loop),
        to_(to),
        sni_(std::move(sni)),
        name_(std::move(name)),
        verify_(verify),
        warnDays_(warnDays),
        ctx_(std::move(ctx)) {}
  ~TlsProbe() override { cancel(); }

 private:
  void begin(std::chrono::microseconds) override {
    haveCert_ = false;
    handshaking_ = false;
    connectTo(to_, fd_);
  }

  void release() noexcept override {
    tls_.reset();
    net::abortiveClose(fd_);
  }

  void onReady(ev::IoWatch::Ready) override {
    if (!handshaking_) {
      if (!connected(fd_.get())) return;
      if (!tls_.begin(ctx_.get(), fd_.get(), sni_, name_))
        return finish(Outcome::LocalError, "TLS: " + tls_.detail());
      handshaking_ = true;
    }
    switch (tls_.handshake()) {
      case TlsClient::Io::Ok:
        cert_ = tls_.certificate();
        haveCert_ = true;
        return finish(Outcome::Ok, {});  // the certificate is judged in complete()
      case TlsClient::Io::WantRead: return watch(fd_.get(), EV_READ);
      case TlsClient::Io::WantWrite: return watch(fd_.get(), EV_WRITE);
      case TlsClient::Io::Failed:
        if (tls_.sysErrno()) return finishErrno(tls_.sysErrno(), "TLS");
        [[fallthrough]];
      case TlsClient::Io::Closed: return finish(Outcome::Fail, "TLS handshake failed");
    }
  }

  void complete(ProbeResult& r) override {
    if (haveCert_) judgeCertificate(cert_, verify_, warnDays_, r);
  }

  const net::Address to_;
  const std::string sni_, name_;
  const bool verify_;
  const int warnDays_;
  const std::shared_ptr<SSL_CTX> ctx_;
  UniqueFd fd_;
  TlsClient tls_;
  bool handshaking_ = false;
  bool haveCert_ = false;
  CertCheck cert_;
};

std::unique_ptr<Probe> makeTls(const ProbeContext& ctx, const CheckSpec& spec) {
  std::string host = spec.str("host");
  auto port = static_cast<std::uint16_t>(spec.integer("port", 1, 65535));
  std::string error;
  auto to = net::resolve(host, port, &error);
  if (!to) throw ConfigError(spec.where("host") + error);
  // The certificate must name what SNI asked for; without SNI, the host.
  std::string sni = spec.has("sni") ? spec.str("sni") : host;
  std::string name = sni.empty() ? host : sni;
  std::shared_ptr<SSL_CTX> tls;
  try {
    tls = sharedClientContext(spec.has("ca") ? spec.str("ca") : std::string());
  } catch (const std::runtime_error& e) {
    throw ConfigError(spec.where("ca") + e.what());
  }
  return std::make_unique<TlsProbe>(*ctx.loop, *to, std::move(sni), std::move(name), spec.flag("verify"),
                                    static_cast<int>(spec.integer("cert-warn-days", 0, 3650)), std::move(tls));
}

}  // namespace

const KindDesc& tlsKind() {
  static const KindDesc kind{
      "tls",
      "complete a TLS handshake and judge the certificate (chain, name, expiry)",
      {
          {"host", OptType::String, nullptr,
           "address to connect to (a name is resolved once, when the configuration is loaded)", true},
          {"port", OptType::Int, "443", "TCP port (1-65535)"},
          {"sni", OptType::String, nullptr,
           "server name sent (SNI) and expected in the certificate (default: -host; \"\" sends none)"},
          {"verify", OptType::Bool, "1", "verify the certificate chain and name"},
          {"ca", OptType::String, nullptr, "PEM file of trusted CA certificates (default: the system's)"},
          {"cert-warn-days", OptType::Int, "14",
           "a certificate expiring within this many days gives a warning; the state stays UP (0-3650)"},
      },
      makeTls,
  };
  return kind;
}

}  // namespace fail::check

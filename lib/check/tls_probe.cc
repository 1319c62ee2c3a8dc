// Kind "tls": connect, complete a TLS handshake and judge the server's certificate
// (chain, name, expiry); nothing is sent over the session, which is closed with an RST.
#include <errno.h>

#include "base/unique_fd.hh"
#include "check/net_util.hh"
#include "check/registry.hh"
#include "check/tls_client.hh"
#include "ev/ev.hh"

namespace fail::check {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::microseconds;

class TlsProbe final : public Probe {
 public:
  TlsProbe(event_base* base, net::Address to, std::string sni, std::string name, bool verify,
           int warnDays, std::shared_ptr<SSL_CTX> ctx)
      : to_(to),
        sni_(std::move(sni)),
        name_(std::move(name)),
        verify_(verify),
        warnDays_(warnDays),
        ctx_(std::move(ctx)),
        io_(base, [this](ev::IoWatch::Ready r) { onReady(r); }),
        later_(base, [this] { deliver(); }) {}
  ~TlsProbe() override { cancel(); }

  void start(microseconds timeout, Done done) override {
    cancel();
    done_ = std::move(done);
    started_ = Clock::now();
    deadline_ = started_ + timeout;
    haveCert_ = false;
    if (int err = net::startConnect(to_, fd_)) {
      auto c = net::classifyErrno(err, "connect");
      return finishLater(c.outcome, std::move(c.note));  // never call done from start()
    }
    phase_ = Phase::Connecting;
    io_.watch(fd_.get(), EV_WRITE, timeout);
  }

  void cancel() noexcept override {
    io_.stop();
    later_.cancel();
    tls_.reset();
    net::abortiveClose(fd_);
    phase_ = Phase::Idle;
    done_ = nullptr;
  }

 private:
  enum class Phase : std::uint8_t { Idle, Connecting, Handshaking, Delivering };

  void onReady(ev::IoWatch::Ready r) {
    if (r == ev::IoWatch::Ready::TimedOut) return finish(Outcome::Timeout, "timeout");
    if (phase_ == Phase::Connecting) {
      if (int err = net::connectResult(fd_.get())) {
        auto c = net::classifyErrno(err, "connect");
        return finish(c.outcome, std::move(c.note));
      }
      if (!tls_.begin(ctx_.get(), fd_.get(), sni_, name_))
        return finish(Outcome::LocalError, "TLS: " + tls_.detail());
      phase_ = Phase::Handshaking;
    }
    if (phase_ == Phase::Handshaking) handshake();
  }

  void handshake() {
    switch (tls_.handshake()) {
      case TlsClient::Io::Ok:
        cert_ = tls_.certificate();
        haveCert_ = true;
        return finish(Outcome::Ok, {});  // the certificate is judged in finish()
      case TlsClient::Io::WantRead: return rewatch(EV_READ);
      case TlsClient::Io::WantWrite: return rewatch(EV_WRITE);
      case TlsClient::Io::Failed:
        if (tls_.sysErrno()) {
          auto c = net::classifyErrno(tls_.sysErrno(), "TLS");
          return finish(c.outcome, std::move(c.note));
        }
        [[fallthrough]];
      case TlsClient::Io::Closed: return finish(Outcome::Fail, "TLS handshake failed");
    }
  }

  void rewatch(short what) {
    auto left = duration_cast<microseconds>(deadline_ - Clock::now());
    if (left.count() <= 0) return finish(Outcome::Timeout, "timeout");
    io_.watch(fd_.get(), what, left);
  }

  // Ends the attempt; `done` is called last, so it may start the next one.
  void finish(Outcome o, std::string note) {
    io_.stop();
    tls_.reset();
    net::abortiveClose(fd_);
    phase_ = Phase::Idle;
    Done done = std::move(done_);
    done_ = nullptr;
    ProbeResult r;
    r.outcome = o;
    r.note = std::move(note);
    r.latency = duration_cast<microseconds>(Clock::now() - started_);
    if (haveCert_) judgeCertificate(cert_, verify_, warnDays_, r);
    if (done) done(std::move(r));
  }

  void finishLater(Outcome o, std::string note) {
    phase_ = Phase::Delivering;
    pendingOutcome_ = o;
    pendingNote_ = std::move(note);
    later_.arm(microseconds(0));
  }
  void deliver() {
    if (phase_ == Phase::Delivering) finish(pendingOutcome_, std::move(pendingNote_));
  }

  const net::Address to_;
  const std::string sni_, name_;
  const bool verify_;
  const int warnDays_;
  const std::shared_ptr<SSL_CTX> ctx_;
  ev::IoWatch io_;
  ev::Timer later_;
  UniqueFd fd_;
  TlsClient tls_;
  Done done_;
  Phase phase_ = Phase::Idle;
  Clock::time_point started_{}, deadline_{};
  bool haveCert_ = false;
  CertCheck cert_;
  Outcome pendingOutcome_ = Outcome::LocalError;
  std::string pendingNote_;
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
  return std::make_unique<TlsProbe>(ctx.base, *to, std::move(sni), std::move(name), spec.flag("verify"),
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

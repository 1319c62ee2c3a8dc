// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Kinds "smtp", "ftp", "imap" and "pop3": a dialog with a line-based server, written as an
// explicit table of steps (keepalived check_smtp.c) run over one non-blocking socket.
// Each step sends a command (or nothing), reads one reply of at most 8 KiB and judges it;
// every read, write and TLS handshake waits with the attempt's remaining time, so a
// server that trickles, floods or never answers ends as a Timeout or a Fail in time.
//
// The verdict is reached before the polite goodbye (QUIT, LOGOUT): whatever happens after
// it (no answer, a reset) does not change the result, and the latency is measured up to
// the verdict.
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <span>

#include "base/text.hh"
#include "base/unique_fd.hh"
#include "check/banner_parse.hh"
#include "check/classify.hh"
#include "check/probe_base.hh"
#include "check/registry.hh"
#include "check/tls_client.hh"
#include "net/tcp.hh"

namespace fail::check {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

enum class Cmd : std::uint8_t { None, Ehlo, StartTls, User, Pass, Quit, ImapLogout };
enum class Expect : std::uint8_t {
  Banner220,    // SMTP/FTP greeting (FTP's preliminary 1xx is read past)
  Ehlo250,
  StartTls220,  // then the TLS handshake
  FtpUser,      // 331 goes on to PASS, 230 skips it
  FtpPass,      // 230
  ImapOk,       // "* OK" or "* PREAUTH"
  Pop3Ok,       // "+OK"
  Anything,     // the goodbye: the verdict is already Ok, any answer (or none) ends it
};
struct Step {
  const char* name;  // the "step" attribute of a failure
  Cmd cmd;           // sent before the reply is read
  Expect expect;
};

constexpr Step kSmtp[] = {{"banner", Cmd::None, Expect::Banner220},
                          {"ehlo", Cmd::Ehlo, Expect::Ehlo250},
                          {"quit", Cmd::Quit, Expect::Anything}};
constexpr Step kSmtpStartTls[] = {{"banner", Cmd::None, Expect::Banner220},
                                  {"ehlo", Cmd::Ehlo, Expect::Ehlo250},
                                  {"starttls", Cmd::StartTls, Expect::StartTls220},
                                  {"ehlo", Cmd::Ehlo, Expect::Ehlo250},
                                  {"quit", Cmd::Quit, Expect::Anything}};
constexpr Step kFtp[] = {{"banner", Cmd::None, Expect::Banner220},
                         {"quit", Cmd::Quit, Expect::Anything}};
constexpr Step kFtpLogin[] = {{"banner", Cmd::None, Expect::Banner220},
                              {"user", Cmd::User, Expect::FtpUser},
                              {"pass", Cmd::Pass, Expect::FtpPass},
                              {"quit", Cmd::Quit, Expect::Anything}};
constexpr Step kImap[] = {{"banner", Cmd::None, Expect::ImapOk},
                          {"logout", Cmd::ImapLogout, Expect::Anything}};
constexpr Step kPop3[] = {{"banner", Cmd::None, Expect::Pop3Ok},
                          {"quit", Cmd::Quit, Expect::Anything}};

enum class Kind : std::uint8_t { Smtp, Ftp, Imap, Pop3 };

struct Config {
  Kind kind = Kind::Smtp;
  net::Address to;
  std::string host;  // as configured: SNI and certificate name
  std::string helo, user, password;
  bool starttls = false, verify = false;
  std::string ca;
};

class BannerProbe final : public ProbeBase {
 public:
  BannerProbe(ev::Loop& loop, Config cfg, std::shared_ptr<SSL_CTX> ctx)
      : ProbeBase(loop), cfg_(std::move(cfg)), ctx_(std::move(ctx)), steps_(pickSteps(cfg_)) {}
  ~BannerProbe() override { cancel(); }

 private:
  enum class Phase : std::uint8_t { Connecting, Handshaking, Writing, Reading };

  void begin(microseconds) override {
    decided_ = false;
    in_.clear();
    attrs_.clear();
    warning_.clear();
    step_ = 0;
    code_ = 0;
    phase_ = Phase::Connecting;
    connectTo(cfg_.to, fd_);
  }

  void release() noexcept override {
    tls_.reset();
    net::abortiveClose(fd_);
  }

  static std::span<const Step> pickSteps(const Config& c) {
    switch (c.kind) {
      case Kind::Smtp: return c.starttls ? std::span<const Step>(kSmtpStartTls) : kSmtp;
      case Kind::Ftp: return c.user.empty() ? std::span<const Step>(kFtp) : kFtpLogin;
      case Kind::Imap: return kImap;
      case Kind::Pop3: return kPop3;
    }
    return kSmtp;
  }

  const Step& step() const { return steps_[step_]; }

  void onReady(ev::IoWatch::Ready) override {
    switch (phase_) {
      case Phase::Connecting:
        if (!connected(fd_.get())) return;
        return beginStep(0);
      case Phase::Handshaking: return handshake();
      case Phase::Writing: return writeSome();
      case Phase::Reading: return readSome();
    }
  }

  void beginStep(std::size_t i) {
    step_ = i;
    if (step_ >= steps_.size()) return finish(Outcome::Ok, {});
    if (step().expect == Expect::Anything && !decided_) {
      decided_ = true;
      latency_ = duration_cast<microseconds>(Clock::now() - started());
    }
    out_.clear();
    sent_ = 0;
    code_ = 0;
    switch (step().cmd) {
      case Cmd::None: break;
      case Cmd::Ehlo: out_ = "EHLO " + cfg_.helo + "\r\n"; break;
      case Cmd::StartTls: out_ = "STARTTLS\r\n"; break;
      case Cmd::User: out_ = "USER " + cfg_.user + "\r\n"; break;
      case Cmd::Pass: out_ = "PASS " + cfg_.password + "\r\n"; break;
      case Cmd::Quit: out_ = "QUIT\r\n"; break;
      case Cmd::ImapLogout: out_ = "a1 LOGOUT\r\n"; break;
    }
    if (!out_.empty()) {
      phase_ = Phase::Writing;
      return writeSome();
    }
    phase_ = Phase::Reading;
    parse();  // a reply may already be buffered
  }

  // One read or write, plain or through TLS. On Failed the attempt is already finished.
  enum class Xfer : std::uint8_t { Data, End, WantRead, WantWrite, Failed };
  Xfer transfer(bool write, char* buf, std::size_t len, std::size_t& n) {
    n = 0;
    if (tls_.active()) {
      switch (write ? tls_.write(buf, len, n) : tls_.read(buf, len, n)) {
        case TlsClient::Io::Ok: return Xfer::Data;
        case TlsClient::Io::WantRead: return Xfer::WantRead;
        case TlsClient::Io::WantWrite: return Xfer::WantWrite;
        case TlsClient::Io::Closed: return Xfer::End;
        case TlsClient::Io::Failed:
          if (tls_.sysErrno()) {
            finishErrno(tls_.sysErrno(), write ? "send" : "recv");
          } else {
            attrs_.emplace_back("tls_error", tls_.detail());
            finish(Outcome::Fail, "TLS error");
          }
          return Xfer::Failed;
      }
    }
    for (;;) {
      ssize_t r = write ? ::send(fd_.get(), buf, len, MSG_NOSIGNAL) : ::recv(fd_.get(), buf, len, 0);
      if (r > 0) {
        n = static_cast<std::size_t>(r);
        return Xfer::Data;
      }
      if (r == 0) return Xfer::End;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return write ? Xfer::WantWrite : Xfer::WantRead;
      finishErrno(errno, write ? "send" : "recv");
      return Xfer::Failed;
    }
  }

  void writeSome() {
    while (sent_ < out_.size()) {
      std::size_t n = 0;
      switch (transfer(true, out_.data() + sent_, out_.size() - sent_, n)) {
        case Xfer::Data: sent_ += n; continue;
        case Xfer::WantRead: return watch(fd_.get(), EV_READ);
        case Xfer::WantWrite: return watch(fd_.get(), EV_WRITE);
        case Xfer::End: return finish(Outcome::Fail, "connection closed");
        case Xfer::Failed: return;
      }
    }
    phase_ = Phase::Reading;
    parse();
  }

  // Reads what there is (at most one reply's bound past the buffer), then parses.
  void readSome() {
    char buf[4096];
    bool got = false;
    while (in_.size() <= banner::kMaxReply) {
      std::size_t room = banner::kMaxReply + 1 - in_.size(), n = 0;
      Xfer x = transfer(false, buf, std::min(room, sizeof buf), n);
      switch (x) {
        case Xfer::Data: break;
        case Xfer::WantRead:
        case Xfer::WantWrite:
          if (got) return parse();
          return watch(fd_.get(), x == Xfer::WantWrite ? EV_WRITE : EV_READ);
        case Xfer::End: return finish(Outcome::Fail, "connection closed");
        case Xfer::Failed: return;
      }
      if (step().expect == Expect::Anything) return finish(Outcome::Ok, {});
      in_.append(buf, n);
      got = true;
    }
    parse();  // TooLong or Complete
  }

  // Judges the buffered reply, if complete; otherwise waits for more.
  void parse() {
    const Step& s = step();
    if (s.expect == Expect::Anything) {
      if (!in_.empty()) return finish(Outcome::Ok, {});
      return watch(fd_.get(), EV_READ);
    }
    bool lines = s.expect == Expect::ImapOk || s.expect == Expect::Pop3Ok;
    auto dialect = cfg_.kind == Kind::Ftp ? banner::Dialect::Ftp : banner::Dialect::Smtp;
    banner::Status status;
    std::size_t consumed = 0;
    banner::Reply reply;
    std::string line;
    for (;;) {
      if (lines) {
        auto p = banner::parseLine(in_);
        status = p.status;
        consumed = p.consumed;
        line = std::move(p.line);
      } else {
        auto p = banner::parseReply(in_, dialect);
        status = p.status;
        consumed = p.consumed;
        reply = std::move(p.reply);
      }
      if (status == banner::Status::Complete) in_.erase(0, consumed);
      // FTP may say "120 ready in N minutes" before its 220 (RFC 959 section 5.4).
      bool preliminary = status == banner::Status::Complete && s.expect == Expect::Banner220 &&
                         cfg_.kind == Kind::Ftp && reply.code < 200;
      if (!preliminary) break;
    }
    switch (status) {
      case banner::Status::Incomplete: return watch(fd_.get(), EV_READ);
      case banner::Status::TooLong: return finish(Outcome::Fail, "reply too long");
      case banner::Status::Malformed:
        return finish(Outcome::Fail, step_ == 0 ? "unexpected banner" : "unexpected reply");
      case banner::Status::Complete: break;
    }
    if (step_ == 0) attrs_.emplace_back("banner", printable(lines ? line : reply.lines[0]));
    code_ = reply.code;
    judge(line, reply);
  }

  void judge(const std::string& line, const banner::Reply& r) {
    const std::string code = std::to_string(r.code);
    switch (step().expect) {
      case Expect::Banner220:
        if (r.code != 220) return finish(Outcome::Fail, "banner " + code);
        return beginStep(step_ + 1);
      case Expect::Ehlo250:
        if (r.code != 250) return finish(Outcome::Fail, "EHLO refused");
        return beginStep(step_ + 1);
      case Expect::StartTls220:
        if (r.code != 220) return finish(Outcome::Fail, "STARTTLS refused");
        return startTls();
      case Expect::FtpUser:
        if (r.code == 230) return beginStep(step_ + 2);
        if (r.code != 331) return finish(Outcome::Fail, "login refused");
        return beginStep(step_ + 1);
      case Expect::FtpPass:
        if (r.code != 230) return finish(Outcome::Fail, "login refused");
        return beginStep(step_ + 1);
      case Expect::ImapOk:
        switch (banner::parseImapGreeting(line)) {
          case banner::ImapGreeting::Ok:
          case banner::ImapGreeting::Preauth: return beginStep(step_ + 1);
          case banner::ImapGreeting::Bye: return finish(Outcome::Fail, "banner BYE");
          case banner::ImapGreeting::Other: return finish(Outcome::Fail, "unexpected banner");
        }
        return;
      case Expect::Pop3Ok:
        switch (banner::parsePop3Status(line)) {
          case banner::Pop3Status::Ok: return beginStep(step_ + 1);
          case banner::Pop3Status::Err: return finish(Outcome::Fail, "banner -ERR");
          case banner::Pop3Status::Other: return finish(Outcome::Fail, "unexpected banner");
        }
        return;
      case Expect::Anything: return finish(Outcome::Ok, {});
    }
  }

  void startTls() {
    in_.clear();  // nothing sent before the handshake may be read after it (CVE-2011-0411)
    if (!tls_.begin(ctx_.get(), fd_.get(), cfg_.host, cfg_.verify ? cfg_.host : std::string()))
      return finish(Outcome::LocalError, "TLS: " + tls_.detail());
    phase_ = Phase::Handshaking;
    handshake();
  }

  void handshake() {
    switch (tls_.handshake()) {
      case TlsClient::Io::Ok: {
        ProbeResult judged;  // the suite's words: "certificate expired", "... not trusted"
        bool ok = judgeCertificate(tls_.certificate(), cfg_.verify, 0, judged);
        for (auto& a : judged.attrs) attrs_.push_back(std::move(a));
        if (!ok) return finish(judged.outcome, std::move(judged.note));
        warning_ = std::move(judged.warning);
        return beginStep(step_ + 1);
      }
      case TlsClient::Io::WantRead: return watch(fd_.get(), EV_READ);
      case TlsClient::Io::WantWrite: return watch(fd_.get(), EV_WRITE);
      case TlsClient::Io::Closed:
        attrs_.emplace_back("tls_error", "connection closed");
        return finish(Outcome::Fail, "TLS handshake failed");
      case TlsClient::Io::Failed:
        if (tls_.sysErrno()) return finishErrno(tls_.sysErrno(), "TLS");
        attrs_.emplace_back("tls_error", tls_.detail());
        return finish(Outcome::Fail, "TLS handshake failed");
    }
  }

  // After the verdict (the goodbye step), every ending is Ok.
  void complete(ProbeResult& r) override {
    if (decided_) {
      r.outcome = Outcome::Ok;
      r.note.clear();
      r.latency = latency_;
      r.warning = std::move(warning_);
    } else if (r.outcome != Outcome::Ok) {
      bool connecting = phase_ == Phase::Connecting;
      if (connecting) attrs_.emplace_back("step", "connect");
      if (!connecting && step_ < steps_.size()) attrs_.emplace_back("step", step().name);
      if (code_ != 0) attrs_.emplace_back("reply", std::to_string(code_));
    }
    r.attrs = std::move(attrs_);
    attrs_.clear();
    if (in_.capacity() > 1024) std::string().swap(in_);  // a flood leaves no 8 KiB behind
  }

  const Config cfg_;
  const std::shared_ptr<SSL_CTX> ctx_;  // only with -starttls
  const std::span<const Step> steps_;
  UniqueFd fd_;
  TlsClient tls_;
  Phase phase_ = Phase::Connecting;
  std::size_t step_ = 0;
  int code_ = 0;  // of the last reply judged
  bool decided_ = false;
  microseconds latency_{};
  std::string in_, out_, warning_;
  std::size_t sent_ = 0;
  std::vector<std::pair<std::string, std::string>> attrs_;
};

// A word that goes into a command line: no line breaks (they would add commands).
std::string commandWord(const CheckSpec& spec, const std::string& opt) {
  std::string v = spec.str(opt);
  if (v.find_first_of("\r\n") != std::string::npos || v.find('\0') != std::string::npos)
    throw ConfigError(spec.where(opt) + "must not hold line breaks");
  return v;
}

std::unique_ptr<Probe> makeBanner(Kind kind, const ProbeContext& ctx, const CheckSpec& spec) {
  Config c;
  c.kind = kind;
  c.host = spec.str("host");
  auto port = static_cast<std::uint16_t>(spec.integer("port", 1, 65535));
  std::string error;
  auto to = net::resolve(c.host, port, &error);
  if (!to) throw ConfigError(spec.where("host") + error);
  c.to = *to;
  std::shared_ptr<SSL_CTX> tls;
  if (kind == Kind::Smtp) {
    if (spec.has("helo")) {
      c.helo = commandWord(spec, "helo");
    } else {
      char name[256] = {};
      if (gethostname(name, sizeof name - 1) != 0 || !name[0]) std::strcpy(name, "localhost");
      c.helo = name;
    }
    if (c.helo.empty()) throw ConfigError(spec.where("helo") + "must not be empty");
    c.starttls = spec.flag("starttls");
    if (spec.has("ca")) c.ca = spec.str("ca");
    c.verify = spec.has("verify") ? spec.flag("verify") : !c.ca.empty();
    if ((c.verify || !c.ca.empty()) && !c.starttls)
      throw ConfigError(spec.where(spec.has("ca") ? "ca" : "verify") + "needs -starttls 1");
    try {
      if (c.starttls) tls = sharedClientContext(c.ca);
    } catch (const std::runtime_error& e) {
      throw ConfigError(spec.where("ca") + e.what());
    }
  }
  if (kind == Kind::Ftp) {
    if (spec.has("user")) c.user = commandWord(spec, "user");
    if (spec.has("password")) c.password = commandWord(spec, "password");
    if (spec.has("password") && c.user.empty())
      throw ConfigError(spec.where("password") + "needs -user");
  }
  return std::make_unique<BannerProbe>(*ctx.loop, std::move(c), std::move(tls));
}

OptionDesc hostOption() {
  return {"host", OptType::String, nullptr,
          "server address (a name is resolved once, when the configuration is loaded)", true};
}

}  // namespace

const KindDesc& smtpKind() {
  static const KindDesc kind{
      "smtp",
      "SMTP: a 220 banner, 250 to EHLO, optionally STARTTLS and EHLO again, then QUIT",
      {
          hostOption(),
          {"port", OptType::Int, "25", "TCP port (1-65535)"},
          {"helo", OptType::String, nullptr, "the name sent with EHLO (default: this host's name)"},
          {"starttls", OptType::Bool, "0", "after EHLO, STARTTLS, the TLS handshake and EHLO again"},
          {"verify", OptType::Bool, nullptr,
           "verify the server's certificate and name after STARTTLS (default 0, or 1 with -ca)"},
          {"ca", OptType::String, nullptr, "PEM file of trusted CAs (default: the system's)"},
      },
      [](const ProbeContext& ctx, const CheckSpec& spec) { return makeBanner(Kind::Smtp, ctx, spec); },
  };
  return kind;
}

const KindDesc& ftpKind() {
  static const KindDesc kind{
      "ftp",
      "FTP: a 220 banner, optionally USER/PASS answered by 230, then QUIT",
      {
          hostOption(),
          {"port", OptType::Int, "21", "TCP port (1-65535)"},
          {"user", OptType::String, nullptr, "log in as this user (a 530 is FAIL \"login refused\")"},
          {"password", OptType::String, nullptr, "password for -user (default empty)"},
      },
      [](const ProbeContext& ctx, const CheckSpec& spec) { return makeBanner(Kind::Ftp, ctx, spec); },
  };
  return kind;
}

const KindDesc& imapKind() {
  static const KindDesc kind{
      "imap",
      "IMAP: a \"* OK\" (or \"* PREAUTH\") greeting, then LOGOUT",
      {hostOption(), {"port", OptType::Int, "143", "TCP port (1-65535)"}},
      [](const ProbeContext& ctx, const CheckSpec& spec) { return makeBanner(Kind::Imap, ctx, spec); },
  };
  return kind;
}

const KindDesc& pop3Kind() {
  static const KindDesc kind{
      "pop3",
      "POP3: a \"+OK\" greeting, then QUIT",
      {hostOption(), {"port", OptType::Int, "110", "TCP port (1-65535)"}},
      [](const ProbeContext& ctx, const CheckSpec& spec) { return makeBanner(Kind::Pop3, ctx, spec); },
  };
  return kind;
}

}  // namespace fail::check

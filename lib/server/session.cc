#include "server/session.hh"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.hh"
#include "base/text.hh"
#include "server/server.hh"

namespace fail::server {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("proto");
  return f;
}

}  // namespace

Session::Session(Server& server, bufferevent* bev, Transport transport, bool loopback,
                 std::string peer)
    : server_(server),
      bev_(bev),
      transport_(transport),
      loopback_(loopback),
      peer_(std::move(peer)),
      self_(std::make_shared<Session*>(this)) {}

Session::~Session() {
  *self_ = nullptr;
  if (watching_) server_.removeWatcher(this);
  if (bev_) bufferevent_free(bev_);
}

void Session::start() {
  const access::AccessFile* af = server_.accessFile();
  if (!af) {
    grant_ = access::Grant::full();
  } else if (transport_ == Transport::Unix) {
    // SO_PEERCRED: root and the daemon's own user need no secret.
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(bufferevent_getfd(bev_), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
        (cred.uid == 0 || cred.uid == getuid()))
      grant_ = access::Grant::full();
  } else if (transport_ == Transport::Tls) {
    // The handshake has not finished yet; the grant by certificate is looked at on the
    // first request (see handle()).
  }
  bufferevent_setcb(bev_, onReadCb, onWriteCb, onEventCb, this);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
}

void Session::onReadCb(bufferevent*, void* arg) noexcept {
  auto* s = static_cast<Session*>(arg);
  try {
    s->processInput();
  } catch (const std::exception& e) {
    FAIL_LOG(fac(), Err) << s->peer_ << ": internal error: " << e.what();
    s->close();
  }
}

void Session::onWriteCb(bufferevent*, void* arg) noexcept {
  auto* s = static_cast<Session*>(arg);
  s->dumpBytes_ = 0;  // the initial WATCH output has gone out
  if (s->closing_) s->close();
}

void Session::onEventCb(bufferevent*, short what, void* arg) noexcept {
  auto* s = static_cast<Session*>(arg);
  if (what & BEV_EVENT_ERROR) {
    if (s->transport_ == Transport::Tls) {
      unsigned long e = bufferevent_get_openssl_error(s->bev_);
      if (e) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        FAIL_LOG(log::facility("tls"), Info) << s->peer_ << ": TLS: " << buf;
      }
    }
  }
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) s->close();
}

void Session::processInput() {
  evbuffer* in = bufferevent_get_input(bev_);
  const size_t maxLine = server_.config().maxLine;
  std::string line;
  while (!waiting_ && !closing_) {
    evbuffer_ptr eol = evbuffer_search_eol(in, nullptr, nullptr, EVBUFFER_EOL_LF);
    if (eol.pos < 0) {
      size_t have = evbuffer_get_length(in);
      if (have > maxLine) {
        if (!discarding_) {
          replyError(proto::Errc::TooLong, "request line longer than " +
                                               std::to_string(maxLine) + " bytes; skipped");
          discarding_ = true;
        }
        evbuffer_drain(in, have);
      }
      return;
    }
    size_t len = static_cast<size_t>(eol.pos);
    if (discarding_ || len > maxLine) {
      if (!discarding_)
        replyError(proto::Errc::TooLong, "request line longer than " +
                                             std::to_string(maxLine) + " bytes; skipped");
      discarding_ = false;
      evbuffer_drain(in, len + 1);
      continue;
    }
    line.resize(len);
    evbuffer_remove(in, line.data(), len);
    evbuffer_drain(in, 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    handleLine(line);
  }
}

void Session::handleLine(std::string_view line) {
  ++server_.counters().requests;
  proto::Request req;
  proto::Error err;
  if (!proto::parseRequest(line, req, err)) {
    FAIL_LOG(fac(), Debug) << peer_ << ": bad request: " << err.message;
    replyError(err.code, err.message);
    return;
  }
  inRequest_ = true;
  handle(req);
  inRequest_ = false;
}

void Session::reply(const std::string& line) {
  evbuffer* out = bufferevent_get_output(bev_);
  evbuffer_add(out, line.data(), line.size());
  evbuffer_add(out, "\n", 1);
}

void Session::replyError(proto::Errc code, const std::string& message) {
  ++server_.counters().errors;
  reply(proto::formatError({code, message}));
}

void Session::deliver(const std::string& name, const std::string& line) {
  if (closing_ || !globMatchStrings(watchPattern_, name)) return;
  if (grant_.levelFor(name) < access::Level::Ro) return;
  evbuffer* out = bufferevent_get_output(bev_);
  if (evbuffer_get_length(out) > server_.config().watchBuffer + dumpBytes_) {
    ++server_.counters().slowWatchers;
    FAIL_LOG(log::facility("watch"), Warning)
        << "+slow watcher=" << peer_ << " pending=" << evbuffer_get_length(out)
        << " limit=" << server_.config().watchBuffer << ": disconnected";
    replyError(proto::Errc::Slow, "watcher fell more than " +
                                      std::to_string(server_.config().watchBuffer) +
                                      " bytes behind; disconnected");
    closeAfterFlush();
    return;
  }
  reply(line);
}

void Session::closeAfterFlush() {
  closing_ = true;
  bufferevent_disable(bev_, EV_READ);
  if (evbuffer_get_length(bufferevent_get_output(bev_)) == 0) {
    close();
    return;
  }
  // A peer that never reads must not keep us forever.
  timeval tv{5, 0};
  bufferevent_set_timeouts(bev_, nullptr, &tv);
}

void Session::close() {
  if (!bev_) return;
  bufferevent_disable(bev_, EV_READ | EV_WRITE);
  if (watching_) {
    server_.removeWatcher(this);
    watching_ = false;
  }
  closing_ = true;
  server_.retire(this);
}

void Session::resume() {
  waiting_ = false;
  if (!inRequest_ && !closing_) processInput();
}

}  // namespace fail::server

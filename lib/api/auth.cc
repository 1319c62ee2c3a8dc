// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "api/auth.hh"

#include <algorithm>

#include "api/input.hh"
#include "base/log.hh"

namespace fail::api {

namespace {

log::Facility& accessFac() { return log::facility("access"); }

http::Response needAuth(std::string message) {
  http::Response r = http::errorResponse(401, "NEEDAUTH", message);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"faild\"");
  return r;
}

}  // namespace

void Auth::after(Micros delay, std::function<void()> fn) {
  auto it = timers_.emplace(timers_.end());
  *it = std::make_unique<ev::Timer>(loop_.base(), [this, it, fn = std::move(fn)] {
    fn();
    loop_.deleteLater(std::move(*it));  // never from inside its own callback
    timers_.erase(it);
  });
  (*it)->arm(ev::Micros(std::max<Micros>(delay, 0)));
}

void Auth::check(const http::Request& r, std::weak_ptr<void> owner, Done done) {
  const access::AccessFile* af = proto_.accessFile();
  if (!af) return done(access::Grant::full(), {});
  std::optional<std::string> secret = bearerSecret(r);
  if (!secret) {
    if (r.tls && !r.certName.empty())
      if (auto g = af->byName(r.certName)) return done(std::move(g), {});
    return done(std::nullopt, needAuth("this faild has an access file: send Authorization: Bearer SECRET"));
  }
  if (secret->empty())
    return done(std::nullopt, needAuth("the Authorization header must be \"Bearer SECRET\""));
  if (!r.loopback && !r.tls && !proto_.config().insecureAuth) {
    ++counters_.refusedInClear;
    FAIL_LOG(accessFac(), Warning) << r.peer << ": a secret on plain HTTP from a non-loopback address, refused";
    return done(std::nullopt,
                http::errorResponse(403, "DENIED",
                                    "a secret over plain HTTP from another host travels in the clear: use "
                                    "TLS, or start faild with --insecure-auth"));
  }
  // Wrong secrets are throttled per client address, with the protocol's AUTH.
  server::AuthThrottle& throttle = proto_.authThrottle();
  Micros now = steadyNow();
  std::optional<Micros> turn = throttle.turn(r.peer, now);
  Micros delay = Micros(proto_.config().authDelayMs) * 1000;
  if (!turn) {
    ++counters_.throttled;
    proto_.logLimited(server::Server::Noise::Denied, accessFac(), log::Level::Notice,
                      "+denied peer=" + r.peer + " reason=\"too many wrong secrets\"");
    http::Response err = http::errorResponse(429, "THROTTLED", "too many wrong secrets from " + r.peer +
                                                                   "; try again later");
    err.headers.emplace_back("Retry-After", "10");
    after(delay, [owner, done, err] {
      if (!owner.expired()) done(std::nullopt, err);
    });
    return;
  }
  auto verify = [this, peer = r.peer, secret = std::move(*secret), owner, done]() mutable {
    if (owner.expired()) return;
    const access::AccessFile* file = proto_.accessFile();  // as it stands now (SIGHUP)
    auto g = file ? file->authenticate(secret) : std::optional<access::Grant>(access::Grant::full());
    std::fill(secret.begin(), secret.end(), '\0');
    if (g) return done(std::move(g), {});
    Micros t = steadyNow();
    Micros answerAt = proto_.authThrottle().failed(peer, t);
    ++counters_.wrongSecrets;
    proto_.logLimited(server::Server::Noise::Denied, accessFac(), log::Level::Notice,
                      "+denied peer=" + peer + " reason=\"wrong secret\"");
    after(answerAt - t, [owner, done] {
      if (!owner.expired()) done(std::nullopt, needAuth("wrong secret"));
    });
  };
  if (*turn > now)
    after(*turn - now, std::move(verify));
  else
    verify();
}

}  // namespace fail::api

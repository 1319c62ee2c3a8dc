// Small socket helpers shared by the probe kinds: turning "host:port" into an address
// once, at construction, opening a non-blocking connect, and saying what an errno means
// for a check (the target's fault, or ours).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/unique_fd.hh"
#include "check/probe.hh"

namespace fail::check::net {

// One resolved socket address (IPv4 or IPv6), with the port set.
struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage); }
  std::uint16_t port() const;
  std::string text() const;  // "127.0.0.1:80", "[::1]:80"
};

// Resolves `host` (a numeric IPv4/IPv6 address, or a name looked up once with
// getaddrinfo, which may block: call it at construction, never per attempt) with `port`.
// A name with several addresses gives the first one getaddrinfo returns. On failure
// returns nullopt and sets *error ("cannot resolve NAME: ..."), when given.
std::optional<Address> resolve(const std::string& host, std::uint16_t port,
                               std::string* error = nullptr);

// Splits "HOST:PORT", "[V6]:PORT" or, when defaultPort is non-zero, a bare "HOST" /
// "[V6]" / "V6" (an unbracketed address with several colons has no port). Returns false
// on a malformed text or a port outside 1-65535.
bool splitHostPort(std::string_view text, std::string& host, std::uint16_t& port,
                   std::uint16_t defaultPort = 0);

// splitHostPort then resolve; *error says which part was wrong.
std::optional<Address> resolveHostPort(std::string_view text, std::uint16_t defaultPort = 0,
                                       std::string* error = nullptr);

// What an errno seen on a probe's socket means. Failures of the target (refused, reset,
// unreachable) are Unreachable with stable words; ETIMEDOUT is Timeout; our own
// resources (EMFILE, ENOBUFS, EADDRNOTAVAIL for lack of ports, EPERM from a local
// firewall, ...) are LocalError, whose note is strerror's text prefixed with `what`
// ("socket: Too many open files").
struct Classified {
  Outcome outcome;
  std::string note;
};
Classified classifyErrno(int err, const char* what = "socket");

// Opens a non-blocking, close-on-exec TCP socket and starts connecting it to `to`.
// Returns 0 with *fd set when the connect is under way (or already done: watch for
// writability either way, then read SO_ERROR with connectResult), or an errno (with *fd
// closed) when socket() or connect() failed at once; classify it with classifyErrno.
// No allocation.
int startConnect(const Address& to, UniqueFd& fd);
// After the socket became writable: 0 when connected, else the pending errno.
int connectResult(int fd);

// Closes with an RST instead of a FIN (SO_LINGER 0): the probing side keeps no
// TIME_WAIT entry, so 10,000 checks a second do not run out of ports. Only for a socket
// whose unsent data does not matter.
void abortiveClose(UniqueFd& fd);

}  // namespace fail::check::net

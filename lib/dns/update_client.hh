// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The I/O of RFC 2136 messages and their queries, on the caller's loop (failsh's ev::Loop,
// whose event_base the Tcl notifier shares). One Exchange per request: UDP from an
// unconnected socket on a random port, a fresh random ID and TSIG time per attempt;
// datagrams from another address, with another ID or question, garbage or forged are
// ignored and the wait goes on (Request::check); TCP (RFC 7766 framing) when the reply
// is truncated or the message is over 512 bytes; each attempt has its own timeout, which
// doubles from one attempt to the next (backoff), and the whole exchange a deadline.
//
// Loop thread only. The done callback runs once, from the loop, never from inside send();
// cancel() or the client's destruction drop an exchange without calling it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/update_msg.hh"
#include "ev/loop.hh"
#include "net/address.hh"

namespace fail::dns {

enum class Transport { Udp, Tcp };
const char* transportName(Transport t);  // "udp", "tcp"

struct ExchangeOptions {
  std::chrono::milliseconds deadline{5000};     // the whole exchange, all attempts
  std::chrono::milliseconds firstTimeout{400};  // the first attempt's; doubled per retry
  bool tcpOnly = false;                         // skip UDP (large messages go to TCP anyway)
  // An UPDATE answered NOERROR is followed, under the same deadline, by a query for the
  // zone's SOA at the same server: Result::soaSerial is the serial after the update
  // (absent when that read found no answer in time; the update's result stands).
  bool readSerial = false;
};

// What became of one exchange.
struct Result {
  bool answered = false;       // a reply was accepted (whatever its rcode)
  bool timedOut = false;       // no reply before the deadline
  std::uint16_t rcode = 0;     // when answered
  std::uint16_t tsigError = 0;
  bool unsignedReply = false;  // a signed request got an unsigned (error) reply
  std::vector<std::string> records;       // queries: the RRset read
  std::optional<std::uint32_t> soaSerial;  // queries, and updates with readSerial: the zone's serial
  std::string server;          // "127.0.0.1:53"
  Transport transport = Transport::Udp;  // of the accepted reply (or the last attempt)
  int attempts = 0;                      // of the request (not counting readSerial's query)
  std::chrono::milliseconds elapsed{0};  // from send() to the callback
  // "" when answered with NOERROR; otherwise a sentence: "NOTAUTH (BADKEY) from
  // 127.0.0.1:53", "no reply from 127.0.0.1:53 within 5000 ms after 4 attempts (ignored:
  // a reply with the wrong ID)", "connect 127.0.0.1:53: Connection refused"... Never a secret.
  std::string error;

  bool ok() const { return answered && rcode == kNoError && tsigError == 0; }
  // The rcode as the Tcl errorcode and failc name it: "NOERROR", "NOTAUTH", "TIMEOUT"
  // (no reply before the deadline, whatever the attempts met: error says), "NETWORK" (a
  // local failure: the message could not be signed or is over 65535 bytes).
  std::string status() const;
};

using ExchangeDone = std::function<void(const Result&)>;

class UpdateClient {
 public:
  explicit UpdateClient(ev::Loop& loop);
  ~UpdateClient();  // cancels what is pending without calling back
  UpdateClient(const UpdateClient&) = delete;
  UpdateClient& operator=(const UpdateClient&) = delete;

  using Id = std::uint64_t;
  // Sends `request` to `server` and calls `done` with the result, once, from the loop.
  Id send(const net::Address& server, Request request, const ExchangeOptions& options, ExchangeDone done);
  // Drops an exchange (no callback); unknown or finished ids are ignored.
  void cancel(Id id);
  std::size_t pending() const { return exchanges_.size(); }

  // Counts since construction, for tests and benchmarks.
  struct Counters {
    std::uint64_t sent = 0;     // messages put on the wire (every attempt, UDP and TCP)
    std::uint64_t updates = 0;  // UPDATE exchanges started
    std::uint64_t queries = 0;  // query exchanges started
    std::uint64_t ignored = 0;  // datagrams or messages ignored by Request::check
  };
  const Counters& counters() const { return counters_; }

  class Exchange;  // one request in flight (update_client.cc)

 private:
  friend class Exchange;
  void finished(Id id, const Result& result);

  ev::Loop& loop_;
  Id next_ = 1;
  std::map<Id, std::unique_ptr<Exchange>> exchanges_;
  Counters counters_;
};

}  // namespace fail::dns

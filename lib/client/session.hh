// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A client's conversation with one server: connect, HELLO, AUTH when a secret is given,
// then requests and their replies, every failure turned into an exit status and a
// message for people that says what and where.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/connection.hh"
#include "client/options.hh"

namespace fail::client {

// Why a client program stops: its exit status and the message for stderr (without the
// program prefix), e.g. "cannot connect to 127.0.0.1:1847: Connection refused".
struct Failure {
  Failure() = default;
  Failure(Exit e, std::string m, std::string c = {}) : exit(e), message(std::move(m)), code(std::move(c)) {}
  Exit exit = Exit::Ok;
  std::string message;
  std::string code;  // the server's ERR code ("NOTFOUND"), when a reply said ERR
};

// NOTFOUND -> NotFound, DENIED and NEEDAUTH -> Denied, any other code -> Failed.
Exit exitForCode(std::string_view code);

// "get www at 127.0.0.1:1847: NOTFOUND: no such record"; NEEDAUTH adds a hint on how
// to give a secret.
Failure replyFailure(std::string_view what, const std::string& where, const Reply& reply);

// Prints "PROGRAM: MESSAGE" and returns the exit status as an int. With `json` (the
// programs' --json) prints one line {"error":MESSAGE,"code":CODE,"exit":N,"program":PROGRAM}
// instead: CODE is the server's ERR code, or when no ERR reply is the cause the exit
// status's name (NOTFOUND, USAGE, DENIED, UNREACHABLE, FAILED). Both go to `err` (stderr): stdout holds only results.
int report(std::ostream& err, std::string_view program, const Failure& f, bool json = false);

class Session {
 public:
  // `client` names this program in HELLO ("failc", or failc --as NAME).
  Session(const ClientOptions& opts, Target target, std::string client);

  // Connects, says HELLO (a server that does not know HELLO is tolerated) and, when a
  // secret is set, AUTH. False with the failure filled in.
  bool open(Failure& f);
  void close() { conn_.close(); }
  bool isOpen() const { return conn_.isOpen(); }

  // Sends one request and reads its reply line. False only when no reply could be had
  // (Unreachable) or it was not a reply (Failed); an ERR reply returns true with !ok.
  bool exchange(const std::vector<std::string>& words, Reply& reply, Failure& f);
  // exchange(), and an ERR reply is a failure too, worded with `what` ("get www").
  bool request(const std::vector<std::string>& words, std::string_view what, Reply& reply,
               Failure& f);

  // For streams (WATCH): the next line, waiting `timeoutMs` (0: for ever). An I/O
  // problem fills `f` (Unreachable) and returns the status.
  IoStatus readLine(std::string& line, std::int64_t timeoutMs, Failure& f);
  bool sendLine(const std::vector<std::string>& words, Failure& f);

  const std::string& where() const { return where_; }
  // The words after OK in the HELLO reply ("faild 0.1.0 proto 1 auth none"), if any.
  const std::vector<std::string>& hello() const { return hello_; }
  // The AUTH reply's words ("rw NAME"), if AUTH was sent.
  const std::vector<std::string>& auth() const { return auth_; }
  const ClientOptions& options() const { return opts_; }

 private:
  Failure lost(const std::string& why) const;

  ClientOptions opts_;
  Target target_;
  std::string client_;
  std::string where_;
  Connection conn_;
  std::vector<std::string> hello_;
  std::vector<std::string> auth_;
};

}  // namespace fail::client

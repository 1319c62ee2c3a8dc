// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// One client connection of a Server: reads request lines, answers them in order, and
// streams changes once it WATCHes. Owned by the Server; lives until retire()d.
//
// Bounds (issue 10): input is read at most one line (--max-line) plus a small window
// ahead of what has been handled; the next request is handled only once the output
// holds less than kOutHigh bytes; LIST and WATCH replies are produced in slices (Dump)
// as the client reads. A client whose output makes no progress for --send-timeout, a
// request line left unfinished for --request-timeout, an unauthenticated client idle
// for --idle-timeout and a TLS handshake not done within --handshake-timeout are cut
// off (ERR SLOW where a line can still be sent). After the client's FIN every complete
// request already received is answered, then the connection closes.
#pragma once

#include <event2/bufferevent.h>
#include <event2/event.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "access/access.hh"
#include "base/time.hh"
#include "proto/request.hh"
#include "server/dump.hh"

namespace fail::server {

class Server;

class Session {
 public:
  enum class Transport { Tcp, Unix, Tls };
  // Output above this: no further request is handled and no slice produced.
  static constexpr size_t kOutHigh = 64 * 1024;
  // ... until the output has drained to this.
  static constexpr size_t kOutLow = 16 * 1024;
  // Input read ahead beyond one --max-line line.
  static constexpr size_t kInputWindow = 4096;
  // Replies of one connection held behind changes in flight (SET, DEL) at once, the
  // changes included (doc/protocol.md, "Pipelining").
  static constexpr size_t kMaxInFlight = 256;

  // Takes over `bev` (freed with the session). `loopback`: the listener only accepts on
  // loopback addresses (or is a Unix socket).
  Session(Server& server, bufferevent* bev, Transport transport, bool loopback,
          std::string peer);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();  // enables reading; decides the initial grant
  // Writes a published change line (ending in LF) if the watch pattern and grant allow
  // `name`.
  void deliver(const std::string& name, std::string_view line);
  // Called by the Server after the journal's completions: handles what the answered
  // changes let go on, and writes the replies.
  void wake();
  bool& woken() { return woken_; }
  // Cuts the session off if one of its deadlines has passed. Called by the Server's
  // timer, never from inside the session's own callbacks.
  void checkDeadlines(Micros now);
  bool watching() const { return watching_; }
  const std::string& peer() const { return peer_; }
  // The per-address count this session was counted in ("" : none); set by the Server.
  std::string& limitKey() { return limitKey_; }

 private:
  static void onReadCb(bufferevent* bev, void* arg) noexcept;
  static void onReadableCb(evutil_socket_t fd, short what, void* arg) noexcept;
  static void onWriteCb(bufferevent* bev, void* arg) noexcept;
  static void onEventCb(bufferevent* bev, short what, void* arg) noexcept;

  // Input. Plain sockets are read here, one recv() per readable event; TLS is read by
  // the bufferevent, whose input is moved over. Either way the bytes wait in in_, at
  // most inputLimit() of them.
  size_t inputLimit() const;
  void readSocket();
  bool takeTlsInput();  // true when it took some
  // Plain sockets: watches for input while in_ has room (and the client has not ended).
  void watchInput();
  void stopReading();
  void endOfInput();  // the client half-closed

  // Handles the requests received, writes the replies, and goes on while it can.
  void processInput();
  // Handles complete lines until one must wait; true when it stopped on a full output.
  bool handleLines();
  // Plain sockets: writes the output straight to the socket; EV_WRITE is enabled only
  // while bytes remain (then libevent writes them and the write callback comes back).
  // TLS: nothing (the bufferevent writes).
  void flush();
  bool directWrite() const;
  // False when the line must wait for the changes in flight (it stays in the input).
  bool handleLine(std::string_view line);
  void handle(const proto::Request& req);
  // Queues a reply line (no LF): into the output, or behind a change still in flight.
  void reply(std::string_view line);
  // The same for the line `head` + `body`, copied straight into the output.
  void replyWith(std::string_view head, std::string_view body);
  // Writes `head` + `body` + LF into the output (nothing held in front of it).
  void addLine(std::string_view head, std::string_view body);
  // Holds the place of a change's reply in request order; returns its sequence number.
  std::uint64_t holdAnswer();
  // The reply for the held place `seq` (no LF); replies now in order go out.
  void answer(std::uint64_t seq, std::string_view line);
  // A change's Done: "OK CHANGE n" / "OK DELETED n" or ERR STORAGE for `what`.
  void answerChange(std::uint64_t seq, bool ok, std::uint64_t serial, const std::string& error,
                    const char* okWord, const char* what);
  void replyError(proto::Errc code, const std::string& message);
  void close();  // stops everything and retires the session
  void closeAfterFlush();
  // Sends ERR SLOW `why` (after ending a partly sent line), logs it at a bounded rate,
  // and closes once that has gone out (or after 5 s).
  void cutOff(const std::string& why);
  void finishIfDone();  // after the client's FIN: close once everything is answered
  size_t outputLength() const;
  // Runs fn(*this) after `delay` unless the session is gone by then.
  void after(Micros delay, void (*fn)(Session&));

  // Dumps (LIST, WATCH): start one, produce the next slice.
  void startDump(Dump d);
  void pumpDump();

  // commands.cc
  void cmdHello(const proto::Request& req);
  void cmdAuth(const proto::Request& req);
  void checkSecret();  // the AUTH in pendingSecret_, once its turn has come
  void cmdGet(const proto::Request& req);
  void cmdList(const proto::Request& req);
  void cmdSet(const proto::Request& req);
  void cmdDel(const proto::Request& req);
  void cmdWatch(const proto::Request& req);
  void cmdStats(const proto::Request& req);
  void cmdDebug(const proto::Request& req);
  // history_commands.cc: answered from the history Reader's thread, in their turn.
  void cmdHistory(const proto::Request& req);
  void cmdReport(const proto::Request& req);
  // Common to both: access, a history to ask; false when it replied with the error.
  bool historyReady();
  // The Reader's answer `line` (a reply, or an error) for the request waiting for it.
  void historyAnswered(const std::string& line);
  void historyFailed(const std::string& error);  // the Reader's error: ERR UNAVAILABLE
  bool needs(access::Level level, const std::string& name);  // replies with the error
  bool authenticated() const { return grant_.any(); }
  std::string origin() const;
  void resume();  // a deferred reply went out: read on

  Server& server_;
  bufferevent* bev_;
  Transport transport_;
  bool loopback_;
  std::string peer_;
  std::string client_;  // HELLO's CLIENT: the origin when no access entry names the client
  std::string limitKey_;
  access::Grant grant_;
  bool waiting_ = false;     // a reply is deferred (durable change, auth delay)
  bool discarding_ = false;  // skipping the rest of an over-long line
  bool closing_ = false;
  bool inRequest_ = false;  // handle() is running: resume() must not re-enter
  bool watching_ = false;
  bool eof_ = false;        // the client has half-closed: answer, then close
  bool tlsReady_ = false;   // the TLS handshake is done (always true without TLS)
  std::string watchPattern_;
  // Received and not yet handled (see readSocket()); its capacity is kept.
  std::string in_;
  event* readEv_ = nullptr;  // plain sockets: the socket is readable
  bool reading_ = false;     // readEv_ is added
  std::optional<Dump> dump_;  // a LIST or WATCH reply still being produced
  // Replies from the first change in flight on, in request order (each with its LF);
  // a change's is empty until the change is durable or has failed. The front is always
  // a change not yet answered (answered ones at the front go out at once), so changes
  // are in flight exactly while this is not empty.
  struct Answer {
    bool ready = false;
    std::string line;
  };
  std::deque<Answer> answers_;
  std::uint64_t answersBase_ = 0;  // the sequence number of answers_.front()
  bool drainWait_ = false;         // a request other than SET/DEL waits for answers_ to empty
  bool woken_ = false;             // queued in the Server's list of sessions to wake
  std::string pendingSecret_;  // an AUTH waiting for its turn; never logged
  Micros accepted_ = 0;      // steady clock
  Micros lastRequest_ = 0;   // the last complete request (or the accept)
  Micros lineStarted_ = 0;   // when the unfinished request line began (0: none)
  // Callbacks that outlive the session see nullptr here.
  std::shared_ptr<Session*> self_;
};

}  // namespace fail::server

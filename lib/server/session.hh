// One client connection of a Server: reads request lines, answers them in order, and
// streams changes once it WATCHes. Owned by the Server; lives until retire()d.
#pragma once

#include <event2/bufferevent.h>

#include <memory>
#include <string>

#include "access/access.hh"
#include "proto/request.hh"

namespace fail::server {

class Server;

class Session {
 public:
  enum class Transport { Tcp, Unix, Tls };
  // Takes over `bev` (freed with the session). `loopback`: the listener only accepts on
  // loopback addresses (or is a Unix socket).
  Session(Server& server, bufferevent* bev, Transport transport, bool loopback,
          std::string peer);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();  // enables reading; decides the initial grant
  // Queues a published change line if the watch pattern and grant allow `name`.
  // Returns false if the session is now too slow and has been closed.
  void deliver(const std::string& name, const std::string& line);
  bool watching() const { return watching_; }
  const std::string& peer() const { return peer_; }

 private:
  static void onReadCb(bufferevent* bev, void* arg) noexcept;
  static void onWriteCb(bufferevent* bev, void* arg) noexcept;
  static void onEventCb(bufferevent* bev, short what, void* arg) noexcept;

  void processInput();
  void handleLine(std::string_view line);
  void handle(const proto::Request& req);
  void reply(const std::string& line);
  void replyError(proto::Errc code, const std::string& message);
  void close();  // stops everything and retires the session
  void closeAfterFlush();

  // commands.cc
  void cmdHello(const proto::Request& req);
  void cmdAuth(const proto::Request& req);
  void cmdGet(const proto::Request& req);
  void cmdList(const proto::Request& req);
  void cmdSet(const proto::Request& req);
  void cmdDel(const proto::Request& req);
  void cmdWatch(const proto::Request& req);
  void cmdStats(const proto::Request& req);
  void cmdDebug(const proto::Request& req);
  bool needs(access::Level level, const std::string& name);  // replies with the error
  bool authenticated() const { return grant_.any(); }
  std::string origin() const;
  void resume();  // a deferred reply went out: read on

  Server& server_;
  bufferevent* bev_;
  Transport transport_;
  bool loopback_;
  std::string peer_;
  access::Grant grant_;
  bool waiting_ = false;     // a reply is deferred (durable change, auth delay)
  bool discarding_ = false;  // skipping the rest of an over-long line
  bool closing_ = false;
  bool inRequest_ = false;  // handle() is running: resume() must not re-enter
  bool watching_ = false;
  std::string watchPattern_;
  size_t dumpBytes_ = 0;  // initial WATCH output still allowed above the limit
  // Callbacks that outlive the session see nullptr here.
  std::shared_ptr<Session*> self_;
};

}  // namespace fail::server

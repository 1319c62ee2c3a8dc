// The engine's per-host and per-service records, shared by engine.cc and engine_run.cc.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "shell/engine.hh"

namespace fail::shell {

struct Engine::Host {
  HostSpec spec;
  std::unique_ptr<client::Link> link;
  bool known = false, reachable = false;
  std::string why;
  Micros lastConnect = 0, lastCall = 0;
};

struct Engine::Service {
  ServiceSpec spec;
  std::unique_ptr<ev::Timer> timer;
  ServiceStatus status;
  bool running = false, held = false, reclaimed = false, stopOnFail = false;
  int outstanding = 0;
  std::vector<PeerView> masters, slaves;
  std::vector<bool> witnessDown;
  std::map<std::string, bool> reach;  // every distinct peer of this run
  Micros mastersDownSince = 0, minoritySince = 0;  // steady clock
  std::map<std::string, Micros> unknownSince;       // a reachable master without a record yet
};

}  // namespace fail::shell

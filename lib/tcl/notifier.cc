// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "tcl/notifier.hh"

#include <event2/thread.h>
#include <sys/stat.h>
#include <tcl.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/epoll.h>
#endif

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include "base/log.hh"
#include "ev/base.hh"

namespace fail::tcl {
namespace {

std::atomic<bool> gInstalled{false};

struct FileHandler {
  int fd = -1;
  int mask = 0;   // what Tcl asked for (TCL_READABLE | TCL_WRITABLE | TCL_EXCEPTION)
  int ready = 0;  // seen by libevent and not yet delivered to Tcl
  Tcl_FileProc* proc = nullptr;
  ClientData data = nullptr;
  event* ev = nullptr;     // null when alwaysReady
  bool alwaysReady = false;  // a descriptor the backend cannot wait for (a regular file)
};

// One per thread that uses Tcl; returned to Tcl as the notifier's ClientData.
struct ThreadState {
  event_base* base = nullptr;
  event* wake = nullptr;     // made active by AlertNotifier (any thread)
  event* timeout = nullptr;  // the wait's deadline
  std::map<int, FileHandler> files;
  std::set<int> alwaysReady;  // the fds in `files` whose handler is alwaysReady
  int epollProbe = -1;        // an epoll instance that only asks "would epoll take it?"
  NotifierStats stats;
};

thread_local ThreadState* tsd = nullptr;

struct FileEvent {
  Tcl_Event header;
  int fd;
};

struct PostEvent {
  Tcl_Event header;
  std::function<void()>* fn;
};

void noop(evutil_socket_t, short, void*) {}

int fileEventProc(Tcl_Event* evPtr, int flags) {
  if (!(flags & TCL_FILE_EVENTS)) return 0;  // not now: Tcl keeps it queued
  auto* fe = reinterpret_cast<FileEvent*>(evPtr);
  if (!tsd) return 1;
  auto it = tsd->files.find(fe->fd);
  if (it == tsd->files.end()) return 1;  // the handler went away meanwhile
  FileHandler& fh = it->second;
  int mask = fh.ready & fh.mask;
  fh.ready = 0;
  if (mask) fh.proc(fh.data, mask);
  return 1;
}

// Records readiness `m` (TCL_READABLE | TCL_WRITABLE) of fh and queues a FileEvent
// unless one is already queued: one event carries every readiness seen until Tcl
// handles it (as Tcl's own notifier does).
void markReady(ThreadState& s, FileHandler& fh, int m) {
  m &= fh.mask;
  if (!m) return;
  bool queued = fh.ready != 0;
  fh.ready |= m;
  if (queued) return;
  ++s.stats.fileEvents;
  auto* fe = reinterpret_cast<FileEvent*>(ckalloc(sizeof(FileEvent)));
  fe->header.proc = fileEventProc;
  fe->header.nextPtr = nullptr;
  fe->fd = fh.fd;
  Tcl_QueueEvent(&fe->header, TCL_QUEUE_TAIL);
}

void fileCb(evutil_socket_t fd, short what, void*) {
  if (!tsd) return;
  auto it = tsd->files.find(static_cast<int>(fd));
  if (it == tsd->files.end()) return;
  markReady(*tsd, it->second, ((what & EV_READ) ? TCL_READABLE : 0) | ((what & EV_WRITE) ? TCL_WRITABLE : 0));
}

// Whether the backend can wait for fd. Regular files and directories are always ready
// (select and Tcl's own notifier say so; epoll refuses them with EPERM). Sockets and
// pipes can be waited for. Any other kind (a character device such as /dev/null) is
// asked of a private epoll instance when the backend is epoll, so libevent never
// tries, fails and warns.
bool waitable(ThreadState& s, int fd) {
  struct stat st{};
  if (::fstat(fd, &st) != 0) return true;  // let event_add judge
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return false;
  if (S_ISSOCK(st.st_mode) || S_ISFIFO(st.st_mode)) return true;
#ifdef __linux__
  if (std::strcmp(event_base_get_method(s.base), "epoll") != 0) return true;
  if (s.epollProbe < 0) s.epollProbe = ::epoll_create1(EPOLL_CLOEXEC);
  if (s.epollProbe < 0) return true;
  epoll_event e{};
  e.events = EPOLLIN;
  if (::epoll_ctl(s.epollProbe, EPOLL_CTL_ADD, fd, &e) == 0) {
    ::epoll_ctl(s.epollProbe, EPOLL_CTL_DEL, fd, &e);
    return true;
  }
  return errno != EPERM;
#else
  (void)s;
  return true;
#endif
}

// Tcl calls it again for an fd it already watches whenever the mask changes.
void createFileHandler(int fd, int mask, Tcl_FileProc* proc, ClientData data) {
  if (!tsd) return;
  FileHandler& fh = tsd->files[fd];
  if (fh.ev) {
    event_del(fh.ev);
    event_free(fh.ev);
    fh.ev = nullptr;
  }
  bool known = fh.fd == fd;  // the same fd again: keep what was learnt about it
  fh.fd = fd;
  fh.mask = mask;
  fh.proc = proc;
  fh.data = data;
  fh.ready &= mask;
  short what = EV_PERSIST;
  if (mask & TCL_READABLE) what |= EV_READ;
  if (mask & TCL_WRITABLE) what |= EV_WRITE;
  if (!known) fh.alwaysReady = !waitable(*tsd, fd);
  if (!fh.alwaysReady && what != EV_PERSIST) {  // exceptions alone: nothing libevent reports apart
    fh.ev = event_new(tsd->base, fd, what, fileCb, nullptr);
    if (!fh.ev || event_add(fh.ev, nullptr) != 0) {
      // A descriptor the backend refuses is reported ready at once, as select would.
      FAIL_LOG(log::facility("main"), Debug) << "notifier: fd " << fd << " cannot be waited for; always ready";
      if (fh.ev) event_free(fh.ev);
      fh.ev = nullptr;
      fh.alwaysReady = true;
    }
  }
  // Only a handler that asked for reading or writing makes waits non-blocking.
  if (fh.alwaysReady && (mask & (TCL_READABLE | TCL_WRITABLE))) tsd->alwaysReady.insert(fd);
  else tsd->alwaysReady.erase(fd);
}

void deleteFileHandler(int fd) {
  if (!tsd) return;
  auto it = tsd->files.find(fd);
  if (it == tsd->files.end()) return;
  if (it->second.ev) {
    event_del(it->second.ev);
    event_free(it->second.ev);
  }
  tsd->alwaysReady.erase(fd);
  tsd->files.erase(it);  // a FileEvent still queued for fd finds nothing and is dropped
}

void setTimer(const Tcl_Time*) {
  // Tcl drives the loop and hands each wait its timeout, so nothing to do here.
}

// One turn of the loop. With an always-ready handler the turn does not block (as
// select() returns at once for a regular file), and each such handler is then marked
// ready for what it asked.
int waitForEvent(const Tcl_Time* t) {
  if (!tsd) return -1;
  ++tsd->stats.waits;
  int flags = EVLOOP_ONCE;
  bool timed = false;
  if (!tsd->alwaysReady.empty()) {
    flags |= EVLOOP_NONBLOCK;
  } else if (t) {
    if (t->sec == 0 && t->usec == 0) {
      flags |= EVLOOP_NONBLOCK;
    } else {
      timeval tv{static_cast<time_t>(t->sec), static_cast<suseconds_t>(t->usec)};
      event_add(tsd->timeout, &tv);
      timed = true;
    }
  }
  int r = event_base_loop(tsd->base, flags);
  if (timed) event_del(tsd->timeout);
  for (int fd : tsd->alwaysReady) {
    auto it = tsd->files.find(fd);
    if (it != tsd->files.end()) markReady(*tsd, it->second, TCL_READABLE | TCL_WRITABLE);
  }
  return r < 0 ? -1 : 0;
}

void* initNotifier() {
  auto* s = new ThreadState;
  s->base = ev::newBase();  // precise timers; libevent's messages in the log
  if (!s->base) {
    std::fprintf(stderr, "cannot create an event loop for Tcl\n");
    std::abort();
  }
  s->wake = event_new(s->base, -1, EV_PERSIST, noop, nullptr);
  s->timeout = event_new(s->base, -1, 0, noop, nullptr);
  // The wake event stays added, so a wait without a deadline blocks like stock tclsh.
  timeval forever{365 * 86400, 0};
  event_add(s->wake, &forever);
  tsd = s;
  return s;
}

// Tcl_DeleteEvents predicate: frees the task of a post() that never ran.
int dropPosted(Tcl_Event* evPtr, ClientData);

void finalizeNotifier(ClientData data) {
  auto* s = static_cast<ThreadState*>(data);
  if (!s) return;
  Tcl_DeleteEvents(dropPosted, nullptr);
  for (auto& [fd, fh] : s->files)
    if (fh.ev) event_free(fh.ev);
  s->files.clear();
  event_free(s->wake);
  event_free(s->timeout);
  event_base_free(s->base);
  if (s->epollProbe >= 0) ::close(s->epollProbe);
  if (tsd == s) tsd = nullptr;
  delete s;
}

void alertNotifier(ClientData data) {
  auto* s = static_cast<ThreadState*>(data);
  if (!s) return;
  ++s->stats.alerts;
  event_active(s->wake, EV_TIMEOUT, 0);
}

void serviceModeHook(int) {}

int postEventProc(Tcl_Event* evPtr, int) {
  auto* pe = reinterpret_cast<PostEvent*>(evPtr);
  std::unique_ptr<std::function<void()>> fn(pe->fn);
  try {
    (*fn)();
  } catch (const std::exception& e) {
    FAIL_LOG(log::facility("main"), Err) << "internal error in a posted task: " << e.what();
  } catch (...) {
    FAIL_LOG(log::facility("main"), Err) << "internal error in a posted task";
  }
  return 1;
}

int dropPosted(Tcl_Event* evPtr, ClientData) {
  if (evPtr->proc != postEventProc) return 0;
  delete reinterpret_cast<PostEvent*>(evPtr)->fn;
  return 1;
}

}  // namespace

void install() {
  if (gInstalled.exchange(true)) return;
  evthread_use_pthreads();  // AlertNotifier may come from another thread
  Tcl_NotifierProcs procs{};
  procs.setTimerProc = setTimer;
  procs.waitForEventProc = waitForEvent;
  procs.createFileHandlerProc = createFileHandler;
  procs.deleteFileHandlerProc = deleteFileHandler;
  procs.initNotifierProc = initNotifier;
  procs.finalizeNotifierProc = finalizeNotifier;
  procs.alertNotifierProc = alertNotifier;
  procs.serviceModeHookProc = serviceModeHook;
  Tcl_SetNotifier(&procs);
}

bool installed() { return gInstalled.load(); }

event_base* base() { return tsd ? tsd->base : nullptr; }

void post(std::function<void()> fn) {
  auto* pe = reinterpret_cast<PostEvent*>(ckalloc(sizeof(PostEvent)));
  pe->header.proc = postEventProc;
  pe->header.nextPtr = nullptr;
  pe->fn = new std::function<void()>(std::move(fn));
  if (tsd) ++tsd->stats.posted;
  Tcl_QueueEvent(&pe->header, TCL_QUEUE_TAIL);
}

void postTo(Tcl_ThreadId thread, std::function<void()> fn) {
  auto* pe = reinterpret_cast<PostEvent*>(ckalloc(sizeof(PostEvent)));
  pe->header.proc = postEventProc;
  pe->header.nextPtr = nullptr;
  pe->fn = new std::function<void()>(std::move(fn));
  Tcl_ThreadQueueEvent(thread, &pe->header, TCL_QUEUE_TAIL);
  Tcl_ThreadAlert(thread);
}

NotifierStats stats() { return tsd ? tsd->stats : NotifierStats{}; }

}  // namespace fail::tcl

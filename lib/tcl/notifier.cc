#include "tcl/notifier.hh"

#include <event2/thread.h>
#include <tcl.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>

#include "base/log.hh"

namespace fail::tcl {
namespace {

std::atomic<bool> gInstalled{false};

struct FileHandler {
  int fd = -1;
  int mask = 0;   // what Tcl asked for (TCL_READABLE | TCL_WRITABLE | TCL_EXCEPTION)
  int ready = 0;  // seen by libevent and not yet delivered to Tcl
  Tcl_FileProc* proc = nullptr;
  ClientData data = nullptr;
  event* ev = nullptr;
};

// One per thread that uses Tcl; returned to Tcl as the notifier's ClientData.
struct ThreadState {
  event_base* base = nullptr;
  event* wake = nullptr;     // made active by AlertNotifier (any thread)
  event* timeout = nullptr;  // the wait's deadline
  std::map<int, FileHandler> files;
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

void fileCb(evutil_socket_t fd, short what, void*) {
  if (!tsd) return;
  auto it = tsd->files.find(static_cast<int>(fd));
  if (it == tsd->files.end()) return;
  FileHandler& fh = it->second;
  int m = ((what & EV_READ) ? TCL_READABLE : 0) | ((what & EV_WRITE) ? TCL_WRITABLE : 0);
  bool queued = fh.ready != 0;
  fh.ready |= m;
  if (queued) return;  // one event carries every readiness seen until Tcl handles it
  ++tsd->stats.fileEvents;
  auto* fe = reinterpret_cast<FileEvent*>(ckalloc(sizeof(FileEvent)));
  fe->header.proc = fileEventProc;
  fe->header.nextPtr = nullptr;
  fe->fd = static_cast<int>(fd);
  Tcl_QueueEvent(&fe->header, TCL_QUEUE_TAIL);
}

void createFileHandler(int fd, int mask, Tcl_FileProc* proc, ClientData data) {
  if (!tsd) return;
  FileHandler& fh = tsd->files[fd];
  if (fh.ev) {
    event_del(fh.ev);
    event_free(fh.ev);
    fh.ev = nullptr;
  }
  fh.fd = fd;
  fh.mask = mask;
  fh.proc = proc;
  fh.data = data;
  fh.ready &= mask;
  short what = EV_PERSIST;
  if (mask & TCL_READABLE) what |= EV_READ;
  if (mask & TCL_WRITABLE) what |= EV_WRITE;
  if (what == EV_PERSIST) return;  // exceptions alone: nothing libevent reports apart
  fh.ev = event_new(tsd->base, fd, what, fileCb, nullptr);
  if (fh.ev) event_add(fh.ev, nullptr);
}

void deleteFileHandler(int fd) {
  if (!tsd) return;
  auto it = tsd->files.find(fd);
  if (it == tsd->files.end()) return;
  if (it->second.ev) {
    event_del(it->second.ev);
    event_free(it->second.ev);
  }
  tsd->files.erase(it);  // a FileEvent still queued for fd finds nothing and is dropped
}

void setTimer(const Tcl_Time*) {
  // Tcl drives the loop and hands each wait its timeout, so nothing to do here.
}

int waitForEvent(const Tcl_Time* t) {
  if (!tsd) return -1;
  ++tsd->stats.waits;
  int flags = EVLOOP_ONCE;
  bool timed = false;
  if (t) {
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
  return r < 0 ? -1 : 0;
}

void* initNotifier() {
  auto* s = new ThreadState;
  s->base = event_base_new();
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

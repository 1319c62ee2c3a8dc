// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The ncurses driver (curses.hh): draws the View's frames and feeds it keys, all on the
// Watcher's libevent loop (the tty's fd is one more event; SIGWINCH, SIGINT, SIGTERM and
// SIGHUP are libevent signal events). ncurses' own wnoutrefresh/doupdate send only the cells
// that changed. Every callback is noexcept: an exception ends the loop, the terminal is
// restored, and runCurses returns 1 with the message on stderr.
#include "mon/curses.hh"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hh"
#include "base/time.hh"
#include "mon/text.hh"
#include "mon/view.hh"

namespace fail::mon {
namespace {

log::Facility& fac() {
  static log::Facility& f = log::facility("screen");
  return f;
}

struct EventFree {
  void operator()(event* e) const { event_free(e); }
};
using EventPtr = std::unique_ptr<event, EventFree>;

// ncurses' screen; endwin() on every way out of runCurses.
struct Screen {
  SCREEN* screen = nullptr;
  ~Screen() {
    if (!screen) return;
    endwin();
    delscreen(screen);
  }
};

constexpr short kPairUp = 1, kPairRecover = 2, kPairFail = 3, kPairUnknown = 4, kPairPrompt = 5,
                kPairCellUp = 6, kPairCellRecover = 7, kPairCellFail = 8, kPairCellUnknown = 9,
                kPairHeader = 10;

class Driver {
 public:
  Driver(event_base* base, Model& model, Watcher& watcher, int minFrameMs)
      : base_(base), model_(model), watcher_(watcher), minFrameUs_(static_cast<Micros>(minFrameMs) * 1000) {}

  // Sets the terminal up; false (with error_ set) when there is no usable terminal.
  bool open();
  // Runs the loop until q, a signal or an error.
  int run();
  const std::string& error() const { return error_; }

 private:
  static void onKeys(evutil_socket_t, short, void* self) noexcept { static_cast<Driver*>(self)->guard(&Driver::keys); }
  static void onFrame(evutil_socket_t, short, void* self) noexcept { static_cast<Driver*>(self)->guard(&Driver::draw); }
  static void onTick(evutil_socket_t, short, void* self) noexcept { static_cast<Driver*>(self)->guard(&Driver::request); }
  static void onResize(evutil_socket_t, short, void* self) noexcept { static_cast<Driver*>(self)->guard(&Driver::resize); }
  static void onStop(evutil_socket_t, short, void* self) noexcept {
    event_base_loopbreak(static_cast<Driver*>(self)->base_);
  }

  // Runs `fn`, turning an exception into the end of the loop.
  void guard(void (Driver::*fn)()) noexcept {
    try {
      (this->*fn)();
    } catch (const std::exception& e) {
      fail(e.what());
    } catch (...) {
      fail("unknown exception");
    }
  }
  void fail(std::string why) {
    error_ = std::move(why);
    event_base_loopbreak(base_);
  }
  void keys();
  void key(Key k);
  void request();
  void draw();
  void resize();
  void colours();
  attr_t attrOf(Style s) const;

  event_base* base_;
  Model& model_;
  Watcher& watcher_;
  Micros minFrameUs_;
  View view_;
  Screen screen_;
  bool colour_ = false;
  bool ascii_ = false;
  bool pending_ = false;
  Micros lastFrame_ = 0;
  std::uint64_t drawnGeneration_ = ~std::uint64_t{0};
  std::vector<Row> shown_;  // the rows on the screen, as last drawn
  int shownWidth_ = 0;
  std::string error_;
  bool quit_ = false;
  int emptyWakeups_ = 0;  // key events in a row that found no key
  EventPtr keys_, frame_, tick_, winch_, sigint_, sigterm_, sighup_;
};

bool Driver::open() {
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
    error_ = "the curses interface needs a terminal (use -l, -1, -h or --json otherwise)";
    return false;
  }
  setlocale(LC_ALL, "");
  // Not a UTF-8 terminal: non-ASCII text goes as '?' (ncurses would show its bytes as
  // M-x escapes, wider than measured).
  ascii_ = std::string_view(nl_langinfo(CODESET)) != "UTF-8";
  screen_.screen = newterm(nullptr, stdout, stdin);
  if (!screen_.screen) {
    error_ = "cannot use the terminal (TERM is unset or unknown)";
    return false;
  }
  set_term(screen_.screen);
  cbreak();
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  set_escdelay(25);
  curs_set(0);
  colours();
  return true;
}

void Driver::colours() {
  if (!has_colors()) return;
  start_color();
  use_default_colors();
  colour_ = true;
  init_pair(kPairUp, COLOR_GREEN, -1);
  init_pair(kPairRecover, COLOR_YELLOW, -1);
  init_pair(kPairFail, COLOR_RED, -1);
  init_pair(kPairUnknown, COLOR_MAGENTA, -1);
  init_pair(kPairPrompt, COLOR_CYAN, -1);
  init_pair(kPairCellUp, COLOR_BLACK, COLOR_GREEN);
  init_pair(kPairCellRecover, COLOR_BLACK, COLOR_YELLOW);
  init_pair(kPairCellFail, COLOR_WHITE, COLOR_RED);
  init_pair(kPairCellUnknown, COLOR_BLACK, COLOR_MAGENTA);
  init_pair(kPairHeader, COLOR_WHITE, COLOR_BLUE);
}

attr_t Driver::attrOf(Style s) const {
  if (!colour_) {
    switch (s) {
      case Style::Header: return A_REVERSE;
      case Style::Title: return A_BOLD;
      case Style::Fail: case Style::Down: return A_BOLD;
      case Style::Dim: return A_DIM;
      case Style::CellFail: return A_BOLD | A_UNDERLINE;
      case Style::CellUp: case Style::CellRecover: case Style::CellUnknown: return A_UNDERLINE;
      default: return A_NORMAL;
    }
  }
  switch (s) {
    case Style::Header: return COLOR_PAIR(kPairHeader) | A_BOLD;
    case Style::Title: return A_BOLD;
    case Style::Up: return COLOR_PAIR(kPairUp);
    case Style::Recover: return COLOR_PAIR(kPairRecover) | A_BOLD;
    case Style::Fail: return COLOR_PAIR(kPairFail) | A_BOLD;
    case Style::Unknown: return COLOR_PAIR(kPairUnknown);
    case Style::Down: return COLOR_PAIR(kPairFail) | A_BOLD;
    case Style::Dim: return A_DIM;
    case Style::Prompt: return COLOR_PAIR(kPairPrompt);
    case Style::CellUp: return COLOR_PAIR(kPairCellUp);
    case Style::CellRecover: return COLOR_PAIR(kPairCellRecover);
    case Style::CellFail: return COLOR_PAIR(kPairCellFail) | A_BOLD;
    case Style::CellUnknown: return COLOR_PAIR(kPairCellUnknown);
    default: return A_NORMAL;
  }
}

// Asks for a frame: at once when the last one is at least minFrameMs old, else when it
// will be (several requests in between make one frame).
void Driver::request() {
  if (pending_) return;
  pending_ = true;
  Micros wait = lastFrame_ + minFrameUs_ - steadyNow();
  timeval tv{0, 0};
  if (wait > 0) tv = {static_cast<time_t>(wait / 1'000'000), static_cast<suseconds_t>(wait % 1'000'000)};
  evtimer_add(frame_.get(), &tv);
}

void Driver::draw() {
  pending_ = false;
  Micros start = steadyNow();
  int height = 0, width = 0;
  getmaxyx(stdscr, height, width);
  Frame f = view_.frame(model_, width, height, wallNow());
  Micros built = steadyNow();
  // Rows drawn as they are already are skipped: ncurses would find their cells
  // unchanged too, but only after converting every character again.
  if (f.width != shownWidth_ || static_cast<int>(shown_.size()) != f.height) shown_.clear();
  shown_.resize(f.rows.size());
  shownWidth_ = f.width;
  int drawn = 0;
  for (int y = 0; y < static_cast<int>(f.rows.size()); ++y) {
    const Row& row = f.rows[static_cast<std::size_t>(y)];
    Row& before = shown_[static_cast<std::size_t>(y)];
    if (row == before) continue;
    ++drawn;
    wmove(stdscr, y, 0);
    for (const Segment& s : row.segments) {
      wattrset(stdscr, static_cast<int>(attrOf(s.style) | (row.selected ? A_REVERSE : A_NORMAL)));
      // ERR at the last cell of the screen is harmless.
      waddstr(stdscr, ascii_ ? toAscii(s.text).c_str() : s.text.c_str());
    }
    before = row;
  }
  wattrset(stdscr, A_NORMAL);
  if (f.cursorRow >= 0) {
    curs_set(1);
    wmove(stdscr, f.cursorRow, f.cursorCol);
  } else {
    curs_set(0);
  }
  wnoutrefresh(stdscr);
  doupdate();
  lastFrame_ = steadyNow();
  drawnGeneration_ = model_.generation();
  FAIL_LOG(fac(), Debug) << "frame build_us=" << (built - start) << " draw_us=" << (lastFrame_ - built)
                         << " generation=" << drawnGeneration_ << " size=" << width << "x" << height
                         << " rows=" << drawn;
}

void Driver::resize() {
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) resize_term(ws.ws_row, ws.ws_col);
  clearok(curscr, TRUE);  // a clean redraw: nothing of the old size stays
  werase(stdscr);
  shown_.clear();
  request();
}

void Driver::key(Key k) {
  Outcome out = view_.press(model_, k);
  if (out.backfill) watcher_.backfill(out.backfill->first, out.backfill->second);
  if (out.quit) {
    quit_ = true;
    event_base_loopbreak(base_);
  }
}

void Driver::keys() {
  wint_t ch = 0;
  int r, read = 0;
  while (!quit_ && (r = wget_wch(stdscr, &ch)) != ERR) {
    ++read;
    if (r == KEY_CODE_YES) {
      switch (ch) {
        case KEY_UP: key({Key::Up}); break;
        case KEY_DOWN: key({Key::Down}); break;
        case KEY_LEFT: key({Key::Left}); break;
        case KEY_RIGHT: key({Key::Right}); break;
        case KEY_PPAGE: key({Key::PageUp}); break;
        case KEY_NPAGE: key({Key::PageDown}); break;
        case KEY_HOME: key({Key::Home}); break;
        case KEY_END: key({Key::End}); break;
        case KEY_ENTER: key({Key::Enter}); break;
        case KEY_BACKSPACE: key({Key::Backspace}); break;
        case KEY_BTAB: key({Key::Tab}); break;
        case KEY_RESIZE: resize(); break;
        default: break;
      }
      continue;
    }
    switch (ch) {
      case '\t': key({Key::Tab}); break;
      case '\r': case '\n': key({Key::Enter}); break;
      case 27: key({Key::Escape}); break;
      case 127: case 8: key({Key::Backspace}); break;
      case 12: clearok(curscr, TRUE), shown_.clear(); break;  // ^L: repaint everything
      default: key(Key::of(static_cast<char32_t>(ch))); break;
    }
  }
  // Readable with nothing to read, again and again: the terminal is gone (EOF, hangup).
  int pending = 0;
  if (read == 0 && ioctl(STDIN_FILENO, FIONREAD, &pending) == 0 && pending == 0) {
    if (++emptyWakeups_ >= 3) fail("the terminal is gone (end of input)");
  } else {
    emptyWakeups_ = 0;
  }
  request();
}

int Driver::run() {
  keys_.reset(event_new(base_, STDIN_FILENO, EV_READ | EV_PERSIST, onKeys, this));
  frame_.reset(evtimer_new(base_, onFrame, this));
  tick_.reset(event_new(base_, -1, EV_PERSIST, onTick, this));
  winch_.reset(evsignal_new(base_, SIGWINCH, onResize, this));
  sigint_.reset(evsignal_new(base_, SIGINT, onStop, this));
  sigterm_.reset(evsignal_new(base_, SIGTERM, onStop, this));
  sighup_.reset(evsignal_new(base_, SIGHUP, onStop, this));
  timeval second{1, 0};
  event_add(keys_.get(), nullptr);
  event_add(tick_.get(), &second);
  event_add(winch_.get(), nullptr);
  event_add(sigint_.get(), nullptr);
  event_add(sigterm_.get(), nullptr);
  event_add(sighup_.get(), nullptr);
  watcher_.onUpdate([this] {
    if (model_.generation() != drawnGeneration_) request();
  });
  draw();
  event_base_dispatch(base_);
  watcher_.onUpdate([] {});
  keys_.reset(), frame_.reset(), tick_.reset(), winch_.reset(), sigint_.reset(), sigterm_.reset(), sighup_.reset();
  return error_.empty() ? 0 : 1;
}

}  // namespace

int runCurses(event_base* base, Model& model, Watcher& watcher, int minFrameMs) {
  std::string error;
  int rc = 1;
  {
    Driver d(base, model, watcher, minFrameMs);
    try {
      if (d.open()) rc = d.run();
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (error.empty() && rc != 0) error = d.error().empty() ? "terminal error" : d.error();
    // the driver's Screen ends curses here, before the message is printed
  }
  if (rc != 0) std::cerr << "failmon: " << error << "\n";
  return rc;
}

}  // namespace fail::mon

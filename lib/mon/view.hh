// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// failmon's screens as a pure view: keys go in as Key values, a Frame (rows of
// terminal-safe text in styled segments, fitted to the terminal) comes out. No ncurses
// and no clock here (curses.cc draws frames and reads keys; tests drive a View with a
// hand-built Model).
//
// Screens (the original failmon's key map, man/failmon.1 "CURSES INTERFACE"):
//   Hosts    (h, c): every target as a row (kind, reach, restarted) and, under a failsh
//            target, its host:NAME records with last connect | last call (c toggles);
//   Services (l, ←): the records of the selected target (a failsh's service:, pool:…
//            records, every record of a faild or hc), state word, age, note;
//   Detail   (s, →, Enter): one record: state, since, masters/slaves/witnesses and what
//            each reported, hc's latency/location/streaks, every other attribute and
//            the strip of its recent changes.
// Tab switches between Hosts and the last of Services/Detail; ↑ ↓ PgUp PgDn Home End
// move; / opens a filter prompt (a glob on record names; Enter keeps it, Esc clears); q
// quits. Selections are kept by name across updates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/time.hh"
#include "mon/model.hh"

namespace fail::mon {

// How a segment is drawn; every state also shows as a word, so no meaning is in colour
// alone.
enum class Style : std::uint8_t {
  Normal,
  Header,   // the header line
  Title,    // the screen's title and column heads
  Up,       // state words
  Recover,
  Fail,
  Unknown,
  Down,     // an unreachable target
  Dim,      // stale (its target is unreachable), secondary text
  Prompt,   // the filter prompt and the key help
  CellUp,   // cells of the strip of recent changes (reverse colour blocks)
  CellRecover,
  CellFail,
  CellUnknown,
};

struct Segment {
  std::string text;  // terminal-safe UTF-8
  Style style = Style::Normal;
  bool operator==(const Segment&) const = default;
};

struct Row {
  std::vector<Segment> segments;  // together exactly Frame::width columns
  bool selected = false;          // drawn reversed
  std::string text() const;       // the segments' text joined
  bool operator==(const Row&) const = default;
};

struct Frame {
  int width = 0, height = 0;
  std::vector<Row> rows;  // exactly `height` rows (none when width or height < 1)
  int cursorRow = -1, cursorCol = -1;  // where the cursor shows (the filter prompt), or -1
};

struct Key {
  enum Code { Char, Up, Down, Left, Right, PageUp, PageDown, Home, End, Tab, Enter, Escape, Backspace };
  Code code = Char;
  char32_t ch = 0;  // Code::Char: the character typed
  static Key of(char32_t c) { return Key{Char, c}; }
};

// What a key asks of the driver.
struct Outcome {
  bool quit = false;
  // A detail opened: ask that target for the record's recent changes (Watcher::backfill).
  std::optional<std::pair<std::size_t, std::string>> backfill;
};

enum class Screen { Hosts, Services, Detail };

// A View is used with one Model for its life (it keeps pointers to the Model's entries
// between calls, checked against Target::membership).
class View {
 public:
  Outcome press(const Model& model, Key key);
  // The frame for a terminal of `width` × `height` at `now` (ages tick with it). Not
  // const: it scrolls the selected row into sight.
  Frame frame(const Model& model, int width, int height, Micros now);

  Screen screen() const { return screen_; }
  bool showCall() const { return showCall_; }
  const std::string& filter() const { return filter_; }
  bool prompting() const { return prompting_; }
  // The selected row's record name ("" for a target row) and target, per screen.
  struct Pick {
    std::size_t target = 0;
    std::string name;  // "" on the hosts screen: the target itself
    bool operator==(const Pick&) const = default;
  };
  const Pick& hostPick() const { return hostPick_; }
  const Pick& servicePick() const { return servicePick_; }

 private:
  struct Item {
    std::size_t target;
    const Entry* entry;  // null: the target's own row
  };
  std::vector<Item> hostItems(const Model& model) const;
  // The rows of the services screen, kept between frames and built again only when the
  // target, its kind, its membership (records come or go) or the filter moved: a state
  // change costs a frame nothing in proportion to the records held.
  const std::vector<Item>& serviceItems(const Model& model) const;
  // Finds `pick` among `items` by name (so updates do not move the selection); when it
  // is gone, keeps the row index `index`. Updates both; returns the index.
  static std::size_t resolve_(const std::vector<Item>& items, Pick& pick, std::size_t& index);
  bool passes(const std::string& name, bool failsh) const;
  void move(const Model& model, Key::Code code);
  Outcome openDetail(const Model& model);
  void editFilter(Key key);
  int pageRows() const { return pageRows_ > 1 ? pageRows_ : 1; }

  Frame hostsFrame(const Model& model, int width, int height, Micros now);
  Frame servicesFrame(const Model& model, int width, int height, Micros now);
  Frame detailFrame(const Model& model, int width, int height, Micros now);
  void frameEdges(const Model& model, Frame& f, const std::string& title);

  Screen screen_ = Screen::Hosts;
  Screen back_ = Screen::Services;  // where Tab goes from Hosts
  bool showCall_ = false;
  std::string filter_;
  bool prompting_ = false;
  Pick hostPick_, servicePick_, detailPick_;
  std::size_t hostIndex_ = 0, serviceIndex_ = 0;  // last known rows of the picks
  int hostTop_ = 0, serviceTop_ = 0, detailTop_ = 0;  // first row shown
  int pageRows_ = 10;  // list rows of the last frame, for PgUp/PgDn
  int detailRows_ = 0; // rows of the last detail, for scrolling
  struct ServiceCache {
    const Model* model = nullptr;
    std::size_t target = 0;
    Kind kind = Kind::Unknown;
    std::uint64_t membership = 0;
    std::string filter;
    std::vector<Item> items;
  };
  mutable ServiceCache services_;
};

}  // namespace fail::mon

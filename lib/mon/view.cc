// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The view's state and keys (view.hh); the frames are drawn in view_draw.cc.
#include <algorithm>

#include "base/text.hh"
#include "mon/view.hh"
#include "mon/view_util.hh"

namespace fail::mon {

std::string Row::text() const {
  std::string out;
  for (const auto& s : segments) out += s.text;
  return out;
}

bool View::passes(const std::string& name, bool failsh) const {
  if (filter_.empty()) return true;
  return globMatchStrings(filter_, name) || (failsh && globMatch(filter_, shownName(name)));
}

std::vector<View::Item> View::hostItems(const Model& model) const {
  std::vector<Item> items;
  for (std::size_t i = 0; i < model.size(); ++i) {
    const Target& t = model.at(i);
    items.push_back({i, nullptr});
    if (t.kind != Kind::Failsh) continue;  // only a failsh's host: records are its hosts
    for (auto it = t.records.lower_bound(kHostPrefix); it != t.records.end(); ++it) {
      if (!isHost(it->first)) break;
      if (passes(it->first, true)) items.push_back({i, &it->second});
    }
  }
  return items;
}

const std::vector<View::Item>& View::serviceItems(const Model& model) const {
  ServiceCache& c = services_;
  std::size_t i = hostPick_.target;
  if (i >= model.size()) {
    c.items.clear();
    c.model = nullptr;
    return c.items;
  }
  const Target& t = model.at(i);
  if (c.model == &model && c.target == i && c.kind == t.kind && c.membership == t.membership && c.filter == filter_)
    return c.items;
  c = ServiceCache{&model, i, t.kind, t.membership, filter_, {}};
  std::vector<Item>& items = c.items;
  bool failsh = t.kind == Kind::Failsh;
  // A failsh's service: records first (its other records, pools and followed names,
  // after them); host: records belong to the hosts screen.
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& [name, e] : t.records) {
      if (failsh && isHost(name)) continue;
      bool service = name.compare(0, kServicePrefix.size(), kServicePrefix) == 0;
      if (failsh && (pass == 0) != service) continue;
      if (!failsh && pass == 1) break;
      if (passes(name, failsh)) items.push_back({i, &e});
    }
  return items;
}

// Finds `pick` among `items` (by name, so updates do not move the selection); when it
// is gone, stays at the same row index. Updates both.
std::size_t View::resolve_(const std::vector<Item>& items, Pick& pick, std::size_t& index) {
  if (items.empty()) {
    index = 0;
    return 0;
  }
  auto same = [&](const Item& it) {
    return it.target == pick.target && (it.entry ? it.entry->record.name == pick.name : pick.name.empty());
  };
  if (index < items.size() && same(items[index])) return index;  // where it was: no search
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (same(items[k])) {
      index = k;
      return k;
    }
  }
  index = std::min(index, items.size() - 1);
  pick.target = items[index].target;
  pick.name = items[index].entry ? items[index].entry->record.name : std::string();
  return index;
}

void View::move(const Model& model, Key::Code code) {
  if (screen_ == Screen::Detail) {
    int max = std::max(0, detailRows_ - pageRows());
    int top = detailTop_;
    if (code == Key::Up) --top;
    if (code == Key::Down) ++top;
    if (code == Key::PageUp) top -= pageRows();
    if (code == Key::PageDown) top += pageRows();
    if (code == Key::Home) top = 0;
    if (code == Key::End) top = max;
    detailTop_ = std::clamp(top, 0, max);
    return;
  }
  bool hosts = screen_ == Screen::Hosts;
  std::vector<Item> hostRows;
  if (hosts) hostRows = hostItems(model);
  const std::vector<Item>& items = hosts ? hostRows : serviceItems(model);
  Pick& pick = hosts ? hostPick_ : servicePick_;
  std::size_t& index = hosts ? hostIndex_ : serviceIndex_;
  if (items.empty()) return;
  long k = static_cast<long>(resolve_(items, pick, index));
  long last = static_cast<long>(items.size()) - 1;
  if (code == Key::Up) --k;
  if (code == Key::Down) ++k;
  if (code == Key::PageUp) k -= pageRows();
  if (code == Key::PageDown) k += pageRows();
  if (code == Key::Home) k = 0;
  if (code == Key::End) k = last;
  index = static_cast<std::size_t>(std::clamp(k, 0L, last));
  pick.target = items[index].target;
  pick.name = items[index].entry ? items[index].entry->record.name : std::string();
}

Outcome View::openDetail(const Model& model) {
  Outcome out;
  if (screen_ == Screen::Detail) return out;
  if (screen_ == Screen::Hosts) {
    auto items = hostItems(model);
    if (items.empty()) return out;
    std::size_t k = resolve_(items, hostPick_, hostIndex_);
    if (!items[k].entry) {  // a target's own row: its services
      screen_ = back_ = Screen::Services;
      return out;
    }
    detailPick_ = hostPick_;
  } else {
    const auto& items = serviceItems(model);
    if (items.empty()) return out;
    resolve_(items, servicePick_, serviceIndex_);
    detailPick_ = servicePick_;
  }
  screen_ = back_ = Screen::Detail;
  detailTop_ = 0;
  out.backfill = std::make_pair(detailPick_.target, detailPick_.name);
  return out;
}

void View::editFilter(Key key) {
  switch (key.code) {
    case Key::Escape:
      filter_.clear();
      prompting_ = false;
      break;
    case Key::Enter:
      prompting_ = false;
      break;
    case Key::Backspace:
      while (!filter_.empty()) {  // a whole UTF-8 sequence
        unsigned char c = static_cast<unsigned char>(filter_.back());
        filter_.pop_back();
        if ((c & 0xC0) != 0x80) break;
      }
      break;
    case Key::Char:
      if (key.ch >= 0x20 && key.ch != 0x7F && filter_.size() < 256) appendUtf8(filter_, key.ch);
      break;
    default:
      break;
  }
}

Outcome View::press(const Model& model, Key key) {
  if (prompting_) {
    editFilter(key);
    return {};
  }
  Outcome out;
  // The pick of the hosts screen decides the target of the services screen.
  resolve_(hostItems(model), hostPick_, hostIndex_);
  std::size_t before = hostPick_.target;
  switch (key.code) {
    case Key::Char:
      switch (key.ch) {
        case 'q': case 'Q': out.quit = true; break;
        case 'h': screen_ = Screen::Hosts; break;
        case 'c': showCall_ = !showCall_; screen_ = Screen::Hosts; break;
        case 'l': screen_ = back_ = Screen::Services; break;
        case 's': out = openDetail(model); break;
        case '/': prompting_ = true; filter_.clear(); break;
        case '\t': screen_ = screen_ == Screen::Hosts ? back_ : Screen::Hosts; break;
        case 'k': move(model, Key::Up); break;
        case 'j': move(model, Key::Down); break;
        default: break;
      }
      break;
    case Key::Left:
      if (screen_ == Screen::Detail || screen_ == Screen::Hosts) screen_ = back_ = Screen::Services;
      break;
    case Key::Right:
    case Key::Enter:
      if (screen_ != Screen::Detail) out = openDetail(model);
      break;
    case Key::Tab:
      screen_ = screen_ == Screen::Hosts ? back_ : Screen::Hosts;
      break;
    case Key::Escape:
      filter_.clear();
      break;
    default:
      move(model, key.code);
      break;
  }
  // Another target's services start at their first row.
  if (hostPick_.target != before || servicePick_.target != hostPick_.target) {
    servicePick_ = Pick{hostPick_.target, {}};
    serviceIndex_ = 0;
    serviceTop_ = 0;
  }
  return out;
}

}  // namespace fail::mon

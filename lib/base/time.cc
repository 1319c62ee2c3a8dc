// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "base/time.hh"

#include <time.h>

#include <charconv>
#include <limits>

namespace fail {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

Micros wallNow() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

Micros steadyNow() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

std::optional<std::int64_t> parseInt(std::string_view text, bool allowNegative) {
  if (text.empty()) return std::nullopt;
  if (text[0] == '-' && !allowNegative) return std::nullopt;
  if (text[0] == '+') return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parseUint(std::string_view text) {
  if (text.empty() || text[0] == '-' || text[0] == '+') return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parseDurationMs(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (auto bare = parseInt(text)) {
    if (*bare > std::numeric_limits<std::int64_t>::max() / 1000) return std::nullopt;
    return *bare * 1000;
  }
  std::int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    auto parsed = i == start ? std::nullopt : parseInt(text.substr(start, i - start));
    if (!parsed) return std::nullopt;
    std::int64_t n = *parsed;
    size_t ustart = i;
    while (i < text.size() && (text[i] < '0' || text[i] > '9')) ++i;
    std::string_view unit = text.substr(ustart, i - ustart);
    std::int64_t mul;
    if (unit == "ms") mul = 1;
    else if (unit == "s") mul = 1000;
    else if (unit == "m") mul = 60'000;
    else if (unit == "h") mul = 3'600'000;
    else if (unit == "d") mul = 86'400'000;
    else return std::nullopt;
    if (n > (std::numeric_limits<std::int64_t>::max() - total) / mul) return std::nullopt;
    total += n * mul;
  }
  return total;
}

std::string formatDurationMs(std::int64_t ms) {
  if (ms == 0) return "0";
  if (ms % 1000) return std::to_string(ms) + "ms";
  std::int64_t s = ms / 1000;
  if (s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

namespace {

std::string localTime(Micros t, const char* format) {
  time_t secs = static_cast<time_t>(t / 1'000'000);
  struct tm tm;
  localtime_r(&secs, &tm);
  char buf[32];
  strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace

std::string formatLocalTime(Micros t) { return localTime(t, "%Y-%m-%d %H:%M:%S"); }

std::string fileStamp(Micros t) { return localTime(t, "%Y%m%d-%H%M%S"); }

std::string isoTime(Micros t) {
  Micros secs = t / 1'000'000, frac = t % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    --secs;
  }
  time_t tt = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&tt, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(frac));
  return buf;
}

std::string formatAge(Micros delta) {
  if (delta < 0) delta = 0;
  std::int64_t s = delta / 1'000'000;
  struct Unit {
    const char* name;
    std::int64_t secs;
  };
  constexpr Unit units[] = {{"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}};
  if (s < 60) return std::to_string(s) + "s";
  for (size_t i = 0; i + 1 < std::size(units); ++i) {
    if (s >= units[i].secs) {
      std::string out = std::to_string(s / units[i].secs) + units[i].name;
      std::int64_t rest = (s % units[i].secs) / units[i + 1].secs;
      if (rest) out += std::to_string(rest) + units[i + 1].name;
      return out;
    }
  }
  return std::to_string(s) + "s";
}

std::optional<Micros> parseIsoTime(std::string_view t) {
  auto num = [&](size_t at, size_t n) -> std::optional<int> {
    if (at + n > t.size()) return std::nullopt;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2);
  if (!y || !mo || !d || t.size() < 10 || t[4] != '-' || t[7] != '-' || *mo < 1 || *mo > 12 || *d < 1 || *d > 31)
    return std::nullopt;
  Micros days = daysFromCivil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
  Micros micros = 0;
  if (t.size() > 10) {
    auto h = num(11, 2), mi = num(14, 2);
    if ((t[10] != 'T' && t[10] != ' ') || !h || !mi || t.size() < 17 || t[13] != ':' || *h > 23 || *mi > 59)
      return std::nullopt;
    if (t.size() == 17 && t[16] == 'Z')  // to the minute: "2026-12-07 18:00Z"
      return days * 86'400'000'000LL + (*h * 60LL + *mi) * 60'000'000;
    auto s = num(17, 2);
    if (!s || t[16] != ':' || *s > 60) return std::nullopt;
    micros = ((*h * 60LL + *mi) * 60 + *s) * 1'000'000;
    size_t at = 19;
    if (at < t.size() && t[at] == '.') {
      Micros scale = 100'000, frac = 0;
      size_t digits = 0;
      for (++at; at < t.size() && t[at] >= '0' && t[at] <= '9'; ++at, ++digits) {
        frac += (t[at] - '0') * scale;
        scale /= 10;
      }
      if (digits == 0) return std::nullopt;
      micros += frac;
    }
    if (at != t.size() - 1 || t[at] != 'Z') return std::nullopt;
  }
  return days * 86'400'000'000LL + micros;
}

}  // namespace fail

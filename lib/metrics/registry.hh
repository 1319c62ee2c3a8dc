// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// A registry of metrics and its Prometheus text exposition (format 0.0.4): families of
// counters, gauges and histograms, each with a fixed list of label names and one child
// per set of label values. doc/metrics.md lists every metric the programs export.
//
// Not thread-safe: the daemons are single-threaded and update and render on their loop
// thread. What another thread measures (the journal's fdatasync) is kept in a
// SharedHistogram (shared_histogram.hh) or in that thread's own atomics, and copied in by
// a collect hook just before rendering.
//
// Names follow Prometheus's rules, checked when a family is registered (a bad name is a
// bug: std::logic_error): counters end in _total, durations are in seconds and end in
// _seconds, base units throughout.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fail::metrics {

class Counter {
 public:
  void inc(double by = 1) { value_ += by; }
  // For a total kept elsewhere (a program's own counter struct), copied in when collected.
  void set(double total) { value_ = total; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class Gauge {
 public:
  void set(double v) { value_ = v; }
  void add(double by) { value_ += by; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

// Fixed upper bounds (ascending, +Inf implied after the last). Counts are kept per bucket
// and written cumulatively, as the format wants.
class Histogram {
 public:
  explicit Histogram(std::shared_ptr<const std::vector<double>> bounds);
  void observe(double v);
  // For counts kept elsewhere (a SharedHistogram): `counts` per bucket, not cumulative,
  // one more than there are bounds (+Inf last).
  void assign(const std::vector<std::uint64_t>& counts, double sum);

  const std::vector<double>& bounds() const { return *bounds_; }
  const std::vector<std::uint64_t>& counts() const { return counts_; }  // per bucket
  double sum() const { return sum_; }
  std::uint64_t count() const { return count_; }

 private:
  std::shared_ptr<const std::vector<double>> bounds_;
  std::vector<std::uint64_t> counts_;
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

enum class Type { Counter, Gauge, Histogram };

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, Type type, std::vector<std::string> labels);
  virtual ~FamilyBase() = default;
  const std::string& name() const { return name_; }
  Type type() const { return type_; }
  const std::vector<std::string>& labelNames() const { return labels_; }
  // Appends HELP, TYPE and every child's samples (nothing when it has no child).
  virtual void render(std::string& out) const = 0;

 protected:
  void checkValues(const std::vector<std::string>& values) const;  // as many as labels
  void header(std::string& out) const;
  // NAME{l1="v1",...,extraName="extraValue"} VALUE\n
  void sample(std::string& out, const std::string& suffix, const std::vector<std::string>& values, double v,
              const char* extraName = nullptr, const std::string& extraValue = {}) const;

 private:
  std::string name_, help_;
  Type type_;
  std::vector<std::string> labels_;
};

// The children of one metric, by label values. References to a child stay valid for the
// registry's life (callers may keep them instead of looking up per event).
template <class T>
class Family : public FamilyBase {
 public:
  using Make = std::function<T()>;
  Family(std::string name, std::string help, Type type, std::vector<std::string> labels, Make make)
      : FamilyBase(std::move(name), std::move(help), type, std::move(labels)), make_(std::move(make)) {}

  // The child with these label values (in labelNames() order), made on first use.
  T& with(const std::vector<std::string>& values) {
    auto it = children_.find(values);
    if (it != children_.end()) return it->second;
    checkValues(values);
    return children_.emplace(values, make_()).first->second;
  }
  T& get() { return with({}); }  // a family without labels
  void clear() { children_.clear(); }  // children whose label values went away
  const std::map<std::vector<std::string>, T>& children() const { return children_; }
  void render(std::string& out) const override;

 private:
  Make make_;
  std::map<std::vector<std::string>, T> children_;  // sorted: stable output
};

template <> void Family<Counter>::render(std::string& out) const;
template <> void Family<Gauge>::render(std::string& out) const;
template <> void Family<Histogram>::render(std::string& out) const;

class Registry {
 public:
  // Registers a family; throws std::logic_error for a bad or repeated name, a counter
  // not ending in _total, a bad label name ("le" in a histogram), bounds not ascending.
  Family<Counter>& counter(std::string name, std::string help, std::vector<std::string> labels = {});
  Family<Gauge>& gauge(std::string name, std::string help, std::vector<std::string> labels = {});
  Family<Histogram>& histogram(std::string name, std::string help, std::vector<double> bounds,
                               std::vector<std::string> labels = {});

  // A counter or gauge without labels whose value is read by `read` at each render(): for
  // a figure kept elsewhere (a program's own counters), copied rather than counted twice.
  void counterFrom(std::string name, std::string help, std::function<double()> read);
  void gaugeFrom(std::string name, std::string help, std::function<double()> read);

  // Runs before every render(): copies in values kept elsewhere.
  void onCollect(std::function<void()> hook) { hooks_.push_back(std::move(hook)); }

  // Runs the hooks, then writes every family in the order registered.
  std::string render();
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  void add(const FamilyBase* f) const;  // throws when its name is taken
  template <class T>
  Family<T>& add(std::unique_ptr<Family<T>> f);
  std::vector<std::unique_ptr<FamilyBase>> families_;
  std::vector<std::function<void()>> hooks_;
};

// Bucket bounds in seconds, from 50 µs to 10 s, for latencies of a disk sync, a probe or
// a callback.
const std::vector<double>& latencyBuckets();

}  // namespace fail::metrics

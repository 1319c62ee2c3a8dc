// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "metrics/registry.hh"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "metrics/text.hh"

namespace fail::metrics {

Histogram::Histogram(std::shared_ptr<const std::vector<double>> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_->size() + 1, 0) {}

void Histogram::observe(double v) {
  // The first bucket whose upper bound is >= v (a bound is inclusive: le).
  size_t i = static_cast<size_t>(std::lower_bound(bounds_->begin(), bounds_->end(), v) - bounds_->begin());
  ++counts_[i];
  sum_ += v;
  ++count_;
}

void Histogram::assign(const std::vector<std::uint64_t>& counts, double sum) {
  if (counts.size() != counts_.size()) throw std::logic_error("metrics: histogram buckets do not match");
  counts_ = counts;
  count_ = 0;
  for (auto c : counts_) count_ += c;
  sum_ = sum;
}

FamilyBase::FamilyBase(std::string name, std::string help, Type type, std::vector<std::string> labels)
    : name_(std::move(name)), help_(std::move(help)), type_(type), labels_(std::move(labels)) {
  if (!validMetricName(name_)) throw std::logic_error("metrics: bad metric name '" + name_ + "'");
  if (type_ == Type::Counter && (name_.size() < 7 || name_.compare(name_.size() - 6, 6, "_total") != 0))
    throw std::logic_error("metrics: counter " + name_ + " does not end in _total");
  for (const auto& l : labels_) {
    if (!validLabelName(l) || (type_ == Type::Histogram && l == "le"))
      throw std::logic_error("metrics: " + name_ + ": bad label name '" + l + "'");
    if (std::count(labels_.begin(), labels_.end(), l) > 1)
      throw std::logic_error("metrics: " + name_ + ": label '" + l + "' twice");
  }
}

void FamilyBase::checkValues(const std::vector<std::string>& values) const {
  if (values.size() != labels_.size())
    throw std::logic_error("metrics: " + name_ + " takes " + std::to_string(labels_.size()) + " label values, not " +
                           std::to_string(values.size()));
}

void FamilyBase::header(std::string& out) const {
  static const char* const kTypes[] = {"counter", "gauge", "histogram"};
  out += "# HELP ";
  out += name_;
  out += ' ';
  appendHelp(out, help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += kTypes[static_cast<int>(type_)];
  out += '\n';
}

void FamilyBase::sample(std::string& out, const std::string& suffix, const std::vector<std::string>& values, double v,
                        const char* extraName, const std::string& extraValue) const {
  out += name_;
  out += suffix;
  if (!values.empty() || extraName) {
    out += '{';
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) out += ',';
      out += labels_[i];
      out += "=\"";
      appendLabelValue(out, values[i]);
      out += '"';
    }
    if (extraName) {
      if (!values.empty()) out += ',';
      out += extraName;
      out += "=\"";
      appendLabelValue(out, extraValue);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  appendValue(out, v);
  out += '\n';
}

template <>
void Family<Counter>::render(std::string& out) const {
  if (children_.empty()) return;
  header(out);
  for (const auto& [values, c] : children_) sample(out, "", values, c.value());
}

template <>
void Family<Gauge>::render(std::string& out) const {
  if (children_.empty()) return;
  header(out);
  for (const auto& [values, g] : children_) sample(out, "", values, g.value());
}

template <>
void Family<Histogram>::render(std::string& out) const {
  if (children_.empty()) return;
  header(out);
  for (const auto& [values, h] : children_) {
    std::uint64_t cumulative = 0;
    std::string le;
    for (size_t i = 0; i <= h.bounds().size(); ++i) {
      cumulative += h.counts()[i];
      le.clear();
      if (i < h.bounds().size()) appendValue(le, h.bounds()[i]);
      else le = "+Inf";
      sample(out, "_bucket", values, static_cast<double>(cumulative), "le", le);
    }
    sample(out, "_sum", values, h.sum());
    sample(out, "_count", values, static_cast<double>(h.count()));
  }
}

void Registry::add(const FamilyBase* f) const {
  for (const auto& g : families_) {
    // A histogram's NAME_sum and NAME_count (and NAME_bucket) are taken too.
    auto clash = [&](const FamilyBase& h, const std::string& n) {
      if (h.name() == n) return true;
      if (h.type() != Type::Histogram) return false;
      return n == h.name() + "_sum" || n == h.name() + "_count" || n == h.name() + "_bucket";
    };
    if (clash(*g, f->name()) || clash(*f, g->name()))
      throw std::logic_error("metrics: " + f->name() + " registered twice (or clashes with " + g->name() + ")");
  }
}

namespace {

// Makes a family of T; one without labels gets its one child at once, so it is shown
// (as 0) before its first event.
template <class T>
std::unique_ptr<Family<T>> makeFamily(std::string name, std::string help, Type type, std::vector<std::string> labels,
                                      typename Family<T>::Make make) {
  bool plain = labels.empty();
  auto f = std::make_unique<Family<T>>(std::move(name), std::move(help), type, std::move(labels), std::move(make));
  if (plain) f->get();
  return f;
}

}  // namespace

template <class T>
Family<T>& Registry::add(std::unique_ptr<Family<T>> f) {
  auto& ref = *f;
  add(f.get());
  families_.push_back(std::move(f));
  return ref;
}

Family<Counter>& Registry::counter(std::string name, std::string help, std::vector<std::string> labels) {
  return add(makeFamily<Counter>(std::move(name), std::move(help), Type::Counter, std::move(labels),
                                 [] { return Counter(); }));
}

Family<Gauge>& Registry::gauge(std::string name, std::string help, std::vector<std::string> labels) {
  return add(makeFamily<Gauge>(std::move(name), std::move(help), Type::Gauge, std::move(labels),
                               [] { return Gauge(); }));
}

Family<Histogram>& Registry::histogram(std::string name, std::string help, std::vector<double> bounds,
                                       std::vector<std::string> labels) {
  for (size_t i = 0; i < bounds.size(); ++i)
    if (std::isnan(bounds[i]) || std::isinf(bounds[i]) || (i && bounds[i] <= bounds[i - 1]))
      throw std::logic_error("metrics: " + name + ": bucket bounds must be finite and ascending");
  auto shared = std::make_shared<const std::vector<double>>(std::move(bounds));
  return add(makeFamily<Histogram>(std::move(name), std::move(help), Type::Histogram, std::move(labels),
                                   [shared] { return Histogram(shared); }));
}

void Registry::counterFrom(std::string name, std::string help, std::function<double()> read) {
  Counter* c = &counter(std::move(name), std::move(help)).get();
  onCollect([c, read = std::move(read)] { c->set(read()); });
}

void Registry::gaugeFrom(std::string name, std::string help, std::function<double()> read) {
  Gauge* g = &gauge(std::move(name), std::move(help)).get();
  onCollect([g, read = std::move(read)] { g->set(read()); });
}

std::string Registry::render() {
  for (auto& h : hooks_) h();
  std::string out;
  for (const auto& f : families_) f->render(out);
  return out;
}

const std::vector<double>& latencyBuckets() {
  static const std::vector<double> b = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                        0.025,   0.05,   0.1,     0.25,   0.5,   1,      2.5,    5,     10};
  return b;
}

}  // namespace fail::metrics

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The registry and its text exposition: names checked, label values and help escaped,
// histogram buckets cumulative, and one golden text.
#include "metrics/registry.hh"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>

#include "metrics/shared_histogram.hh"
#include "metrics/text.hh"

namespace fail::metrics {
namespace {

TEST(MetricsText, Names) {
  EXPECT_TRUE(validMetricName("failover_changes_total"));
  EXPECT_TRUE(validMetricName("a:b_c9"));
  EXPECT_TRUE(validMetricName(":x"));
  EXPECT_FALSE(validMetricName(""));
  EXPECT_FALSE(validMetricName("9x"));
  EXPECT_FALSE(validMetricName("a-b"));
  EXPECT_FALSE(validMetricName("a b"));
  EXPECT_TRUE(validLabelName("state"));
  EXPECT_TRUE(validLabelName("_x1"));
  EXPECT_FALSE(validLabelName("__name__"));
  EXPECT_FALSE(validLabelName("a:b"));
  EXPECT_FALSE(validLabelName("1a"));
  EXPECT_FALSE(validLabelName(""));
}

TEST(MetricsText, Escaping) {
  std::string out;
  appendLabelValue(out, "a\\b\"c\nd\té");
  EXPECT_EQ(out, "a\\\\b\\\"c\\nd\té");
  out.clear();
  appendHelp(out, "say \"x\" \\ then\nmore");
  EXPECT_EQ(out, "say \"x\" \\\\ then\\nmore");
}

TEST(MetricsText, Values) {
  auto v = [](double d) {
    std::string s;
    appendValue(s, d);
    return s;
  };
  EXPECT_EQ(v(0), "0");
  EXPECT_EQ(v(-0.0), "0");
  EXPECT_EQ(v(42), "42");
  EXPECT_EQ(v(1000000), "1000000");
  EXPECT_EQ(v(-3), "-3");
  EXPECT_EQ(v(0.1), "0.1");
  EXPECT_EQ(v(0.00005), "5e-05");
  EXPECT_EQ(v(0.0001), "0.0001");  // as Go's clients write bucket bounds
  EXPECT_EQ(v(0.00025), "0.00025");
  EXPECT_EQ(v(2.5), "2.5");
  EXPECT_EQ(v(1e300), "1e+300");
  EXPECT_EQ(v(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(v(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(v(std::nan("")), "NaN");
  EXPECT_EQ(v(1781234567.123456), "1.781234567123456e+09");  // as Go writes a start time
}

TEST(MetricsRegistry, RefusesBadNames) {
  Registry r;
  EXPECT_THROW(r.counter("changes", "no _total"), std::logic_error);
  EXPECT_THROW(r.gauge("bad-name", "x"), std::logic_error);
  EXPECT_THROW(r.gauge("x", "x", {"__reserved"}), std::logic_error);
  EXPECT_THROW(r.gauge("x", "x", {"a", "a"}), std::logic_error);
  EXPECT_THROW(r.histogram("h_seconds", "x", {1, 2}, {"le"}), std::logic_error);
  EXPECT_THROW(r.histogram("h_seconds", "x", {2, 1}), std::logic_error);
  r.histogram("lat_seconds", "x", {1});
  EXPECT_THROW(r.gauge("lat_seconds", "again"), std::logic_error);
  EXPECT_THROW(r.gauge("lat_seconds_count", "clashes with the histogram's"), std::logic_error);
  auto& g = r.gauge("g", "x", {"a", "b"});
  EXPECT_THROW(g.with({"only one"}), std::logic_error);
}

TEST(MetricsRegistry, HistogramBucketsAreCumulative) {
  Registry r;
  auto& h = r.histogram("d_seconds", "Durations.", {0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 0.7, 5.0, 100.0}) h.get().observe(v);
  EXPECT_EQ(r.render(),
            "# HELP d_seconds Durations.\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{le=\"0.1\"} 2\n"  // a bound is inclusive
            "d_seconds_bucket{le=\"1\"} 4\n"
            "d_seconds_bucket{le=\"10\"} 5\n"
            "d_seconds_bucket{le=\"+Inf\"} 6\n"
            "d_seconds_sum 106.35\n"
            "d_seconds_count 6\n");
}

TEST(MetricsRegistry, Golden) {
  Registry r;
  auto& records = r.gauge("failover_records", "Records by state.", {"state"});
  auto& changes = r.counter("failover_changes_total", "Changes made durable.");
  auto& probes = r.counter("hc_probes_total", "Probes \\ \"by\" kind\nand outcome.", {"kind", "outcome"});
  auto& lat = r.histogram("hc_probe_duration_seconds", "Probe latency.", {0.01, 0.1}, {"kind"});
  r.counter("empty_total", "A family with labels and no child is not written.", {"x"});
  int collected = 0;
  r.onCollect([&] {
    ++collected;
    records.with({"UP"}).set(3);
  });
  records.with({"FAIL"}).set(1);
  changes.get().inc(5);
  probes.with({"http", "ok"}).inc();
  probes.with({"http", "ok"}).inc();
  probes.with({"tcp", "a \"quoted\\\" note\nline"}).inc();
  lat.with({"tcp"}).observe(0.005);
  lat.with({"tcp"}).observe(0.5);
  EXPECT_EQ(r.render(),
            "# HELP failover_records Records by state.\n"
            "# TYPE failover_records gauge\n"
            "failover_records{state=\"FAIL\"} 1\n"
            "failover_records{state=\"UP\"} 3\n"
            "# HELP failover_changes_total Changes made durable.\n"
            "# TYPE failover_changes_total counter\n"
            "failover_changes_total 5\n"
            "# HELP hc_probes_total Probes \\\\ \"by\" kind\\nand outcome.\n"
            "# TYPE hc_probes_total counter\n"
            "hc_probes_total{kind=\"http\",outcome=\"ok\"} 2\n"
            "hc_probes_total{kind=\"tcp\",outcome=\"a \\\"quoted\\\\\\\" note\\nline\"} 1\n"
            "# HELP hc_probe_duration_seconds Probe latency.\n"
            "# TYPE hc_probe_duration_seconds histogram\n"
            "hc_probe_duration_seconds_bucket{kind=\"tcp\",le=\"0.01\"} 1\n"
            "hc_probe_duration_seconds_bucket{kind=\"tcp\",le=\"0.1\"} 1\n"
            "hc_probe_duration_seconds_bucket{kind=\"tcp\",le=\"+Inf\"} 2\n"
            "hc_probe_duration_seconds_sum{kind=\"tcp\"} 0.505\n"
            "hc_probe_duration_seconds_count{kind=\"tcp\"} 2\n");
  EXPECT_EQ(collected, 1);
}

TEST(MetricsRegistry, ChildrenStayPut) {
  Registry r;
  auto& f = r.counter("c_total", "x", {"k"});
  Counter& a = f.with({"a"});
  for (int i = 0; i < 100; ++i) f.with({std::to_string(i)});
  a.inc();
  EXPECT_EQ(&a, &f.with({"a"}));
  EXPECT_EQ(f.with({"a"}).value(), 1);
}

TEST(MetricsSharedHistogram, ObservedFromThreads) {
  SharedHistogram s({0.001, 0.01});
  std::thread t1([&] {
    for (int i = 0; i < 10000; ++i) s.observe(0.0005);
  });
  std::thread t2([&] {
    for (int i = 0; i < 10000; ++i) s.observe(0.5);
  });
  t1.join();
  t2.join();
  Registry r;
  auto& h = r.histogram("sync_seconds", "x", {0.001, 0.01});
  s.copyTo(h.get());
  EXPECT_EQ(h.get().count(), 20000u);
  EXPECT_EQ(h.get().counts()[0], 10000u);
  EXPECT_EQ(h.get().counts()[1], 0u);
  EXPECT_EQ(h.get().counts()[2], 10000u);
  EXPECT_NEAR(h.get().sum(), 5005.0, 1e-6);
  auto& other = r.histogram("other_seconds", "x", {1});
  EXPECT_THROW(s.copyTo(other.get()), std::logic_error);
}

}  // namespace
}  // namespace fail::metrics

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// bench/failmon_bench, goal 4: failmon.cgi's page of a faild holding 10,000 records,
// timed as a CGI process (fork to exit, the environment a web server sets, the page read
// through a pipe) and through lighttpd's mod_cgi with curl; the anchor in the same run,
// alternated with it: `failc list` of the same records (the floor of the page's time:
// connect, list, print).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "failmon_bench.hh"

namespace bench::mon {
namespace {

// failmon.conf(5): the one target the page shows.
std::string configText(int port) {
  return "# failmon_bench: the faild under test\ntarget bench 127.0.0.1:" + std::to_string(port) + "\n";
}

// The JSON answer (information, no goal) is timed in the first rounds only.
constexpr int kJsonRuns = 20;

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

struct Lighttpd {
  pid_t pid = -1;
  int port = 0;
};

Lighttpd startLighttpd(const Options& o, const std::string& cgi, const std::string& config) {
  Lighttpd l;
  l.port = freePort();
  std::string root = o.dir + "/www";
  ::mkdir(root.c_str(), 0755);
  std::string link = root + "/failmon.cgi";
  if (::symlink(cgi.c_str(), link.c_str()) < 0) throw std::runtime_error("symlink " + link);
  std::string conf = o.dir + "/lighttpd.conf";
  writeFile(conf, "# failmon_bench\n"
                  "server.modules = (\"mod_cgi\", \"mod_setenv\")\n"
                  "server.document-root = \"" + root + "\"\n"
                  "server.bind = \"127.0.0.1\"\n"
                  "server.port = " + std::to_string(l.port) + "\n"
                  "server.errorlog = \"" + o.dir + "/lighttpd-error.log\"\n"
                  "server.follow-symlink = \"enable\"\n"
                  "cgi.assign = (\".cgi\" => \"\")\n"
                  "setenv.add-environment = (\"FAILMON_CONFIG\" => \"" + config + "\")\n");
  l.pid = spawn({o.lighttpd, "-D", "-f", conf}, o.dir + "/lighttpd.log");
  auto good = [](const Reply&) { return true; };
  // Any reply line to a bare request means it listens.
  if (timeToFirstAnswer(Proto::Line, l.port, l.pid, "GET / HTTP/1.0\r\n\r\n", good, Clock::now(), 10) < 0)
    throw std::runtime_error("lighttpd did not start: " + readFile(o.dir + "/lighttpd.log") +
                             readFile(o.dir + "/lighttpd-error.log"));
  return l;
}

void row(const std::string& what, std::vector<double> v, std::vector<double> anchor, const std::string& anchorName,
         bool goal) {
  Percentiles p = percentiles(v), a = percentiles(anchor);
  std::printf("# %-44s n=%zu median=%.1f ms p99=%.1f ms max=%.1f ms\n", what.c_str(), p.count, p.p50, p.p99, p.max);
  std::string n = " (n=" + std::to_string(p.count) + ")";
  addRow({what + ", median" + n + (anchorName.empty() ? "" : " (anchor: " + anchorName + ")"), "(info)",
          fmt("%.1f ms", p.p50), anchorName.empty() ? "-" : fmt("%.1f ms", a.p50), ratio(p.p50, a.p50), "-"});
  addRow({what + ", p99", goal ? "<= 200 ms" : "(info)", fmt("%.1f ms", p.p99),
          anchorName.empty() ? "-" : fmt("%.1f ms", a.p99), ratio(p.p99, a.p99),
          goal ? (p.count && p.p99 <= 200 ? "yes" : "NO") : "-"});
}

}  // namespace

void runCgi(const Options& o) {
  std::cout << "# cgi: load average " << loadavg() << "\n" << std::flush;
  Faild f = startFaild(o, "cgi-faild");
  try {
    fillRecords(f.port, o.records);
    std::string config = o.dir + "/failmon.conf";
    writeFile(config, configText(f.port));
    std::string cgi = o.dir + "/failmon.cgi";
    if (::symlink(o.failmon.c_str(), cgi.c_str()) < 0) throw std::runtime_error("symlink " + cgi);
    std::vector<std::string> env = {
        "GATEWAY_INTERFACE=CGI/1.1", "REQUEST_METHOD=GET", "QUERY_STRING=", "SCRIPT_NAME=/failmon.cgi",
        "SCRIPT_FILENAME=" + cgi, "REQUEST_URI=/failmon.cgi", "SERVER_NAME=127.0.0.1", "SERVER_PORT=80",
        "SERVER_PROTOCOL=HTTP/1.1", "SERVER_SOFTWARE=failmon_bench", "REMOTE_ADDR=127.0.0.1", "PATH=/usr/bin:/bin",
        "FAILMON_CONFIG=" + config};
    std::vector<std::string> failcList = {o.failc, "-h", "127.0.0.1", "-p", std::to_string(f.port), "list"};
    std::vector<std::string> jsonEnv = env;
    for (auto& e : jsonEnv)
      if (e.rfind("QUERY_STRING=", 0) == 0) e = "QUERY_STRING=format=json";
    std::vector<double> page, list, json, curl, pageCpu, listCpu;
    size_t jsonBytes = 0;
    std::string out;
    size_t bytes = 0;
    for (int i = 0; i < o.cgiRuns; ++i) {  // A B A B
      double cpu = 0;
      double t = timeRun({cgi}, env, true, out, &cpu);
      pageCpu.push_back(cpu);
      if (t < 0 || count(out, "bench0") < static_cast<size_t>(o.records))
        throw std::runtime_error("failmon.cgi: " + (t < 0 ? out : "the page lacks records: " + out.substr(0, 2000)));
      bytes = out.size();
      if (i == 0) writeFile(o.dir + "/page.html", out);
      page.push_back(t);
      t = timeRun(failcList, {}, false, out, &cpu);
      listCpu.push_back(cpu);
      if (t < 0 || count(out, "bench0") < static_cast<size_t>(o.records))
        throw std::runtime_error("failc list: " + (t < 0 ? out : "records missing"));
      list.push_back(t);
      if (i >= kJsonRuns) continue;
      t = timeRun({cgi}, jsonEnv, true, out);
      if (t < 0 || count(out, "bench0") < static_cast<size_t>(o.records))
        throw std::runtime_error("failmon.cgi?format=json: " + (t < 0 ? out : "records missing: " + out.substr(0, 2000)));
      json.push_back(t);
      jsonBytes = out.size();
    }
    std::printf("# cgi: page of %d records: %zu bytes; as JSON: %zu bytes\n", o.records, bytes, jsonBytes);

    Lighttpd l = startLighttpd(o, o.failmon, config);
    std::string url = "http://127.0.0.1:" + std::to_string(l.port) + "/failmon.cgi";
    try {
      for (int i = 0; i < o.cgiRuns; ++i) {
        double t = timeRun({o.curl, "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", url}, {}, false, out);
        if (t < 0 || out.compare(0, 4, "200 ") != 0) throw std::runtime_error("curl " + url + ": " + out);
        curl.push_back(1000 * std::atof(out.c_str() + 4));
      }
    } catch (...) {
      stopProcess(l.pid, 5);
      throw;
    }
    stopProcess(l.pid, 5);
    row("failmon.cgi page, " + std::to_string(o.records) + " records, as a CGI process", page, list, "failc list",
        true);
    row("  its CPU (utime + stime of the CGI process)", pageCpu, listCpu, "failc list's", false);
    row("failmon.cgi?format=json, as a CGI process", json, list, "failc list", false);
    row("failmon.cgi page through lighttpd + curl (time_total)", curl, list, "failc list", true);
  } catch (...) {
    stopFaild(f);
    throw;
  }
  stopFaild(f);
}

}  // namespace bench::mon

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
  std::string url;
  ~Lighttpd() {
    if (pid > 0) stopProcess(pid, 5);
  }
};

// lighttpd on a free loopback port running `cgi` for failmon.cgi with FAILMON_CONFIG
// `config`: through samples/lighttpd-failmon's snippet, included as is, when
// `o.lighttpdSnippet` names it (its variables point at this run's folders), else a
// minimal configuration of the same modules.
void startLighttpd(const Options& o, const std::string& cgi, const std::string& config, Lighttpd& l) {
  l.port = freePort();
  std::string root = o.dir + "/www", cgiDir = o.dir + "/cgi-bin";
  ::mkdir(root.c_str(), 0755);
  ::mkdir(cgiDir.c_str(), 0755);
  std::string link = (o.lighttpdSnippet.empty() ? root : cgiDir) + "/failmon.cgi";
  if (::symlink(cgi.c_str(), link.c_str()) < 0) throw std::runtime_error("symlink " + link);
  std::string conf = o.dir + "/lighttpd.conf";
  std::string text = "# failmon_bench\n"
                     "server.document-root = \"" + root + "\"\n"
                     "server.bind = \"127.0.0.1\"\n"
                     "server.port = " + std::to_string(l.port) + "\n"
                     "server.errorlog = \"" + o.dir + "/lighttpd-error.log\"\n";
  if (!o.lighttpdSnippet.empty()) {
    // The snippet reads $failmon_conf_dir/failmon.conf: `config` is there.
    text += "var.failmon_cgi_dir = \"" + cgiDir + "\"\nvar.failmon_conf_dir = \"" + o.dir + "\"\n" +
            "include \"" + o.lighttpdSnippet + "\"\n";
    l.url = "http://127.0.0.1:" + std::to_string(l.port) + "/failover/failmon.cgi";
  } else {
    text += "server.modules = (\"mod_cgi\", \"mod_setenv\")\n"
            "server.follow-symlink = \"enable\"\n"
            "cgi.assign = (\".cgi\" => \"\")\n"
            "setenv.add-environment = (\"FAILMON_CONFIG\" => \"" + config + "\")\n";
    l.url = "http://127.0.0.1:" + std::to_string(l.port) + "/failmon.cgi";
  }
  writeFile(conf, text);
  l.pid = spawn({o.lighttpd, "-D", "-f", conf}, o.dir + "/lighttpd.log");
  auto good = [](const Reply&) { return true; };
  // Any reply line to a bare request means it listens.
  if (timeToFirstAnswer(Proto::Line, l.port, l.pid, "GET / HTTP/1.0\r\n\r\n", good, Clock::now(), 10) < 0)
    throw std::runtime_error("lighttpd did not start: " + readFile(o.dir + "/lighttpd.log") +
                             readFile(o.dir + "/lighttpd-error.log"));
}

void row(const std::string& what, std::vector<double> v, std::vector<double> anchor, const std::string& anchorName,
         bool goal) {
  Percentiles p = percentiles(v), a = percentiles(anchor);
  std::printf("# %-52s n=%zu median=%.1f ms p99=%.1f ms max=%.1f ms\n", what.c_str(), p.count, p.p50, p.p99, p.max);
  std::string n = " (n=" + std::to_string(p.count) + ")";
  addRow({what + ", median" + n + (anchorName.empty() ? "" : " (anchor: " + anchorName + ")"), "(info)",
          fmt("%.1f ms", p.p50), anchorName.empty() ? "-" : fmt("%.1f ms", a.p50), ratio(p.p50, a.p50), "-"});
  addRow({what + ", p99", goal ? "<= 200 ms" : "(info)", fmt("%.1f ms", p.p99),
          anchorName.empty() ? "-" : fmt("%.1f ms", a.p99), ratio(p.p99, a.p99),
          goal ? (p.count && p.p99 <= 200 ? "yes" : "NO") : "-"});
}

// One run of `argv`; throws unless it exits 0 and its output holds every record.
double timed(const Options& o, const std::vector<std::string>& argv, const std::vector<std::string>& env,
             bool replaceEnv, std::string& out, double* cpu = nullptr) {
  double t = timeRun(argv, env, replaceEnv, out, cpu);
  if (t < 0) throw std::runtime_error(out);
  if (count(out, "bench0") < static_cast<size_t>(o.records))
    throw std::runtime_error(argv[0] + ": the output lacks records: " + out.substr(0, 2000));
  return t;
}

struct Runs {
  std::vector<double> page, list, json, curl, pageCpu, listCpu;
  size_t pageBytes = 0, jsonBytes = 0;
};

// Rounds of: the page as a CGI process, failc list, the page through lighttpd and curl,
// and in the first rounds the JSON answer; so each meets the machine as the others do.
void rounds(const Options& o, const std::string& cgi, const std::string& config, int port, const Lighttpd& l,
            Runs& r) {
  std::vector<std::string> env = {
      "GATEWAY_INTERFACE=CGI/1.1", "REQUEST_METHOD=GET", "QUERY_STRING=", "SCRIPT_NAME=/failmon.cgi",
      "SCRIPT_FILENAME=" + cgi, "REQUEST_URI=/failmon.cgi", "SERVER_NAME=127.0.0.1", "SERVER_PORT=80",
      "SERVER_PROTOCOL=HTTP/1.1", "SERVER_SOFTWARE=failmon_bench", "REMOTE_ADDR=127.0.0.1", "PATH=/usr/bin:/bin",
      "FAILMON_CONFIG=" + config};
  std::vector<std::string> jsonEnv = env;
  jsonEnv[2] = "QUERY_STRING=format=json";
  std::vector<std::string> failcList = {o.failc, "-h", "127.0.0.1", "-p", std::to_string(port), "list"};
  std::vector<std::string> curl = {o.curl, "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", l.url};
  std::string out;
  double cpu = 0;
  for (int i = 0; i < o.cgiRuns; ++i) {
    r.page.push_back(timed(o, {cgi}, env, true, out, &cpu));
    r.pageCpu.push_back(cpu);
    r.pageBytes = out.size();
    if (i == 0) writeFile(o.dir + "/page.html", out);
    r.list.push_back(timed(o, failcList, {}, false, out, &cpu));
    r.listCpu.push_back(cpu);
    if (timeRun(curl, {}, false, out) < 0 || out.compare(0, 4, "200 ") != 0)
      throw std::runtime_error("curl " + l.url + ": " + out + "\n" + readFile(o.dir + "/lighttpd-error.log"));
    r.curl.push_back(1000 * std::atof(out.c_str() + 4));
    if (i >= kJsonRuns) continue;
    r.json.push_back(timed(o, {cgi}, jsonEnv, true, out));
    r.jsonBytes = out.size();
  }
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
    Runs r;
    {
      Lighttpd l;
      startLighttpd(o, o.failmon, config, l);
      rounds(o, cgi, config, f.port, l, r);
    }
    std::printf("# cgi: page of %d records: %zu bytes; as JSON: %zu bytes; lighttpd: %s\n", o.records, r.pageBytes,
                r.jsonBytes, o.lighttpdSnippet.empty() ? "a minimal configuration" : o.lighttpdSnippet.c_str());
    row("failmon.cgi page, " + std::to_string(o.records) + " records, as a CGI process", r.page, r.list, "failc list",
        true);
    row("  its CPU (utime + stime of the CGI process)", r.pageCpu, r.listCpu, "failc list's", false);
    row("failmon.cgi page through lighttpd + curl (time_total)", r.curl, r.list, "failc list", true);
    row("failmon.cgi?format=json, as a CGI process", r.json, r.list, "failc list", false);
  } catch (...) {
    stopFaild(f);
    throw;
  }
  stopFaild(f);
}

}  // namespace bench::mon

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "mon/cgi_serve.hh"

#include <cstdlib>

#include "base/html.hh"
#include "base/log.hh"
#include "base/text.hh"
#include "base/time.hh"
#include "mon/conf.hh"
#include "mon/render.hh"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

namespace fail::mon {

namespace {

void securityHeaders(std::ostream& out) {
  out << "Cache-Control: no-store\n"
         "X-Content-Type-Options: nosniff\n"
         "Content-Security-Policy: "
      << cgiContentSecurityPolicy()
      << "\n"
         "Referrer-Policy: no-referrer\n"
         "X-Frame-Options: DENY\n";
}

// A short plain-text answer (errors).
void plain(std::ostream& out, const CgiRequest& req, const char* status, const std::string& text,
           const char* extraHeader = nullptr) {
  out << "Status: " << status << "\n";
  if (extraHeader) out << extraHeader << "\n";
  out << "Content-Type: text/plain; charset=utf-8\n";
  securityHeaders(out);
  out << "\n";
  if (req.method != "HEAD") out << text << "\n";
}

// SCRIPT_NAME when it is a plain path (it goes into a link), else empty: no link.
std::string selfUrl(const std::string& scriptName) {
  if (scriptName.empty() || scriptName[0] != '/') return {};
  for (char c : scriptName)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '.' ||
          c == '_' || c == '-' || c == '~'))
      return {};
  return scriptName;
}

}  // namespace

void serveCgiError(const CgiRequest& req, const char* status, const std::string& text, std::ostream& out) {
  plain(out, req, status, text);
}

const char* cgiDefaultPort(CgiFlavour flavour) { return flavour == CgiFlavour::Hcmon ? "1850" : "1848"; }

CgiRequest cgiRequestFromEnv(CgiFlavour flavour) {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  CgiRequest r;
  if (const char* m = std::getenv("REQUEST_METHOD")) r.method = m;
  r.query = env("QUERY_STRING");
  r.pathInfo = env("PATH_INFO");
  r.scriptName = env("SCRIPT_NAME");
  bool hc = flavour == CgiFlavour::Hcmon;
  r.configPath = env(hc ? "HCMON_CONFIG" : "FAILMON_CONFIG");
  if (r.configPath.empty()) r.configPath = std::string(SYSCONFDIR) + (hc ? "/failover/hcmon.conf" : "/failover/failmon.conf");
  return r;
}

const std::string& cgiContentSecurityPolicy() {
  static const std::string csp = "default-src 'none'; style-src " + cspHash(kHtmlPageCss) +
                                "; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  return csp;
}

void serveCgi(CgiFlavour flavour, const CgiRequest& req, const CollectFn& collectFn, std::ostream& out) {
  if (req.method && *req.method != "GET" && *req.method != "HEAD") {
    plain(out, req, "405 Method Not Allowed", "refused: only GET and HEAD", "Allow: GET, HEAD");
    return;
  }
  CgiFormat format;
  std::string err;
  if (!parseCgiQuery(req.query, format, err)) return plain(out, req, "400 Bad Request", err);
  if (!req.pathInfo.empty()) return plain(out, req, "400 Bad Request", "refused: no path is taken after the program's name");
  CgiConf conf;
  if (!loadConf(req.configPath, cgiDefaultPort(flavour), conf, err))
    return plain(out, req, "500 Internal Server Error", "configuration error: " + err);
  std::vector<TargetSpec> specs;
  specs.reserve(conf.targets.size());
  for (auto& t : conf.targets) {
    if (!t.spec.link.secret.empty()) log::redact(t.spec.link.secret);  // no log line shows it
    specs.push_back(std::move(t.spec));
  }
  Model model = collectFn(specs, conf.timeout);
  Micros now = wallNow();
  std::string body;
  if (format == CgiFormat::Json) {
    body = renderJson(model, now) + "\n";
    out << "Content-Type: application/json; charset=utf-8\n";
  } else {
    HtmlOptions o;
    o.title = conf.title;
    o.refreshSeconds = static_cast<int>((conf.refresh.count() + 999) / 1000);
    o.checksView = flavour == CgiFlavour::Hcmon;
    o.selfUrl = selfUrl(req.scriptName);
    body = renderHtml(model, o, now);
    out << "Content-Type: text/html; charset=utf-8\n";
  }
  securityHeaders(out);
  out << "Content-Length: " << body.size() << "\n\n";
  if (req.method != "HEAD") out << body;
}

}  // namespace fail::mon

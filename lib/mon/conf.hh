// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The configuration file of failmon.cgi and hcmon.cgi (failmon.conf(5)): a plain line
// format, read by this small reader and never evaluated, like the access file.
//
//   # comment
//   title TEXT
//   refresh DURATION
//   timeout DURATION
//   target NAME ADDRESS[:PORT] [secret-file FILE] [tls] [ca FILE] [cert FILE] [key FILE]
//
// Secrets come only from files (the configuration may be readable by the web server's
// users; a secret written inline is refused). Relative FILEs are relative to the
// configuration file's folder.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "mon/target.hh"

namespace fail::mon {

struct CgiConf {
  std::string title = "failover";
  std::chrono::milliseconds refresh{30000};  // 0: the page does not refresh itself
  std::chrono::milliseconds timeout{3000};   // for collect(): all targets at once
  struct Target {
    TargetSpec spec;         // spec.link.secret is filled by loadConf, never by parseConf
    std::string secretFile;  // empty: no AUTH
    int line = 0;
  };
  std::vector<Target> targets;
};

// Parses the text of a configuration; `path` is used in messages and to resolve
// relative FILEs; `defaultPort` fills in an ADDRESS without one. Pure (reads no file).
// False with err = "PATH:LINE: what is wrong 'WORD'" on the first bad line; the message
// never holds a value that could be a secret.
bool parseConf(std::string_view text, const std::string& path, const std::string& defaultPort, CgiConf& out,
               std::string& err);

// Reads `path`, parses it and reads every target's secret file. False with a message
// naming the file (and the line, for an error of a line or of its secret file).
bool loadConf(const std::string& path, const std::string& defaultPort, CgiConf& out, std::string& err);

}  // namespace fail::mon

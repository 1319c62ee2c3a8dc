// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The hosts an administrator names outside the policy (failsh --allow-host, --hosts):
// in --safe mode they are the only peers a policy may reach, with the addresses, ports,
// secrets and TLS files given here, which the policy can neither see nor change.
#pragma once

#include <string>
#include <vector>

#include "shell/engine.hh"

namespace fail::shell {

// "NAME=ADDRESS:PORT[,secret-file=FILE][,tls][,ca=FILE][,cert=FILE][,key=FILE]"
// (ADDRESS a name, an IPv4 address or [IPv6]). The secret file's first line is read
// now. False with a message on malformed input or an unreadable secret file.
bool parseAllowedHost(const std::string& text, HostSpec& out, std::string& err);

// A --hosts file: one such host per line; blank lines and lines starting with # are
// skipped. Errors name the file and line.
bool readAllowedHosts(const std::string& path, std::vector<HostSpec>& out, std::string& err);

}  // namespace fail::shell

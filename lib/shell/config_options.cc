// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "shell/config_options.hh"

namespace fail::shell {
namespace {

template <class Row>
std::string usage(const Row* rows) {
  std::string out = "name";
  for (const Row* r = rows; r->name; ++r)
    if (r->listed) out += std::string(" ?") + r->name + " " + r->value + "?";
  return out;
}

}  // namespace

using SK = ServiceOptionKind;
const ServiceOption kServiceOptions[] = {
    {"interval", SK::Interval, "t", "time between runs (default 5s, at least 100ms)", true, &ServiceSpec::interval, nullptr, nullptr},
    {"masters", SK::Hosts, "hosts", "the hosts ranking above this one", true, nullptr, &ServiceSpec::masters, nullptr},
    {"slaves", SK::Hosts, "hosts", "the hosts ranking below this one", true, nullptr, &ServiceSpec::slaves, nullptr},
    {"witness", SK::Hosts, "hosts", "hosts whose opinion guards against a split brain", true, nullptr, &ServiceSpec::witnesses, nullptr},
    {"start", SK::Script, "script", "runs to start the service; returns its new state", true, nullptr, nullptr, &ServiceSpec::start},
    {"stop", SK::Script, "script", "runs to stop the service; returns its new state", true, nullptr, nullptr, &ServiceSpec::stop},
    {"reclaim", SK::Script, "script", "runs when a master takes the service back from a slave", true, nullptr, nullptr, &ServiceSpec::reclaim},
    {"reassert", SK::Script, "script", "runs when a peer that also held the service let it go", true, nullptr, nullptr, &ServiceSpec::reassert},
    {"-fence-after", SK::Duration, "t", "a holder cut off from the majority stops after this (default two intervals)", true, &ServiceSpec::fenceAfter, nullptr, nullptr},
    {"-poll-timeout", SK::Duration, "t", "how long a poll of a peer may take (default min(interval/2, 2s))", true, &ServiceSpec::pollTimeout, nullptr, nullptr},
    {"fence-after", SK::Duration, "t", "old spelling of -fence-after", false, &ServiceSpec::fenceAfter, nullptr, nullptr},
    {"poll-timeout", SK::Duration, "t", "old spelling of -poll-timeout", false, &ServiceSpec::pollTimeout, nullptr, nullptr},
    {nullptr, SK::Script, nullptr, nullptr, false, nullptr, nullptr, nullptr},
};

using HK = HostOptionKind;
const HostOption kHostOptions[] = {
    {"port", HK::Port, "n", "the port of the host's faild (default 1847)", true, nullptr},
    {"address", HK::Address, "a", "the address of the host's faild (default the name itself)", true, nullptr},
    {"secret", HK::Secret, "s", "the secret sent with AUTH", true, nullptr},
    {"secret-file", HK::SecretFile, "f", "a file whose first line is the secret", true, nullptr},
    {"tls", HK::Tls, "bool", "speak TLS", true, nullptr},
    {"ca", HK::TlsFile, "f", "verify the server against this PEM file (turns TLS on)", true, &client::TlsOptions::ca},
    {"cert", HK::TlsFile, "f", "present this certificate (turns TLS on)", true, &client::TlsOptions::cert},
    {"key", HK::TlsFile, "f", "the key of the certificate (turns TLS on)", true, &client::TlsOptions::key},
    {"protocol", HK::Protocol, "tcp", "accepted for old scripts: only tcp is spoken", false, nullptr},
    {nullptr, HK::Protocol, nullptr, nullptr, false, nullptr},
};

std::string serviceUsage() { return usage(kServiceOptions); }
std::string hostUsage() { return usage(kHostOptions); }

}  // namespace fail::shell

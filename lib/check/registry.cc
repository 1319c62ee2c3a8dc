// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "check/registry.hh"

namespace fail::check {

const std::vector<const KindDesc*>& kinds() {
  // Add a kind here and in registry.hh; keep the list in alphabetical order.
  static const std::vector<const KindDesc*> all = {
      &dnsKind(),
      &execKind(),
      &ftpKind(),
      &httpKind(),
      &httpsKind(),
      &icmpKind(),
      &imapKind(),
      &pop3Kind(),
      &smtpKind(),
      &tcpKind(),
      &tlsKind(),
  };
  return all;
}

const KindDesc* findKind(std::string_view name) {
  for (const KindDesc* k : kinds())
    if (name == k->kind) return k;
  return nullptr;
}

}  // namespace fail::check

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// Probe kinds by name. The table in registry.cc lists every kind; each kind's file
// defines its KindDesc (schema + factory) next to its probe.
#pragma once

#include <string_view>
#include <vector>

#include "check/spec.hh"

namespace fail::check {

const std::vector<const KindDesc*>& kinds();
const KindDesc* findKind(std::string_view name);  // nullptr when unknown

// One function per kind, defined in <kind>_probe.cc.
const KindDesc& dnsKind();
const KindDesc& execKind();
const KindDesc& ftpKind();
const KindDesc& httpKind();
const KindDesc& httpsKind();
const KindDesc& icmpKind();
const KindDesc& imapKind();
const KindDesc& pop3Kind();
const KindDesc& smtpKind();
const KindDesc& tcpKind();
const KindDesc& tlsKind();

}  // namespace fail::check

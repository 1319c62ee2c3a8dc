// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The clients' TLS: lib/net's OpenSSL module with the clients' options. The types and
// functions are net's, named here so client code reads them unqualified.
#pragma once

#include <string>

#include "client/options.hh"
#include "net/tls.hh"

namespace fail::client {

using net::SslCtxPtr;
using net::SslPtr;
using net::drainSslErrors;
using net::handshakeError;
using net::makeClientSsl;

// net::makeClientContext for tls.ca, tls.cert and tls.key (tls.enabled is the caller's).
SslCtxPtr makeClientContext(const TlsOptions& tls, std::string& err);

}  // namespace fail::client

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#include "client/tls.hh"

namespace fail::client {

SslCtxPtr makeClientContext(const TlsOptions& tls, std::string& err) {
  return net::makeClientContext(net::TlsFiles{tls.cert, tls.key, tls.ca}, err);
}

}  // namespace fail::client

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
// The one way C++ code here includes ldns. <ldns/ldns.h> defines `bool`, `true` and
// `false` as macros unless <stdbool.h> came first, which breaks C++ code included after
// it; this header takes care of the order. Include it, never <ldns/ldns.h> itself.
#pragma once

#include <stdbool.h>  // before ldns, see above

#include <ldns/ldns.h>

// Copyright (c) 2026 The failover authors.
// SPDX-License-Identifier: BSD-2-Clause
#pragma once
#include "config.h"
namespace fail {
inline constexpr const char* kVersion = PACKAGE_VERSION;
inline constexpr int kProtocolVersion = 1;
}  // namespace fail

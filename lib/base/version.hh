#pragma once
#include "config.h"
namespace fail {
inline constexpr const char* kVersion = PACKAGE_VERSION;
inline constexpr int kProtocolVersion = 1;
}  // namespace fail

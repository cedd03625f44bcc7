// `flemu describe`: the resolved platform as a human-readable table.
#pragma once
#include <string>

#include "emulator/config/scenario.hpp"

namespace flemu {

/// Device classes with counts and (jitter ranges), explicit devices, server and network.
std::string describe_platform(const Scenario& scenario);

}  // namespace flemu

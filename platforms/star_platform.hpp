// Builds the emulated platform in SimGrid: a star of devices around one server.
//
// Each device has its own uplink and downlink (so per-device bandwidth and per-device link
// energy are separate), optionally followed by one shared server link that every flow
// crosses. Must be called after the s4u::Engine exists and before it runs.
#pragma once
#include <vector>

#include <simgrid/s4u.hpp>

#include "platforms/platform_spec.hpp"

namespace flemu {

struct StarPlatform {
  simgrid::s4u::Host* server = nullptr;
  std::vector<simgrid::s4u::Host*> devices;     ///< index = device index
  std::vector<simgrid::s4u::Link*> uplinks;     ///< device -> server
  std::vector<simgrid::s4u::Link*> downlinks;   ///< server -> device
  simgrid::s4u::Link* server_link = nullptr;    ///< shared, or nullptr
};

/// Applies the network model's configuration flags; call before build_star_platform.
void configure_network_model(simgrid::s4u::Engine& engine, NetworkModel model);

/// Creates hosts, links and routes for `devices` around a server described by `server`.
StarPlatform build_star_platform(const ServerSpec& server, const std::vector<DeviceSpec>& devices);

}  // namespace flemu

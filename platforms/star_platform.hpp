// Builds the emulated platform in SimGrid: a star of devices around one server.
//
// Each device has its own uplink and downlink (so per-device bandwidth and per-device link
// energy are separate), optionally followed by one shared server link that every flow
// crosses. Power figures become the energy plugins' properties and link changes become
// bandwidth profiles, both of which SimGrid reads at sealing time. Call after the
// s4u::Engine exists and before it runs.
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
  bool energy = false;                          ///< energy plugins active
  /// Per device, its radio links besides uplink and downlink: its ends of direct peer links
  /// (platforms/p2p_platform.hpp); empty on a star platform.
  std::vector<std::vector<simgrid::s4u::Link*>> radio_links;
};

/// Applies the network model's configuration flags; call before build_star_platform.
void configure_network_model(simgrid::s4u::Engine& engine, NetworkModel model);

/// True when any device models power: the energy plugins must then be initialised (before
/// build_star_platform, which sets their properties).
bool needs_energy_plugins(const std::vector<DeviceSpec>& devices);

/// SimGrid bandwidth-profile text ("t bytes/s" lines) for a link of nominal rate `nominal`
/// under the changes that concern it; "" when none does. Pure, exposed for tests.
std::string bandwidth_profile(double nominal, const std::vector<const LinkChange*>& changes, bool uplink);

/// The energy plugin's properties of a host drawing `power` (set before sealing it).
void set_host_energy(simgrid::s4u::Host* host, const PowerSpec& power);

/// Creates hosts, links and routes for `devices` around the server.
StarPlatform build_star_platform(const PlatformSpec& spec, const std::vector<DeviceSpec>& devices,
                                 bool energy_plugins);

}  // namespace flemu

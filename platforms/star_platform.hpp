// Builds the emulated platform in SimGrid: a star of devices around one server.
//
// Each device has its own uplink and downlink (so per-device bandwidth and per-device energy
// are separate), optionally followed by one shared server link that every flow crosses.
// Link changes (PlatformSpec::link_changes) become a schedule of bandwidth steps that the
// emulator applies while the simulation runs (emulator/core/link_changes.hpp); each link is
// created at its rate at t = 0. Call after the s4u::Engine exists and before it runs.
//
// Why no SimGrid bandwidth profiles: under the default LV08 network model (network/weight-S >
// 0), a bandwidth change re-weights every flow on the link, including flows still paying their
// latency; SimGrid 3.32 then never schedules their completion and they stall until the next
// change of one of their links (a download at t=0 under an uplink window starting at 5 s
// ended at 5.82 s instead of 0.95 s). And a flow keeps as a cap the smallest bandwidth its
// route had when it started, so a transfer begun inside a slow window stays slow after it.
// emulator/core/device_transfer.hpp says how transfers avoid both.
#pragma once
#include <string>
#include <vector>

#include <simgrid/s4u.hpp>

#include "platforms/platform_spec.hpp"

namespace flemu {

/// One step of a link's bandwidth schedule: from `time_s` on, the link runs at `rate`.
struct LinkStep {
  double time_s = 0;
  int device = 0;
  bool uplink = true;
  double bytes_per_s = 0;
};

struct StarPlatform {
  simgrid::s4u::Host* server = nullptr;
  std::vector<simgrid::s4u::Host*> devices;     ///< index = device index
  std::vector<simgrid::s4u::Link*> uplinks;     ///< device -> server
  std::vector<simgrid::s4u::Link*> downlinks;   ///< server -> device
  simgrid::s4u::Link* server_link = nullptr;    ///< shared, or nullptr
  /// Bandwidth changes after t = 0, in time order (then device, uplink first).
  std::vector<LinkStep> link_steps;
  /// Per device: the highest rate its uplink / downlink has at any time of the run.
  std::vector<double> uplink_peak, downlink_peak;
  /// Per device: whether its links change bandwidth during the run.
  std::vector<char> links_change;
  /// Per device, its ends of direct peer links (platforms/p2p_platform.hpp): the transmit
  /// ends it sends on and the receive ends it receives on; empty on a star platform.
  std::vector<std::vector<simgrid::s4u::Link*>> peer_send_links, peer_receive_links;
};

/// Applies the network model's configuration flags; call before build_star_platform.
void configure_network_model(simgrid::s4u::Engine& engine, NetworkModel model);

/// A link's bandwidth over the run under the changes that concern it: the rate at t = 0, the
/// later steps (time, rate; only where the rate changes) and the highest rate. At each
/// change boundary the latest change covering that time wins (later entries override
/// earlier ones); elsewhere the nominal rate. Pure, exposed for tests.
struct RateSchedule {
  double initial = 0;
  std::vector<std::pair<double, double>> steps;
  double peak = 0;
};
RateSchedule link_rate_schedule(double nominal, const std::vector<const LinkChange*>& changes, bool uplink);

/// Creates hosts, links and routes for `devices` around the server.
StarPlatform build_star_platform(const PlatformSpec& spec, const std::vector<DeviceSpec>& devices);

}  // namespace flemu

// Link changes (PlatformSpec::link_changes) applied while the simulation runs: one daemon
// actor on the server host sets each link's bandwidth at the times of its schedule
// (StarPlatform::link_steps) and tells the fleet's energy meter.
//
// Why an actor and not SimGrid bandwidth profiles: both end in the same
// NetworkCm02Link::set_bandwidth, but a profile fires inside SimGrid's solver, where nothing
// can keep the flows of that link that are still paying their latency out of its way (under
// LV08 they stall: platforms/star_platform.hpp). Transfers of the devices concerned are
// managed flows (emulator/core/device_transfer.hpp), suspended during their latency, which
// set_bandwidth leaves alone.
#pragma once
#include "platforms/star_platform.hpp"

namespace flemu {

class Fleet;

/// Starts the actor if the platform has link changes.
void start_link_changes(const StarPlatform& platform, Fleet& fleet);

}  // namespace flemu

#include "emulator/core/link_changes.hpp"

#include "emulator/core/fleet.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

void start_link_changes(const StarPlatform& platform, Fleet& fleet) {
  if (platform.link_steps.empty()) return;
  sg4::Actor::create("link-changes", platform.server, [&platform, &fleet] {
    sg4::Actor::self()->daemonize();
    for (const LinkStep& step : platform.link_steps) {
      sg4::this_actor::sleep_until(step.time_s);
      sg4::Link* link = step.uplink ? platform.uplinks[step.device] : platform.downlinks[step.device];
      link->set_bandwidth(step.bytes_per_s);
      if (fleet.wants_activity(step.device)) fleet.activity_changed(step.device);
    }
  });
}

}  // namespace flemu

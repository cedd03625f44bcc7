// The platform of a decentralized run in SimGrid: devices that talk to their neighbours.
//
// Two ways a message between neighbours travels (platform.topology.links):
//   access  over the sender's uplink and the receiver's downlink, the devices' access links as
//           on the internet. This is the star platform of build_star_platform: in a SimGrid
//           star zone a route from one device to another is the sender's "up" links followed by
//           the receiver's "down" links. A device that talks to several neighbours at once
//           shares its uplink among those flows (SimGrid's max-min sharing): contention is
//           modelled, not assumed away.
//   direct  over a link of the edge's own (device to device, e.g. a radio link): its bandwidth
//           and latency come from the edge list or the topology's default. Each way of an edge
//           is two links in series with the edge's rate: the sender's transmit end (carrying
//           the latency and the sender's send power) and the receiver's receive end (its
//           receive power), so that radio energy is counted per device. Two messages on one
//           edge in the same direction share it; the two directions do not (full duplex).
//           Radio power is metered per device by the fleet (emulator/core/fleet.hpp), from
//           the use of its ends: transmit ends at send power, receive ends at receive power.
// The server host exists in both (the fleet controller and the schedules' bookkeeping live
// there); in direct mode it has no link: nothing is sent to it.
#pragma once
#include <vector>

#include <simgrid/s4u.hpp>

#include "platforms/star_platform.hpp"
#include "platforms/topology.hpp"

namespace flemu {

/// Builds the platform for `topology` over `devices`: the star platform (access links) or a
/// full zone of direct per-edge links. In direct mode StarPlatform::uplinks/downlinks are
/// empty and StarPlatform::peer_send_links / peer_receive_links hold each device's ends of its
/// edges.
StarPlatform build_p2p_platform(const PlatformSpec& spec, const std::vector<DeviceSpec>& devices,
                                const Topology& topology);

}  // namespace flemu

// Moving bytes between the server and a device: downloads, uploads and anarchic requests.
//
// A transfer is a mailbox rendezvous between the calling actor (on the device) and a
// short-lived helper actor on the server host, over the device's own mailbox. It takes the
// simulated time, link share and link energy of any SimGrid comm from one host to the other.
//
// Why not Comm::sendto, the obvious call for a payload-free host-to-host transfer: SimGrid
// 3.32 makes those comms detached, keeps every detached comm in maestro's std::list of
// activities and, each time one finishes, erases it with std::list::remove, which walks the
// whole list. With N devices transferring at once a round costs O(N^2): at 20,000 devices 85%
// of the run was that walk (perf), 100,000 did not finish in 180 s. A rendezvous comm sits
// only in its two actors' own lists, one entry each. Why not one server mailbox shared by
// all devices: matching N senders on one mailbox is O(N^2) too (../shared/FACTS.md).
#pragma once
#include <cstdint>

#include <simgrid/s4u.hpp>

namespace flemu {

enum class TransferWay { ToDevice, ToServer };

/// Moves `bytes` between `server` and device `device`, whose host the calling actor runs on;
/// returns when the last byte has arrived. Raises what a comm raises (NetworkFailureException
/// when a link on the way goes off); when the device goes off SimGrid kills the caller.
void transfer_bytes(TransferWay way, simgrid::s4u::Host* server, int device, uint64_t bytes);

}  // namespace flemu

// Moving bytes between two devices of the platform, for protocols whose messages do not go
// device <-> server (analytics: a user's report to its party's server, a party's candidate
// list to a user).
//
// Same mechanism as device_transfer.hpp (whose header says why): a mailbox rendezvous between
// the calling actor and a short-lived helper actor on the other device, so the comm takes the
// simulated time and link share of a transfer between the two hosts and sits in no long list.
// Both posts go through start_peer_flow, so whichever starts the flow holds it during its
// latency and tells the fleet's energy meter (managed flows, device_transfer.hpp). `channel`
// names the mailbox: it must be unique among transfers in flight ("report-<user>-<try>").
// Calls advance simulated time; if the caller's device goes off SimGrid kills the caller; a
// link going off raises NetworkFailureException.
#pragma once
#include <cstdint>
#include <string>

#include "platforms/star_platform.hpp"

namespace flemu {

/// Sends `bytes` from device `self` (the caller's) to device `to`; returns when they arrived.
void send_to_device(const StarPlatform& platform, int self, int to, const std::string& channel, uint64_t bytes);

/// Receives `bytes` from device `from` on device `self` (the caller's).
void receive_from_device(const StarPlatform& platform, int self, int from, const std::string& channel, uint64_t bytes);

}  // namespace flemu

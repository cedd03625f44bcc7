// Moving bytes between any two hosts, for protocols whose messages do not go device <-> server
// (analytics: user -> party server -> aggregator).
//
// Same mechanism as device_transfer.hpp (whose header says why): a mailbox rendezvous between
// the calling actor and a short-lived helper actor on the other host, so the comm takes the
// simulated time, link share and link energy of a transfer between the two hosts and sits in
// no long list. `channel` names the mailbox: it must be unique among transfers in flight
// (e.g. "report-<user>"). Calls advance simulated time; if the caller's host goes off SimGrid
// kills the caller; a link going off raises NetworkFailureException.
#pragma once
#include <cstdint>
#include <string>

#include <simgrid/s4u.hpp>

namespace flemu {

/// Sends `bytes` from the caller's host to `to`; returns when the last byte has arrived.
void send_to_host(simgrid::s4u::Host* to, const std::string& channel, uint64_t bytes);

/// Receives `bytes` from `from` on the caller's host; returns when the last byte has arrived.
void receive_from_host(simgrid::s4u::Host* from, const std::string& channel, uint64_t bytes);

}  // namespace flemu

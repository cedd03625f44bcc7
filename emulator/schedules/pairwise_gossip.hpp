// Asynchronous pairwise gossip on the platform (family gossip-async): "ad-psgd" (averaging after
// every gradient, algorithms/decentralized/ad_psgd.hpp) and "poisson-gossip" (averaging on each
// node's Poisson clock, independent of its computation, poisson_gossip.hpp).
//
// Per node, actors on the server host that act on the device (nothing is sent to the server):
//   a worker: reads the node's model, runs the job (local_steps minibatch steps) on the pool
//     while the device executes its flops (placed on the device's host), then applies the
//     update to the model as it is by then; ad-psgd averages in between (steps 3 and 4);
//   poisson-gossip: a clock (rate gossip_rate per second, inverse-CDF draws from the seed) at
//     whose ticks the node averages with a neighbour.
// An averaging picks a neighbour uniformly among those that are on, takes both models' locks
// (lower index first), exchanges the two models as real transfers (one each way, at once) and
// sets both to their mean when both arrived. A device that is off neither computes nor gossips
// (its worker waits a heartbeat and looks again); an exchange whose other end goes off on the
// way is lost (reason "offline"), and a computation interrupted likewise.
// Metrics: a round is round_time seconds; at its end, the average model, the consensus
// distance and the node tests as in synchronous rounds.
#pragma once
#include "emulator/core/federation.hpp"
#include "emulator/schedules/server_outcome.hpp"

namespace flemu {

void start_pairwise_gossip(Federation& fed, ServerOutcome& outcome);

}  // namespace flemu

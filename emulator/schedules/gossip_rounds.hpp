// Synchronous decentralized rounds (family "decentralized": dpsgd, dfedavg, dfedavgm, dfedsam,
// dfedsam-mgs): no server; every node trains and gossips with its neighbours.
//
// Round t:
//   1. The nodes that can take part (device on, battery above its floor) start the round;
//      W_t is the mixing matrix of round t restricted to them: a neighbour that is off gives
//      its weight to the node's own (mixing.hpp, restrict_to_present), so W_t stays symmetric
//      and doubly stochastic over the present nodes, and the nodes that are off keep their
//      model untouched.
//   2. Each present node runs on its device (an actor per node and round): local training
//      (the real job on the pool while the device executes its flops), then Q exchange phases
//      (GossipAlgorithm::gossip_steps), each a real exchange of the model with every present
//      neighbour over the platform (peer_exchange.hpp), mixed with W_t. D-PSGD overlaps its
//      one exchange with its computation (MixWhileTraining).
//      A neighbour that goes off during the round is noticed at the next heartbeat (or at once
//      when a transfer with it fails); its weight then goes to the node's own, for that
//      phase (W is then no longer exactly doubly stochastic for the round: say so, it is what
//      a real node would do).
//   3. The round ends when every present node has finished or been lost (a global barrier:
//      the papers' lock-step "iteration t"; it costs no network time). A lost node keeps its
//      model from before the round; its work is reported as dropped.
//   4. Bookkeeping, on the server host by an actor that sends nothing (named "server"): the
//      average model x-bar = (1/n) sum_i x_i over all n nodes, the consensus distance
//      (1/n) sum_i ||x_i - x-bar||^2, the test of x-bar (the accuracy column) and, every
//      evaluation, of each sampled node's own model (node_evaluation), then the stop rule.
#pragma once
#include <memory>

#include "algorithms/decentralized/gossip_algorithm.hpp"
#include "emulator/core/federation.hpp"
#include "emulator/schedules/server_outcome.hpp"

namespace flemu {

/// Starts the rounds' bookkeeping actor (on the server host).
void start_gossip_rounds(Federation& fed, ServerOutcome& outcome);

}  // namespace flemu

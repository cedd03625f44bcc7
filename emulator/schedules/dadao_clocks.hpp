// DADAO's Poisson processes on the platform (algorithm "dadao", family gossip-async; the maths
// is algorithms/decentralized/dadao.hpp). Card decentralized.md, DADAO (c).
//
// Clocks, drawn by inverse CDF from the scenario seed (Rng::exponential: -ln(U) with 53-bit U),
// in simulated seconds with time_unit seconds per unit of DADAO time:
//   one gradient clock per node, rate 1 per unit;
//   one clock per edge, rate lambda_mix x comm_rate_factor / |E| per unit (uniform edge rates:
//   the code's sampling; the paper's SDP for rates is not in the code and not here).
// The clocks' actors live on the server host, send nothing themselves and act on the devices
// (computations placed on the node's host, transfers between the two ends' hosts): the events
// that fall while a device is off are lost. Its state stays where it was; the ODE, being solved
// lazily, covers the gap when the node next acts (the paper has no devices that go off).
// Events:
//   events "instant" (the paper's model): an event takes no simulated time; every event of a
//     device that is off is lost (an edge event needs both ends on).
//   events "resource": a gradient event reads x_i when its clock rings, computes on the device
//     (the flops of a full local gradient, 4 m d), and applies its jump when the computation
//     ends (after advancing the ODE to then); the node's next tick is drawn after that. An edge
//     event sends m_i to j and m_j to i as two real transfers (8 d bytes each, float64) and
//     applies the jumps when both have arrived, with the values at that instant
//     (payload "at-completion", the card's rule) or those taken when the clock rang
//     (payload "at-send", a labelled deviation: what a real system would send). The edge's next
//     tick is drawn after the exchange: a slow link lowers the achieved rate, which is the
//     what-if of the tutorial "DADAO on slow links".
//   edge_loss: each edge event is lost with this probability (the card's trap).
// Metrics: a round is round_time seconds; at its end the node states are advanced (on copies,
// the run's own states stay untouched) and the consensus distance and the distance to the
// optimum (1/n) sum_i ||x_i - x*||^2 are recorded, with the average model's suboptimality as
// the loss.
#pragma once
#include "emulator/core/federation.hpp"
#include "emulator/schedules/server_outcome.hpp"

namespace flemu {

/// Starts DADAO's clocks and its rounds' bookkeeping actor.
void start_dadao(Federation& fed, ServerOutcome& outcome);

}  // namespace flemu

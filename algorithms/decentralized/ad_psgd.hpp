// AD-PSGD — X. Lian, W. Zhang, C. Zhang, J. Liu, "Asynchronous Decentralized Parallel Stochastic
// Gradient Descent", ICML 2018, Algorithm 1.
//
//   every worker i, in a loop, at its own pace (no global clock):
//     1. read its model x^ = x_i;
//     2. compute a stochastic gradient g at x^ (this takes the device's time);
//     3. pick a neighbour j uniformly and atomically average: x_i = x_j = (x_i + x_j) / 2;
//     4. x_i <- x_i - gamma g, with the gradient of the (now stale) read model.
//
// The averaging is a two-party exchange of the whole model (one message each way) during which
// both models are locked; flemu takes the two locks in the order of the node indices, which
// rules out the deadlock the paper avoids with a bipartite active/passive split (said here
// because it changes who may wait for whom, not the update). Steps 2's "gradient step" is the
// local work of the job (local_steps minibatch steps, 1 by default): g is its update.
// Pure maths: gossip.hpp (pairwise_average, add_update); emulator/schedules/pairwise_gossip.cpp
// runs the loop on the platform.
#pragma once

namespace flemu {

/// When a worker averages: after every gradient (AD-PSGD), or on its own Poisson clock
/// (poisson-gossip, algorithms/decentralized/poisson_gossip.hpp).
enum class PairwiseTrigger { AfterEachGradient, PoissonClock };

}  // namespace flemu

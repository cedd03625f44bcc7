// D-PSGD — Lian, Zhang, Zhang, Hsieh, Zhang, Liu, "Can Decentralized Algorithms Outperform
// Centralized Algorithms? A Case Study for Decentralized Parallel Stochastic Gradient
// Descent", NeurIPS 2017, Algorithm 1.
//
//   at iteration k, every node i in parallel:
//     computes a stochastic gradient g_i at its own x_i^k (on a minibatch of its data),
//     while it sends x_i^k to its neighbours and receives theirs;
//     x_i^{k+1} = sum_j W_ij x_j^k - gamma g_i
//
// In flemu's rounds, one round is one iteration: one local minibatch step (local_steps
// defaults to 1 for dpsgd; more steps make it "local D-PSGD"). Computation and communication
// overlap, so a round lasts max(compute, exchange), not their sum.
#pragma once
#include "algorithms/decentralized/gossip_algorithm.hpp"

namespace flemu {

class DPsgd : public GossipAlgorithm {
 public:
  explicit DPsgd(const AlgorithmSpec& spec) : GossipAlgorithm(spec) {}
  std::string name() const override { return "dpsgd"; }
  GossipOrder order() const override { return GossipOrder::MixWhileTraining; }
  /// One minibatch step per iteration (local_steps if set; local_epochs does not apply).
  LocalTrainingSpec local_training(int node, int round) const override {
    LocalTrainingSpec local = GossipAlgorithm::local_training(node, round);
    local.steps = spec_.local_steps > 0 ? spec_.local_steps : 1;
    return local;
  }
};

}  // namespace flemu

// DFedAvg — T. Sun, D. Li, B. Wang, "Decentralized Federated Averaging", IEEE TPAMI 2023
// (arXiv 2104.11375), Algorithm 1 with theta = 0 (DFedAvgM with momentum theta is
// algorithms/decentralized/dfedavgm.hpp).
//
//   every round, every client i in parallel:
//     y^0 = x_i;  K local SGD steps  y^{s+1} = y^s - eta g_i(y^s);
//     x_i = sum_j W_ij y_j^K      (one gossip step with a symmetric doubly stochastic W)
//
// All nodes train in every round (unlike FedAvg, which samples clients). The model each node
// holds after the round, and the one evaluated, is the mixed one (card decentralized.md,
// trap 2: train-then-gossip).
#pragma once
#include "algorithms/decentralized/gossip_algorithm.hpp"

namespace flemu {

class DFedAvg : public GossipAlgorithm {
 public:
  explicit DFedAvg(const AlgorithmSpec& spec) : GossipAlgorithm(spec) {}
  std::string name() const override { return "dfedavg"; }
};

}  // namespace flemu

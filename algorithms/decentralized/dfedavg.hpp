// DFedAvg and DFedAvgM — T. Sun, D. Li, B. Wang, "Decentralized Federated Averaging", IEEE
// TPAMI 2023 (arXiv 2104.11375), Algorithm 1 (DFedAvgM; DFedAvg is theta = 0).
//
//   every round, every client i in parallel:
//     y^0 = x_i;  K local steps  y^{s+1} = y^s - eta g_i(y^s) + theta (y^s - y^{s-1}),  y^{-1} = y^0
//     x_i = sum_j W_ij y_j^K      (one gossip step with a symmetric doubly stochastic W)
// The heavy-ball step is PyTorch's SGD momentum (b <- theta b + g; y <- y - eta b, b = 0 at the
// start of every round: the lineage code rebuilds its optimizer each round, card section 3).
// The paper's quantized variant is not implemented (the card could not check its exact form).
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

class DFedAvgM : public DFedAvg {
 public:
  using DFedAvg::DFedAvg;
  std::string name() const override { return "dfedavgm"; }
  LocalTrainingSpec local_training(int node, int round) const override {
    LocalTrainingSpec local = DFedAvg::local_training(node, round);
    local.rule.momentum = spec_.decentralized.local_momentum;  // the buffer starts at zero each job
    return local;
  }
};

}  // namespace flemu

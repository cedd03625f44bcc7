// The maths every gossip method shares, as pure functions over flat parameter vectors: one
// mixing step, the average model and how far the nodes are from it. Summation runs in a fixed
// order (the order of the inputs) in double, so results are bit-reproducible.
#pragma once
#include <vector>

#include "workloads/models/trainer.hpp"

namespace flemu {

/// One row of W applied, x_i <- sum_j W_ij x_j, summed in the order of the node indices with
/// node i's own term at its place (`self`, `self_weight`, `own`; peer_index sorted). Every node
/// that mixes the same values with the same weights gets the same bits, so on the complete
/// graph with W = J one step leaves all nodes equal and further steps change nothing (the
/// card's "Q has no effect on the complete graph", bit for bit).
Params mix_in_index_order(int self, double self_weight, const Params& own, const std::vector<int>& peer_index,
                          const std::vector<const Params*>& peers, const std::vector<double>& weights);

/// The plain mean of the node models (the average model x-bar that decentralized methods are
/// evaluated on).
Params average_model(const std::vector<const Params*>& models);

/// Consensus distance (1/n) sum_i ||x_i - x-bar||^2 (the DFedSAM paper's "consistency").
double consensus_distance(const std::vector<const Params*>& models, const Params& mean);

/// (1/n) sum_i ||x_i - target||^2 (e.g. DADAO's distance to the optimum x*).
double mean_squared_distance(const std::vector<const Params*>& models, const std::vector<double>& target);

/// (a + b) / 2, the pairwise averaging of randomized gossip and AD-PSGD.
Params pairwise_average(const Params& a, const Params& b);

/// x + (y - z): adds the update y - z, computed elsewhere, to x (D-PSGD's local step after
/// mixing, AD-PSGD's stale gradient).
Params add_update(const Params& x, const Params& y, const Params& z);

}  // namespace flemu

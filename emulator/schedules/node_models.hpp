// What every decentralized schedule reports about its node models at the end of a round: the
// average model, the consensus distance, and the tests of sampled nodes' own models.
#pragma once
#include <memory>
#include <vector>

#include "emulator/core/federation.hpp"

namespace flemu {

/// An event of node `node`'s actor ("client-<node>" on its device) at the current simulated
/// time; a span from `t0` when given.
Event node_event(const Federation& fed, EventKind kind, int round, int node, double t0 = NAN);

/// A bookkeeping event of the rounds (actor "server" on the server host) at the current time.
Event rounds_event(EventKind kind, int round);

/// Which nodes have their own model tested: `k` < 0 every node, 0 none, else a fixed seeded
/// sample of k nodes (sorted).
std::vector<int> node_sample(int n, int k, uint64_t seed);

/// x-bar = (1/n) sum_i x_i over all nodes; emits the Consensus event of `round`
/// ((1/n) sum_i ||x_i - x-bar||^2) and returns x-bar.
std::shared_ptr<const Params> average_and_report(Federation& fed, int round,
                                                 const std::vector<std::shared_ptr<const Params>>& models);

/// Whether round `round` has an evaluation (every evaluation.every rounds and the last).
bool evaluation_due(const Federation& fed, int round);

/// Tests the models of `nodes` on the evaluation set, in parallel on the job pool (no simulated
/// time passes), and emits one Evaluate event per node (client = node), in node order.
void test_node_models(Federation& fed, int round, const std::vector<int>& nodes,
                      const std::vector<std::shared_ptr<const Params>>& models);

}  // namespace flemu

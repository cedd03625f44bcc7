// What a synchronous decentralized method decides, independent of how the emulator moves
// bytes and spends time (emulator/schedules/gossip_rounds.cpp runs the rounds).
//
// A round at node i, in the two orders the papers use:
//   TrainThenMix (DFedAvg, DFedAvgM, DFedSAM, DFedSAM-MGS):
//       y = local_training(x_i);  z^0 = y;  z^q = sum_j W_ij z_j^{q-1} for q = 1..Q;  x_i = z^Q
//   MixWhileTraining (D-PSGD): node i sends x_i while it computes its local step y from x_i;
//       x_i = sum_j W_ij x_j + (y - x_i)
// Each of the Q mixing steps is a real exchange of the whole model with every neighbour.
// Algorithms never see SimGrid; their maths is in pure functions (gossip.hpp).
#pragma once
#include <memory>
#include <string>

#include "algorithms/algorithm_spec.hpp"
#include "workloads/models/trainer.hpp"

namespace flemu {

enum class GossipOrder { TrainThenMix, MixWhileTraining };

class GossipAlgorithm {
 public:
  explicit GossipAlgorithm(const AlgorithmSpec& spec) : spec_(spec) {}
  virtual ~GossipAlgorithm() = default;
  virtual std::string name() const = 0;
  const AlgorithmSpec& spec() const { return spec_; }
  virtual GossipOrder order() const { return GossipOrder::TrainThenMix; }
  /// Q: exchange phases per round.
  virtual int gossip_steps() const { return 1; }
  /// The local work of node `node` in round `round` (1-based).
  virtual LocalTrainingSpec local_training(int node, int round) const;
  /// Node i's model after the round from where it started (`start`), what its local work
  /// made (`trained`) and the result of the mixing (`mixed`): TrainThenMix returns mixed,
  /// MixWhileTraining mixed + (trained - start).
  Params finish_round(const Params& start, const Params& trained, const Params& mixed) const;

 protected:
  AlgorithmSpec spec_;
};

/// The algorithm named in `spec` (family "decentralized"); throws std::invalid_argument.
std::unique_ptr<GossipAlgorithm> make_gossip_algorithm(const AlgorithmSpec& spec);

}  // namespace flemu

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

  // --- methods that send something else than their model (CHOCO-SGD's compressed difference)
  /// What node `node` sends in phase `phase` when its value is `z`: `message` (what its
  /// neighbours receive), `bytes` on the wire, `own` (its value from now on), and the
  /// operations it spent encoding (simulated device flops).
  struct Outgoing {
    std::shared_ptr<const Params> message;
    uint64_t bytes = 0;
    std::shared_ptr<const Params> own;
    double encode_ops = 0;
  };
  /// Default: the whole model, model_bytes on the wire.
  virtual Outgoing outgoing(int node, int round, int phase, const std::shared_ptr<const Params>& z,
                            uint64_t model_bytes);
  /// Whether mix() below replaces the mixing with W.
  virtual bool custom_mix() const { return false; }
  /// Node i's value after a phase from its own value, what arrived from `peers` (sorted) with
  /// their weights in W_t, and its own weight (absent neighbours' weights already moved there).
  virtual Params mix(int node, int round, const Params& own, double self_weight, const std::vector<int>& peers,
                     const std::vector<const Params*>& messages, const std::vector<double>& weights);
  /// Round `round` is over; `finished[i]` says whether node i completed it (sent everything).
  virtual void end_round(int round, const std::vector<char>& finished) { (void)round, (void)finished; }
  /// Whether the method needs real parameters (false: analytic training is fine).
  virtual bool needs_parameters() const { return false; }

 protected:
  AlgorithmSpec spec_;
};

/// The algorithm named in `spec` (family "decentralized") for `nodes` nodes training `model`,
/// its own random streams drawn from `seed`; throws std::invalid_argument.
std::unique_ptr<GossipAlgorithm> make_gossip_algorithm(const AlgorithmSpec& spec, const ModelInfo& model, int nodes,
                                                      uint64_t seed);

}  // namespace flemu

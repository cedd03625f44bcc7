// CHOCO-SGD — A. Koloskova, S. U. Stich, M. Jaggi, "Decentralized Stochastic Optimization and
// Gossip Algorithms with Compressed Communication", ICML 2019, Algorithm 2 (CHOCO-SGD); the deep
// learning version: Koloskova, Lin, Stich, Jaggi, ICLR 2020 (epfml/ChocoSGD).
//
// Every node keeps its model x_i and public copies x^_j of itself and its neighbours (all start
// at 0). Round t (paper order, the default):
//     x_i^{t+1/2} = local SGD from x_i^t                      (local_steps / local_epochs)
//     q_i = Q(x_i^{t+1/2} - x^_i)                             (compressed; sent to every neighbour)
//     x^_j <- x^_j + q_j     for j in N(i) and i itself
//     x_i^{t+1} = x_i^{t+1/2} + gamma sum_j w_ij (x^_j - x^_i)   (gamma: the consensus step)
// The authors' code (order "code", parallel_choco.py, memory-efficient form with s_i =
// sum_j w_ij x^_j) moves the consensus step before the compression and uses the previous round's
// public copies: x_i += gamma (s_i - x^_i); q_i = Q(x_i - x^_i); send; x^_i += q_i;
// s_i += sum_j w_ij q_j (j in N(i) and i).
//
// Q is a codec of algorithms/compression (the compression issue's library), used without its
// own error feedback (x^ is CHOCO's memory) and scaled to be a contraction as the paper needs:
// top-k as is; QSGD divided by tau = 1 + min(b/s^2, sqrt(b)/s) for buckets of b entries and s
// levels (the paper's rescaled qsgd); identity (none) and fp16. On the wire: the codec's real
// payload (its bytes set the transfer time), encoding charged to the device as flops.
// A neighbour whose q_j did not arrive (device off) gives its weight to the node's own: its
// term w_ij (x^_j - x^_i) is dropped for the round, and x^_j advances only for the nodes that
// finished the round (they sent everything).
#pragma once
#include <memory>
#include <vector>

#include "algorithms/compression/codec.hpp"
#include "algorithms/decentralized/gossip_algorithm.hpp"
#include "workloads/models/model_info.hpp"

namespace flemu {

/// The model's tensors, in parameter order (weight then bias per layer), for the codecs.
compression::TensorLayout model_tensor_layout(const ModelInfo& model);

/// x + gamma sum_k w_k (hat_k + q_k - hat_own - q_own): CHOCO's consensus step after the
/// exchange (paper order), in double. Pure, for tests.
Params choco_consensus(const Params& x, double gamma, const Params& hat_own, const Params& q_own,
                       const std::vector<const Params*>& hats, const std::vector<const Params*>& qs,
                       const std::vector<double>& weights);

class ChocoSgd : public GossipAlgorithm {
 public:
  ChocoSgd(const AlgorithmSpec& spec, const ModelInfo& model, int nodes, uint64_t seed);
  std::string name() const override { return "choco-sgd"; }
  Outgoing outgoing(int node, int round, int phase, const std::shared_ptr<const Params>& z,
                    uint64_t model_bytes) override;
  bool custom_mix() const override { return true; }
  Params mix(int node, int round, const Params& own, double self_weight, const std::vector<int>& peers,
             const std::vector<const Params*>& messages, const std::vector<double>& weights) override;
  void end_round(int round, const std::vector<char>& finished) override;
  bool needs_parameters() const override { return true; }

 private:
  /// Q(v): the codec's decoded payload, scaled to a contraction; its bytes and encoding ops.
  std::shared_ptr<const Params> compress(const Params& v, int node, int round, uint64_t* bytes, double* ops) const;
  const Params& hat(int node) const;

  std::unique_ptr<compression::Codec> codec_;
  double scale_ = 1;  ///< QSGD: 1 / tau
  uint64_t seed_;
  size_t d_;
  std::vector<std::shared_ptr<const Params>> hat_, q_, s_, next_s_;
  Params zero_;
};

}  // namespace flemu

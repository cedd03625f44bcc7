// FedKSeed — Qin, Chen, Yao, Li, Ding, Deng, "Federated Full-Parameter Tuning of
// Billion-Sized Language Models with Communication Cost under 18 Kilobytes", ICML 2024,
// Algorithm 1 (zeroth-order optimisation with a finite set of K seeds):
//
//   setup:  K candidate seeds shared by server and clients
//   client: each local step t: pick a seed s_t of the K uniformly; z = N(0, I_d) from s_t;
//           g_t = (L(w + eps z; B_t) - L(w - eps z; B_t)) / (2 eps)   (two forward passes)
//           w <- w - eta g_t z ;  upload the pairs (s_t, g_t), summed per seed
//   server: w <- w - eta sum_c p_c sum_s G_{c,s} z_s     (the same update, replayed from seeds)
//           clients download the accumulated (seed, scalar) pairs of the rounds they missed and
//           replay them (FedKSeedParams::download = history) instead of the model.
//
// The local steps run in the language-model trainer (workloads/models/torch_lm_trainer.cpp,
// LocalProcedure::ZerothOrder), which regenerates z with fill_direction(seed, 0, Gaussian, 1)
// over the trainable entries in layout order, as the server does here. The paper's
// non-uniform seed sampling (FedKSeed-Pro) is not implemented. Device flops per step: two
// forward passes of the batch (ModelInfo::train_flops_per_sample = 2 x forward).
#pragma once
#include <map>

#include "algorithms/fl/fedavg.hpp"
#include "algorithms/llm/seed_history.hpp"
#include "algorithms/llm/trainable.hpp"

namespace flemu {

/// The K candidate seeds of a run.
std::vector<uint64_t> fedkseed_seeds(uint64_t run_seed, int K);

struct FedKSeedPayload final : UpdatePayload {
  std::vector<std::pair<uint32_t, float>> scalars;  ///< (seed index, summed projected gradient), ascending
};

/// sum_s coeff[s] z_s over the trainable entries (double accumulation, seeds ascending),
/// scattered into a vector of the model's size (zeros where frozen).
std::vector<float> fedkseed_reconstruct(const std::map<uint32_t, double>& coeff, const std::vector<uint64_t>& seeds,
                                        const ModelInfo& model);

/// Wire bytes of n (seed index, scalar) pairs: 8 + n (b_idx + 4), b_idx = 2 for K <= 65536, else 4.
uint64_t fedkseed_pairs_bytes(size_t n, int K);

class FedKSeed final : public FedAvg, private UpdateEncoder {
 public:
  FedKSeed(const AlgorithmSpec& spec, const AlgorithmContext& context);
  std::string name() const override { return "fedkseed"; }
  /// Zeroth-order local work (the trainer's job spec); down: the model or the history of
  /// (seed, scalar) pairs to replay; up: the payload.
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override;
  const UpdateEncoder* encoder() const override { return this; }
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;

 private:
  std::shared_ptr<const UpdatePayload> encode_update(const TrainJob& job, const TrainResult& trained) const override;
  ModelInfo model_;
  std::vector<uint64_t> seeds_;
  SeedHistory history_;
  int version_ = 0;
};

}  // namespace flemu

#include "algorithms/llm/fedkseed.hpp"

#include <algorithm>
#include <stdexcept>

#include "workloads/random_directions.hpp"
#include "workloads/rng.hpp"

namespace flemu {

std::vector<uint64_t> fedkseed_seeds(uint64_t run_seed, int K) {
  std::vector<uint64_t> s;
  for (int k = 0; k < K; ++k) s.push_back(derive_seed(run_seed, SeedStream::SharedSeeds, {2, uint64_t(k)}));
  return s;
}

uint64_t fedkseed_pairs_bytes(size_t n, int K) { return 8 + n * ((K <= 65536 ? 2 : 4) + 4); }

std::vector<float> fedkseed_reconstruct(const std::map<uint32_t, double>& coeff, const std::vector<uint64_t>& seeds,
                                        const ModelInfo& model) {
  const int64_t D = model.trainable_params;
  std::vector<double> acc(static_cast<size_t>(D), 0.0);
  std::vector<float> z(static_cast<size_t>(D));
  for (const auto& [k, c] : coeff) {
    if (c == 0) continue;
    fill_direction(seeds.at(k), 0, DirectionLaw::Gaussian, 1.0, z.data(), D);
    for (int64_t i = 0; i < D; ++i) acc[i] += c * z[i];
  }
  Params out(static_cast<size_t>(model.num_params), 0.f);
  scatter_trainable(model, std::vector<float>(acc.begin(), acc.end()), out);
  return out;
}

FedKSeed::FedKSeed(const AlgorithmSpec& spec, const AlgorithmContext& context)
    : FedAvg(spec, context), model_(context.model),
      seeds_(fedkseed_seeds(context.seed, spec.fedkseed.candidate_seeds)) {}

ClientPlan FedKSeed::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  ClientPlan p = FedAvg::plan(client, round, global);
  plan_seed_download(p, history_, spec_.fedkseed.download, client, round - 1, dense_trainable_bytes(model_));
  return p;
}

std::shared_ptr<const UpdatePayload> FedKSeed::encode_update(const TrainJob&, const TrainResult& trained) const {
  auto p = std::make_shared<FedKSeedPayload>();
  p->scalars = trained.seed_scalars;
  // Analytic training: one distinct seed per step (the upper bound; K caps it).
  const size_t pairs = trained.params.empty()
                           ? static_cast<size_t>(std::min<int64_t>(trained.steps, spec_.fedkseed.candidate_seeds))
                           : p->scalars.size();
  p->wire_bytes = fedkseed_pairs_bytes(pairs, spec_.fedkseed.candidate_seeds);
  return p;
}

Params FedKSeed::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  if (global.empty()) {  // analytic training: every step's seed distinct (upper bound)
    int64_t steps = 0;
    for (const auto& u : updates) steps += u.local_steps;
    const size_t n = static_cast<size_t>(std::min<int64_t>(steps, spec_.fedkseed.candidate_seeds));
    history_.record(++version_, fedkseed_pairs_bytes(n, spec_.fedkseed.candidate_seeds),
                    2.0 * static_cast<double>(n) * static_cast<double>(model_.trainable_params));
    for (const auto& u : updates) history_.synced(u.client, u.base_version);
    return global;
  }
  double total = 0;
  for (const auto& u : updates) total += static_cast<double>(u.num_samples);
  std::map<uint32_t, double> coeff;  // eta-scaled, sample-weighted
  for (const auto& u : updates) {
    const auto* p = dynamic_cast<const FedKSeedPayload*>(u.payload.get());
    if (!p) throw std::logic_error("fedkseed: an update without its seed scalars");
    const double w = static_cast<double>(u.num_samples) / total * u.local_lr;
    for (const auto& [k, g] : p->scalars) coeff[k] += w * g;
  }
  const auto r = fedkseed_reconstruct(coeff, seeds_, model_);
  Params out = global;
  for (const auto& [off, n] : trainable_ranges(model_))
    for (int64_t j = 0; j < n; ++j) out[off + j] = static_cast<float>(global[off + j] - spec_.server_lr * r[off + j]);
  history_.record(++version_, fedkseed_pairs_bytes(coeff.size(), spec_.fedkseed.candidate_seeds),
                  2.0 * static_cast<double>(coeff.size()) * static_cast<double>(model_.trainable_params));
  for (const auto& u : updates) history_.synced(u.client, u.base_version);
  return out;
}

}  // namespace flemu

#include "algorithms/algorithm.hpp"

#include <algorithm>
#include <stdexcept>

#include "algorithms/fl/fedavg.hpp"
#include "algorithms/fl/fedprox.hpp"
#include "algorithms/llm/fedkseed.hpp"
#include "algorithms/llm/ferret.hpp"
#include "algorithms/llm/flasc.hpp"
#include "algorithms/llm/lora.hpp"
#include "algorithms/llm/sfl.hpp"
#include "algorithms/llm/sfprompt.hpp"
#include "workloads/rng.hpp"

namespace flemu {

std::vector<int> sample_without_replacement(const std::vector<int>& candidates, int k, uint64_t seed) {
  std::vector<int> pool = candidates;
  if (k >= static_cast<int>(pool.size())) return pool;
  Rng rng(seed);
  // Partial Fisher-Yates: the first k positions become the sample.
  for (int i = 0; i < k; ++i) std::swap(pool[i], pool[i + rng.below(pool.size() - i)]);
  pool.resize(k);
  std::sort(pool.begin(), pool.end());
  return pool;
}

std::vector<int> SyncAlgorithm::select_clients(int, const std::vector<int>& candidates, int count,
                                               uint64_t seed) const {
  return sample_without_replacement(candidates, count, seed);
}

Download SyncAlgorithm::download(int, int, const std::shared_ptr<const Params>& global, const ModelInfo& model) {
  return {global, static_cast<uint64_t>(model.bytes), 0};
}

std::unique_ptr<SyncAlgorithm> make_sync_algorithm(const AlgorithmSpec& spec, const ModelInfo& model,
                                                   uint64_t run_seed) {
  if (spec.name == "fedavg") return std::make_unique<FedAvg>(spec);
  if (spec.name == "fedprox") return std::make_unique<FedProx>(spec);
  const bool lm = model.kind == ModelKind::Transformer;
  auto need_lm = [&] {
    if (!lm) throw std::invalid_argument("algorithm \"" + spec.name + "\" fine-tunes the transformer model only");
  };
  if (spec.name == "ferret") return std::make_unique<Ferret>(spec, model, run_seed);
  if (spec.name == "lora") return need_lm(), std::make_unique<FedLora>(spec, model);
  if (spec.name == "flasc") return need_lm(), std::make_unique<Flasc>(spec, model);
  if (spec.name == "fedkseed") return need_lm(), std::make_unique<FedKSeed>(spec, model, run_seed);
  if (spec.name == "sfprompt") return need_lm(), std::make_unique<SfPrompt>(spec, model);
  if (spec.name == "sfl") return need_lm(), std::make_unique<SplitFed>(spec, model);
  throw std::invalid_argument("unknown algorithm \"" + spec.name + "\"");
}

}  // namespace flemu

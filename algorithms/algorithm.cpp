#include "algorithms/algorithm.hpp"

#include <algorithm>
#include <stdexcept>

#include "algorithms/fl/fedavg.hpp"
#include "algorithms/fl/fedavgm.hpp"
#include "algorithms/fl/fedcm.hpp"
#include "algorithms/fl/feddyn.hpp"
#include "algorithms/fl/fedgamma.hpp"
#include "algorithms/fl/fedopt.hpp"
#include "algorithms/fl/fedprox.hpp"
#include "algorithms/fl/fedsam.hpp"
#include "algorithms/fl/fedsmoo.hpp"
#include "algorithms/fl/fedspeed.hpp"
#include "algorithms/fl/mofedsam.hpp"
#include "algorithms/fl/pfedgate.hpp"
#include "algorithms/fl/scaffold.hpp"
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

std::vector<int> bernoulli_sample(const std::vector<int>& candidates, double p, uint64_t seed) {
  if (candidates.empty()) return {};
  constexpr uint64_t kMaxDraws = 10000;
  for (uint64_t draw = 0; draw < kMaxDraws; ++draw) {
    Rng rng(derive_seed(seed, {draw}));
    std::vector<int> active;
    for (int c : candidates)
      if (rng.uniform() < p) active.push_back(c);
    if (!active.empty()) {
      std::sort(active.begin(), active.end());
      return active;
    }
  }
  Rng rng(derive_seed(seed, {kMaxDraws}));
  return {candidates[rng.below(candidates.size())]};
}

std::vector<int> SyncAlgorithm::select_clients(int, const std::vector<int>& candidates, int count,
                                               uint64_t seed) const {
  if (spec_.participation == AlgorithmSpec::Participation::Bernoulli)
    return bernoulli_sample(candidates, spec_.active_ratio, seed);
  return sample_without_replacement(candidates, count, seed);
}

StateFootprint SyncAlgorithm::footprint() const {
  StateFootprint f;
  f.client_bytes = clients_.bytes();
  f.clients = clients_.clients();
  f.server_bytes = server_state_bytes();
  f.client_slots = clients_.slots();
  return f;
}

std::unique_ptr<SyncAlgorithm> make_sync_algorithm(const AlgorithmSpec& spec, const AlgorithmContext& context) {
  if (spec.name == "fedavg") return std::make_unique<FedAvg>(spec, context);
  if (spec.name == "fedprox") return std::make_unique<FedProx>(spec, context);
  if (spec.name == "fedsam") return std::make_unique<FedSam>(spec, context);
  if (spec.name == "scaffold") return std::make_unique<Scaffold>(spec, context);
  if (spec.name == "feddyn") return std::make_unique<FedDyn>(spec, context);
  if (spec.name == "fedcm") return std::make_unique<FedCm>(spec, context);
  if (spec.name == "mofedsam") return std::make_unique<MoFedSam>(spec, context);
  if (spec.name == "fedgamma") return std::make_unique<FedGamma>(spec, context);
  if (spec.name == "fedspeed") return std::make_unique<FedSpeed>(spec, context);
  if (spec.name == "fedsmoo") return std::make_unique<FedSmoo>(spec, context);
  if (spec.name == "fedadam") return std::make_unique<FedAdaptive>(spec, context, SecondMoment::Adam);
  if (spec.name == "fedyogi") return std::make_unique<FedAdaptive>(spec, context, SecondMoment::Yogi);
  if (spec.name == "fedavgm") return std::make_unique<FedAvgM>(spec, context);
  const bool lm = context.model.kind == ModelKind::Transformer;
  auto need_lm = [&] {
    if (!lm) throw std::invalid_argument("algorithm \"" + spec.name + "\" fine-tunes the transformer model only");
  };
  if (spec.name == "ferret") return std::make_unique<Ferret>(spec, context);
  if (spec.name == "lora") return need_lm(), std::make_unique<FedLora>(spec, context);
  if (spec.name == "flasc") return need_lm(), std::make_unique<Flasc>(spec, context);
  if (spec.name == "fedkseed") return need_lm(), std::make_unique<FedKSeed>(spec, context);
  if (spec.name == "sfprompt") return need_lm(), std::make_unique<SfPrompt>(spec, context);
  if (spec.name == "sfl") return need_lm(), std::make_unique<SplitFed>(spec, context);
  if (spec.name == "pfedgate") return std::make_unique<PFedGate>(spec, context);
  throw std::invalid_argument("unknown algorithm \"" + spec.name + "\"");
}

}  // namespace flemu

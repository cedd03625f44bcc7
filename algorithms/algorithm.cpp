#include "algorithms/algorithm.hpp"

#include <algorithm>
#include <stdexcept>

#include "algorithms/fl/fedavg.hpp"
#include "algorithms/fl/fedprox.hpp"
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

std::unique_ptr<SyncAlgorithm> make_sync_algorithm(const AlgorithmSpec& spec) {
  if (spec.name == "fedavg") return std::make_unique<FedAvg>(spec);
  if (spec.name == "fedprox") return std::make_unique<FedProx>(spec);
  throw std::invalid_argument("unknown algorithm \"" + spec.name + "\"");
}

}  // namespace flemu

#include "workloads/data/item_population.hpp"

#include <stdexcept>

#include "workloads/rng.hpp"

namespace flemu {

ItemPopulation make_item_population(const ItemsSpec& spec, int parties, uint64_t users, uint64_t seed) {
  if (parties < 1) throw std::invalid_argument("item population: at least one party");
  ItemPopulation pop;
  if (spec.source == ItemsSpec::Source::Zipf) {
    const uint64_t P = static_cast<uint64_t>(parties);
    for (uint64_t j = 0; j < P; ++j) pop.party_users.push_back(users / P + (j < users % P ? 1 : 0));
    pop.items = zipf_party_items(spec.zipf, pop.party_users, derive_seed(seed, {170}));
    for (int j = 0; j < parties; ++j) pop.party_names.push_back("party-" + std::to_string(j));
    return pop;
  }
  throw std::runtime_error("fortunes items: not available yet");
}

}  // namespace flemu

// The users of a heavy-hitter scenario: how many each party has and the item each holds.
//   zipf      parties of equal size; items from zipf_party_items (item_workload.hpp);
//   fortunes  parties = categories of the fortunes corpus (the largest ones, or those named);
//             sizes in proportion to the categories' words (or equal); each user holds one
//             word occurrence of its category, drawn without replacement while the category
//             has words left (words: lowercase letter runs, encoded as item_workload.hpp says).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/workload_spec.hpp"

namespace flemu {

struct ItemPopulation {
  std::vector<uint64_t> party_users;          ///< n_j
  std::vector<std::vector<uint64_t>> items;   ///< [party][user]
  std::vector<std::string> party_names;       ///< "party-<j>", or the category
};

/// `users` users over `parties` parties, drawn from `seed`. Throws std::runtime_error when the
/// corpus cannot be read, std::invalid_argument for impossible requests.
ItemPopulation make_item_population(const ItemsSpec& spec, int parties, uint64_t users, uint64_t seed);

}  // namespace flemu

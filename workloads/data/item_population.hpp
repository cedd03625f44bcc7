// The users of a heavy-hitter scenario: how many each party has and the item each holds.
//   zipf      parties of equal size; items from zipf_party_items (item_workload.hpp);
//   fortunes  parties = categories of the fortunes corpus (those named, or the ones with the
//             most words); sizes in proportion to the categories' words (one user each, the
//             rest by largest remainder) or equal; each user holds one word occurrence of its
//             category, drawn without replacement (a fresh shuffled pass when a party has more
//             users than its category has words). Words: fortunes.hpp word_counts (lower-cased
//             runs of ASCII letters and digits, inner apostrophes kept), encoded as
//             item_workload.hpp says (the first bits / 8 bytes).
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

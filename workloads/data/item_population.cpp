#include "workloads/data/item_population.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "workloads/data/fortunes.hpp"
#include "workloads/rng.hpp"

namespace flemu {

namespace {

constexpr uint64_t kZipfStream = 170, kFortunesStream = 173;

/// `users` over parties of weights `weights`: one user each, the rest in proportion to the
/// weights by largest remainder (ties to the lower index), so that the sizes always sum to
/// `users`.
std::vector<uint64_t> proportional_sizes(const std::vector<double>& weights, uint64_t users) {
  const size_t P = weights.size();
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  const uint64_t rest = users - P;
  std::vector<uint64_t> sizes(P, 1);
  std::vector<std::pair<double, size_t>> remainders;
  uint64_t given = 0;
  for (size_t j = 0; j < P; ++j) {
    const double share = static_cast<double>(rest) * weights[j] / total;
    const auto whole = static_cast<uint64_t>(share);
    sizes[j] += whole;
    given += whole;
    remainders.push_back({share - static_cast<double>(whole), j});
  }
  std::stable_sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t r = 0; given < rest; ++r, ++given) ++sizes[remainders[r % P].second];
  return sizes;
}

ItemPopulation fortunes_population(const ItemsSpec& spec, int parties, uint64_t users, uint64_t seed) {
  if (spec.bits % 8 != 0 || spec.bits < 8 || spec.bits > 64)
    throw std::invalid_argument("fortunes items: bits must be 8, 16, ..., 64 (a word is bytes), got " +
                                std::to_string(spec.bits));
  const auto P = static_cast<size_t>(parties);
  if (users < P)
    throw std::invalid_argument("fortunes items: at least one user per party (" + std::to_string(parties) +
                                " parties, " + std::to_string(users) + " users)");
  const FortunesCorpus corpus = load_fortunes(spec.corpus);  // clear error when not installed
  // Each category's word occurrences (word_counts: lower-cased letter/digit runs), encoded.
  std::vector<std::map<std::string, int64_t>> counts(corpus.categories.size());
  std::vector<int64_t> words(corpus.categories.size(), 0);
  auto count_of = [&](size_t c) -> const std::map<std::string, int64_t>& {
    if (counts[c].empty() && words[c] == 0) {
      counts[c] = word_counts(corpus.texts[c]);
      for (const auto& [w, n] : counts[c]) words[c] += n;
    }
    return counts[c];
  };
  std::vector<size_t> chosen;
  if (spec.categories.empty()) {
    // The `parties` categories with the most words (ties by name).
    if (corpus.categories.size() < P)
      throw std::invalid_argument("fortunes items: " + std::to_string(parties) + " parties but " + corpus.dir +
                                  " has " + std::to_string(corpus.categories.size()) + " categories");
    std::vector<size_t> order(corpus.categories.size());
    std::iota(order.begin(), order.end(), size_t{0});
    for (size_t c : order) count_of(c);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return words[a] > words[b]; });
    chosen.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(P));
  } else {
    if (spec.categories.size() != P)
      throw std::invalid_argument("fortunes items: one category per party (" + std::to_string(parties) + " parties, " +
                                  std::to_string(spec.categories.size()) + " categories)");
    for (const auto& name : spec.categories) chosen.push_back(static_cast<size_t>(corpus.index_of(name)));
  }
  ItemPopulation pop;
  std::vector<double> weights;
  for (size_t c : chosen) {
    count_of(c);
    if (words[c] == 0) throw std::invalid_argument("fortunes items: category \"" + corpus.categories[c] + "\" has no words");
    pop.party_names.push_back(corpus.categories[c]);
    weights.push_back(static_cast<double>(words[c]));
  }
  if (spec.proportional_parties) {
    pop.party_users = proportional_sizes(weights, users);
  } else {
    for (uint64_t j = 0; j < P; ++j) pop.party_users.push_back(users / P + (j < users % P ? 1 : 0));
  }
  // Each user holds one word occurrence of its category, drawn without replacement; a party
  // with more users than its category has words starts a fresh shuffled pass.
  for (size_t j = 0; j < P; ++j) {
    std::vector<uint64_t> pool;
    pool.reserve(static_cast<size_t>(words[chosen[j]]));
    for (const auto& [w, n] : count_of(chosen[j])) pool.insert(pool.end(), static_cast<size_t>(n), encode_string(w, spec.bits));
    Rng rng(derive_seed(seed, {kFortunesStream, j}));
    std::vector<uint64_t> items;
    items.reserve(pop.party_users[j]);
    while (items.size() < pop.party_users[j]) {
      rng.shuffle(pool);
      const size_t take = std::min<uint64_t>(pool.size(), pop.party_users[j] - items.size());
      items.insert(items.end(), pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(take));
    }
    pop.items.push_back(std::move(items));
  }
  return pop;
}

}  // namespace

ItemPopulation make_item_population(const ItemsSpec& spec, int parties, uint64_t users, uint64_t seed) {
  if (parties < 1) throw std::invalid_argument("item population: at least one party");
  if (spec.source == ItemsSpec::Source::Fortunes) return fortunes_population(spec, parties, users, seed);
  ItemPopulation pop;
  const uint64_t P = static_cast<uint64_t>(parties);
  for (uint64_t j = 0; j < P; ++j) pop.party_users.push_back(users / P + (j < users % P ? 1 : 0));
  pop.items = zipf_party_items(spec.zipf, pop.party_users, derive_seed(seed, {kZipfStream}));
  for (int j = 0; j < parties; ++j) pop.party_names.push_back("party-" + std::to_string(j));
  return pop;
}

}  // namespace flemu

#include "algorithms/analytics/tap.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <unordered_map>

namespace flemu::analytics {

LevelCounts scaled(LevelCounts level, double scale) {
  for (auto& c : level.counts) c *= scale;
  return level;
}

double rare_count_sd(const FrequencyOracle& fo, uint64_t reports, double scale) {
  return std::sqrt(count_variance(fo, static_cast<double>(reports), 0)) * scale;
}

std::vector<uint64_t> tap_shared_survivors(const std::vector<uint64_t>& candidates,
                                           const std::vector<std::vector<double>>& party_counts, size_t keep) {
  std::vector<double> sum(candidates.size(), 0.0);
  for (const auto& counts : party_counts)
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += counts[i];
  std::vector<uint64_t> out;
  for (size_t i : top_indices(sum, candidates, keep)) out.push_back(candidates[i]);
  return out;
}

std::vector<bool> prior_supported(const std::vector<uint64_t>& candidates, int bits, const std::vector<ItemCount>& prior,
                                  int k) {
  std::unordered_map<uint64_t, double> mass;
  for (const auto& ic : prior) mass[prefix_of(ic.item, bits)] += ic.count;
  std::vector<double> m(candidates.size(), 0.0);
  for (size_t i = 0; i < candidates.size(); ++i)
    if (auto it = mass.find(candidates[i]); it != mass.end()) m[i] = it->second;
  std::vector<bool> supported(candidates.size(), false);
  for (size_t i : top_indices(m, candidates, static_cast<size_t>(k)))
    if (m[i] > 0) supported[i] = true;
  return supported;
}

std::vector<uint64_t> tap_adaptive_survivors(const LevelCounts& level, double sd, const HhParams& p,
                                             const std::vector<bool>* supported) {
  const size_t at_least = static_cast<size_t>(p.k), at_most = static_cast<size_t>(p.keep_count(p.keep_max));
  const auto order = top_indices(level.counts, level.candidates, level.counts.size());
  // Prune only what is confidently below the k-th estimate: noisy levels keep more candidates
  // (coverage), precise ones fewer (accuracy of the next level).
  const double kth = order.size() >= at_least ? level.counts[order[at_least - 1]] : -INFINITY;
  std::vector<uint64_t> out;
  std::vector<bool> kept(level.candidates.size(), false);
  for (size_t i : order) {
    if (out.size() >= at_most) break;
    if (out.size() >= at_least && !(level.counts[i] > kth - p.keep_sd * sd)) break;
    out.push_back(level.candidates[i]);
    kept[i] = true;
  }
  if (supported)
    for (size_t i : order)
      if ((*supported)[i] && !kept[i]) out.push_back(level.candidates[i]);
  return out;
}

std::vector<ItemCount> tap_party_list(const LevelCounts& last, const HhParams& p, const std::vector<bool>* supported) {
  const auto order = top_indices(last.counts, last.candidates, last.counts.size());
  const size_t size = static_cast<size_t>(p.keep_count(p.list_size));
  std::vector<ItemCount> out;
  for (size_t r = 0; r < order.size(); ++r) {
    const size_t i = order[r];
    if (r < size || (supported && (*supported)[i])) out.push_back({last.candidates[i], last.counts[i]});
  }
  return out;
}

MergedTop merge_party_lists(const std::vector<std::vector<ItemCount>>& lists, int k) {
  std::map<uint64_t, std::pair<double, int>> sum;  // item -> (sum of counts, parties listing it)
  for (const auto& list : lists)
    for (const auto& ic : list) {
      auto& s = sum[ic.item];
      s.first += ic.count;
      s.second += 1;
    }
  std::vector<uint64_t> items;
  std::vector<double> counts;
  std::vector<int> listed;
  for (const auto& [item, s] : sum) {
    items.push_back(item);
    counts.push_back(std::max(0.0, s.first));
    listed.push_back(s.second);
  }
  MergedTop m;
  for (size_t i : top_indices(counts, items, static_cast<size_t>(k))) {
    m.top.push_back({items[i], counts[i]});
    m.missing += static_cast<int>(lists.size()) - listed[i];
  }
  return m;
}

std::vector<ItemCount> taps_prior(const std::vector<std::vector<ItemCount>>& lists_so_far) {
  std::map<uint64_t, double> sum;
  for (const auto& list : lists_so_far)
    for (const auto& ic : list) sum[ic.item] += ic.count;
  std::vector<ItemCount> prior;
  for (const auto& [item, c] : sum) prior.push_back({item, c});
  return prior;
}

std::vector<int> taps_party_order(int parties, bool random, uint64_t seed) {
  std::vector<int> order(static_cast<size_t>(parties));
  std::iota(order.begin(), order.end(), 0);
  if (random) {
    Rng rng(seed);
    rng.shuffle(order);
  }
  return order;
}

}  // namespace flemu::analytics

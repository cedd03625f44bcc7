#include "algorithms/analytics/heavy_hitter_metrics.hpp"

#include <algorithm>
#include <cmath>

#include "algorithms/analytics/prefix_tree.hpp"

namespace flemu::analytics {

TrueCounts true_counts(const std::vector<std::vector<uint64_t>>& party_items) {
  TrueCounts t;
  for (const auto& items : party_items)
    for (uint64_t v : items) ++t.count[v], ++t.users;
  std::vector<uint64_t> items;
  std::vector<double> counts;
  for (const auto& [v, c] : t.count) items.push_back(v), counts.push_back(static_cast<double>(c));
  for (size_t i : top_indices(counts, items, items.size())) t.ranked.push_back({items[i], counts[i]});
  return t;
}

TopKQuality score_top_k(const std::vector<ItemCount>& returned, const TrueCounts& truth, int k) {
  TopKQuality q;
  std::unordered_map<uint64_t, int> rank;  // true top-k item -> rank (1 = most frequent)
  for (int i = 0; i < k && i < static_cast<int>(truth.ranked.size()); ++i) rank[truth.ranked[i].item] = i + 1;
  double score = 0, error = 0;
  for (const auto& ic : returned) {
    auto it = rank.find(ic.item);
    if (it == rank.end()) continue;
    ++q.hits;
    score += k - it->second + 1;
    const double c = static_cast<double>(truth.count.at(ic.item));
    error += std::abs(ic.count - c) / c;
  }
  q.precision = returned.empty() ? 0 : static_cast<double>(q.hits) / static_cast<double>(returned.size());
  q.recall = static_cast<double>(q.hits) / k;
  q.f1 = q.precision + q.recall > 0 ? 2 * q.precision * q.recall / (q.precision + q.recall) : 0;
  q.ncr = score / (k * (k + 1) / 2.0);
  if (q.hits > 0) q.relative_error = error / q.hits;
  return q;
}

}  // namespace flemu::analytics

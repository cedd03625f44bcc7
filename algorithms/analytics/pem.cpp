#include "algorithms/analytics/pem.hpp"

#include <algorithm>

namespace flemu::analytics {

std::vector<uint64_t> pem_survivors(const LevelCounts& level, int k) {
  std::vector<double> clipped(level.counts.size());
  for (size_t i = 0; i < clipped.size(); ++i) clipped[i] = std::max(0.0, level.counts[i]);
  std::vector<uint64_t> out;
  for (size_t i : top_indices(clipped, level.candidates, static_cast<size_t>(k))) out.push_back(level.candidates[i]);
  return out;
}

std::vector<ItemCount> pem_top_items(const LevelCounts& last, int k, double scale) {
  std::vector<double> clipped(last.counts.size());
  for (size_t i = 0; i < clipped.size(); ++i) clipped[i] = std::max(0.0, last.counts[i]);
  std::vector<ItemCount> out;
  for (size_t i : top_indices(clipped, last.candidates, static_cast<size_t>(k)))
    out.push_back({last.candidates[i], last.counts[i] * scale});
  return out;
}

}  // namespace flemu::analytics

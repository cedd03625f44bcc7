// How good a heavy-hitter answer is (card A.8): precision, recall and F1 of the returned set
// R against the true top-k T, NCR (normalized cumulative rank, Wang et al., S&P 2018: a true
// top-k item of rank i scores k - i + 1, NCR = sum over R and T of the scores / sum 1..k), and
// the relative error |c^ - c| / c of the returned counts of the true heavy hitters found.
// Ground truth is computed on the encoded items (card trap 8).
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "algorithms/analytics/pem.hpp"

namespace flemu::analytics {

struct TrueCounts {
  std::vector<ItemCount> ranked;                 ///< every distinct item, most frequent first (ties: smaller item)
  std::unordered_map<uint64_t, uint64_t> count;  ///< item -> users holding it
  uint64_t users = 0;
};

TrueCounts true_counts(const std::vector<std::vector<uint64_t>>& party_items);

struct TopKQuality {
  int hits = 0;            ///< |R and T|
  double precision = 0;    ///< hits / |R| (0 when R is empty)
  double recall = 0;       ///< hits / k
  double f1 = 0;
  double ncr = 0;
  double relative_error = NAN;  ///< mean over R and T of |c^ - c| / c; NaN without hits
};

TopKQuality score_top_k(const std::vector<ItemCount>& returned, const TrueCounts& truth, int k);

}  // namespace flemu::analytics

// PEM, the Prefix Extending Method: single-party LDP heavy hitters over a prefix tree.
//
// Paper: T. Wang, N. Li, S. Jha, "Locally Differentially Private Heavy Hitter Identification",
// IEEE TDSC 2019 (arXiv 1708.06674), Sec. 5, as the PEM reference code does it
// (github.com/vvv214/LDP_Protocols, pem/pem.py; card A.4):
//   1. users are shuffled and split into G equal groups, one per level (heavy_hitter_params.hpp);
//   2. level 0 estimates all 2^s0 prefixes, s0 = floor(log2 k) + 1;
//   3. level i estimates the survivors of level i-1 extended by every eta-bit piece;
//   4. after each level negative estimates become 0 and the top k survive;
//   5. the last level's top k, scaled from the group to the whole population, is the answer.
// Users whose prefix is no candidate still report (the GRR/OUE "other" slot; OLH never
// needs one), so n in the estimator is the whole group. The code's quirk of scaling the
// residual by group 1's size is not reproduced (groups here are sized exactly).
// One step differs from the code on purpose: eta defaults to 4 bits, not 1 (card A.7).
// Pure maths: no SimGrid, no I/O.
#pragma once
#include <cstdint>
#include <vector>

#include "algorithms/analytics/prefix_tree.hpp"

namespace flemu::analytics {

/// An item (or prefix) and an estimated count.
struct ItemCount {
  uint64_t item = 0;
  double count = 0;
};

/// Step 4: the candidates of `level` that survive (negative estimates clipped to 0, top k),
/// best first.
std::vector<uint64_t> pem_survivors(const LevelCounts& level, int k);

/// Step 5: the top k of the last level, each count multiplied by `scale` (users represented
/// per reporting user: population / reports), best first. Counts are not clipped: a
/// federated merge sums them first (card trap 3).
std::vector<ItemCount> pem_top_items(const LevelCounts& last, int k, double scale);

}  // namespace flemu::analytics

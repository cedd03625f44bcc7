// TAP and TAPS: federated heavy hitters under LDP across parties (silos).
//
// Paper: Y. Zhang, Q. Ye, H. Hu, "Federated Heavy Hitter Analytics with Local Differential
// Privacy", SIGMOD 2025 (arXiv 2412.14832). TAP = Target-Aligning Prefix tree; TAPS = TAP with
// consensus-based pruning.
//
// RECONSTRUCTION. The paper's body could not be read (card analytics-and-data.md, A.5); what
// is known is its abstract and third-party summaries. What follows fits every known sentence
// and is labelled [known] or [recon] step by step; the [recon] rules and constants are ours
// and are parameters (HhParams), so that the paper's can replace them. Call the results
// "TAP-like" and "TAPS-like".
//
// [known] Phase I, shared shallow trie: every party's users report prefixes of the first
//   levels, down to L1 bits; the aggregator sums the parties' results, so all parties extend
//   the same globally frequent prefixes ("target aligning").
//   [recon] each party estimates the level's candidates with its level group and sends the
//   counts, scaled to its population, to the aggregator; the aggregator keeps the top
//   k1 = shared_keep * k of the sum (tap_shared_survivors) and sends them back.
// [known] Phase II, independent estimation: each party extends the shared prefixes with its
//   remaining users and finds its local heavy hitters; an adaptive extension decides how many
//   candidates to keep (covering what global heavy hitters need vs. fewer, better estimated
//   candidates). [recon] the rule: keep the candidates whose estimate exceeds keep_sd standard
//   deviations of a rare candidate's estimate, at least k and at most keep_max * k of them,
//   best first (tap_adaptive_survivors); the last level's top k' = list_size * k items are
//   the party's list, sent with their counts.
// [recon] Aggregator: sums the lists' counts (a party that did not list an item contributes
//   0, and the number of such gaps is reported: card trap 2), clips at 0 after summing (trap
//   3), outputs the top k.
// [known] TAPS: parties run phase II in a sequence and a noisy prior from the earlier parties
//   prunes by consensus. [recon] party pi(t) receives Q_t, the sum of the lists of pi(1..t-1);
//   at each level a candidate whose prefix mass under Q_t is among Q_t's k largest is kept
//   even when locally weak, and at the last level such items are listed with their local
//   estimate, so that every later party reports a count for the likely global heavy hitters.
//   A candidate is pruned only when it is weak both locally and in the prior. The order is
//   seeded random by default (card A.7: unknown in the paper).
// Privacy: users report once (disjoint groups); counts, lists and priors are post-processing.
// Pure maths: no SimGrid, no I/O.
#pragma once
#include <cstdint>
#include <vector>

#include "algorithms/analytics/heavy_hitter_params.hpp"
#include "algorithms/analytics/pem.hpp"
#include "algorithms/analytics/prefix_tree.hpp"

namespace flemu::analytics {

/// `level` with every count multiplied by `scale`.
LevelCounts scaled(LevelCounts level, double scale);

/// Standard deviation of the estimate of a value nobody holds, from n reports, times `scale`.
double rare_count_sd(const FrequencyOracle& fo, uint64_t reports, double scale);

/// Phase I at the aggregator: parties' counts of `candidates` (one vector per party, each
/// scaled to its population) summed; the top `keep` candidates, best first.
std::vector<uint64_t> tap_shared_survivors(const std::vector<uint64_t>& candidates,
                                           const std::vector<std::vector<double>>& party_counts, size_t keep);

/// TAPS: which candidates (prefixes of `bits` bits) the prior supports: those whose prior mass
/// (sum of the prior counts of the items under them) is among the k largest positive masses.
std::vector<bool> prior_supported(const std::vector<uint64_t>& candidates, int bits, const std::vector<ItemCount>& prior,
                                  int k);

/// Phase II at a party: the survivors of a level (`level` scaled to the party, `sd` from
/// rare_count_sd), best first, then (TAPS) the prior-supported ones it would have pruned.
std::vector<uint64_t> tap_adaptive_survivors(const LevelCounts& level, double sd, const HhParams& p,
                                             const std::vector<bool>* supported = nullptr);

/// Phase II's last level at a party: its list, the top k' items, then (TAPS) the
/// prior-supported items among the candidates, with their (unclipped) counts.
std::vector<ItemCount> tap_party_list(const LevelCounts& last, const HhParams& p,
                                      const std::vector<bool>* supported = nullptr);

/// The aggregator's answer from the parties' lists: counts summed per item, clipped at 0
/// after the sum, the top k, and how many (item, party) estimates of the answer were missing.
struct MergedTop {
  std::vector<ItemCount> top;
  int missing = 0;
};
MergedTop merge_party_lists(const std::vector<std::vector<ItemCount>>& lists, int k);

/// TAPS: the prior for the next party, the sum of the lists so far (ascending by item).
std::vector<ItemCount> taps_prior(const std::vector<std::vector<ItemCount>>& lists_so_far);

/// TAPS: the order in which parties run phase II.
std::vector<int> taps_party_order(int parties, bool random, uint64_t seed);

}  // namespace flemu::analytics

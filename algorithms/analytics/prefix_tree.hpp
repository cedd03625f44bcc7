// The prefix tree shared by PEM and TAP: items are fixed-length bit strings, a level of the
// tree estimates the frequency of prefixes of one length among candidate prefixes, and the
// survivors of a level, each extended by every possible next piece, are the next level's
// candidates.
//
// Bit order (PEM's, pem/pem.py; card trap 8): an item of m <= 64 bits sits in a uint64_t with
// byte i of its byte string in bits 8i..8i+7, and the prefix of length s is item & (2^s - 1),
// the low-order bits: the first characters. Extending a prefix of length s to length s' adds
// bits s..s'-1.
// Pure maths: no SimGrid, no I/O.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "algorithms/analytics/frequency_oracle.hpp"

namespace flemu::analytics {

/// The first `bits` bits of `item`.
inline uint64_t prefix_of(uint64_t item, int bits) {
  return bits >= 64 ? item : item & ((uint64_t{1} << bits) - 1);
}

/// Bytes of a prefix of `bits` bits on the wire.
inline uint64_t prefix_bytes(int bits) { return (static_cast<uint64_t>(bits) + 7) / 8; }

/// Every prefix of length `bits` (2^bits values, ascending). Throws for bits > 24.
std::vector<uint64_t> all_prefixes(int bits);

/// Each survivor (length `from_bits`) followed by every piece of `to_bits - from_bits` bits,
/// in survivor order then piece order. from_bits = 0 gives all_prefixes(to_bits).
std::vector<uint64_t> extend_prefixes(const std::vector<uint64_t>& survivors, int from_bits, int to_bits);

/// The candidate prefixes of one level: what GRR/OUE reports index into. A value that is not
/// a candidate maps to the "other" slot (index size()), which GRR/OUE domains include.
class CandidateDomain {
 public:
  CandidateDomain(std::vector<uint64_t> values, int bits);
  const std::vector<uint64_t>& values() const { return values_; }
  int bits() const { return bits_; }
  size_t size() const { return values_.size(); }
  /// Index of `item`'s prefix among the candidates, or size() ("other").
  uint64_t index_of_item(uint64_t item) const;
  /// The oracle of this level: GRR/OUE range over the candidates plus the other slot.
  FrequencyOracle oracle(OracleKind kind, double epsilon) const;

 private:
  std::vector<uint64_t> values_;
  int bits_;
  std::unordered_map<uint64_t, uint64_t> index_;
};

/// What a user holding `item` reports at a level (one report per user, ever: card trap 5).
/// GRR/OUE perturb the index of the item's prefix among the candidates (or the other slot:
/// users outside the candidates still report, card trap 4); OLH perturbs the prefix itself.
Report level_report(const FrequencyOracle& fo, const CandidateDomain& domain, uint64_t item, Rng& rng);

/// Count estimates of one level, for the users who reported.
struct LevelCounts {
  std::vector<uint64_t> candidates;
  std::vector<double> counts;  ///< unbiased estimates of how many reporting users hold each
  uint64_t reports = 0;        ///< n
};

/// From real reports.
LevelCounts estimate_level(const FrequencyOracle& fo, const CandidateDomain& domain, const std::vector<Report>& reports);

/// The fast path: the same estimates drawn from the holders' counts (sample_support_counts),
/// `items` being the reporting users' items.
LevelCounts sample_level(const FrequencyOracle& fo, const CandidateDomain& domain, const std::vector<uint64_t>& items,
                         Rng& rng);

/// Indices of the `k` largest values (all if fewer), largest first; ties go to the smaller
/// candidate value, so the order never depends on the sort's implementation.
std::vector<size_t> top_indices(const std::vector<double>& counts, const std::vector<uint64_t>& values, size_t k);

/// Sizes of `groups` groups splitting `n` users evenly (the first n % groups get one more),
/// or in proportion to `shares` when given (largest remainders, ties to the earlier group).
std::vector<uint64_t> group_sizes(uint64_t n, size_t groups, const std::vector<double>& shares = {});

/// Group of each of `n` users: a seeded shuffle cut into consecutive runs of `sizes`.
std::vector<uint16_t> assign_groups(uint64_t n, const std::vector<uint64_t>& sizes, uint64_t seed);

}  // namespace flemu::analytics

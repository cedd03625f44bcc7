#include "algorithms/analytics/prefix_tree.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace flemu::analytics {

std::vector<uint64_t> all_prefixes(int bits) {
  if (bits < 0 || bits > 24) throw std::invalid_argument("all_prefixes: at most 24 bits");
  std::vector<uint64_t> v(uint64_t{1} << bits);
  std::iota(v.begin(), v.end(), uint64_t{0});
  return v;
}

std::vector<uint64_t> extend_prefixes(const std::vector<uint64_t>& survivors, int from_bits, int to_bits) {
  if (from_bits == 0) return all_prefixes(to_bits);
  const int step = to_bits - from_bits;
  if (step < 0 || step > 24) throw std::invalid_argument("extend_prefixes: a step of 0..24 bits");
  std::vector<uint64_t> out;
  out.reserve(survivors.size() << step);
  for (uint64_t s : survivors)
    for (uint64_t piece = 0; piece < (uint64_t{1} << step); ++piece) out.push_back(s | (piece << from_bits));
  return out;
}

CandidateDomain::CandidateDomain(std::vector<uint64_t> values, int bits) : values_(std::move(values)), bits_(bits) {
  index_.reserve(values_.size());
  for (uint64_t i = 0; i < values_.size(); ++i) index_.emplace(values_[i], i);
}

uint64_t CandidateDomain::index_of_item(uint64_t item) const {
  auto it = index_.find(prefix_of(item, bits_));
  return it == index_.end() ? values_.size() : it->second;
}

FrequencyOracle CandidateDomain::oracle(OracleKind kind, double epsilon) const {
  return make_oracle(kind, epsilon, values_.size() + 1);
}

Report level_report(const FrequencyOracle& fo, const CandidateDomain& domain, uint64_t item, Rng& rng) {
  if (fo.kind == OracleKind::Olh) return perturb(fo, prefix_of(item, domain.bits()), rng);
  return perturb(fo, domain.index_of_item(item), rng);
}

LevelCounts estimate_level(const FrequencyOracle& fo, const CandidateDomain& domain, const std::vector<Report>& reports) {
  LevelCounts lc;
  lc.candidates = domain.values();
  lc.reports = reports.size();
  lc.counts = estimate_counts(fo, support_counts(fo, reports, domain.values()), reports.size());
  return lc;
}

LevelCounts sample_level(const FrequencyOracle& fo, const CandidateDomain& domain, const std::vector<uint64_t>& items,
                         Rng& rng) {
  std::vector<uint64_t> holders(domain.size(), 0);
  for (uint64_t item : items) {
    const uint64_t i = domain.index_of_item(item);
    if (i < holders.size()) ++holders[i];
  }
  LevelCounts lc;
  lc.candidates = domain.values();
  lc.reports = items.size();
  lc.counts = estimate_counts(fo, sample_support_counts(fo, holders, items.size(), rng), items.size());
  return lc;
}

std::vector<size_t> top_indices(const std::vector<double>& counts, const std::vector<uint64_t>& values, size_t k) {
  std::vector<size_t> idx(counts.size());
  std::iota(idx.begin(), idx.end(), size_t{0});
  auto better = [&](size_t a, size_t b) { return counts[a] != counts[b] ? counts[a] > counts[b] : values[a] < values[b]; };
  if (k < idx.size()) {
    std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(), better);
    idx.resize(k);
  } else {
    std::sort(idx.begin(), idx.end(), better);
  }
  return idx;
}

std::vector<uint64_t> group_sizes(uint64_t n, size_t groups, const std::vector<double>& shares) {
  if (groups == 0) throw std::invalid_argument("group_sizes: at least one group");
  std::vector<uint64_t> sizes(groups, 0);
  if (shares.empty()) {
    for (size_t g = 0; g < groups; ++g) sizes[g] = n / groups + (g < n % groups ? 1 : 0);
    return sizes;
  }
  if (shares.size() != groups) throw std::invalid_argument("group_sizes: one share per group");
  const double total = std::accumulate(shares.begin(), shares.end(), 0.0);
  std::vector<double> remainder(groups);
  uint64_t given = 0;
  for (size_t g = 0; g < groups; ++g) {
    const double exact = static_cast<double>(n) * shares[g] / total;
    sizes[g] = static_cast<uint64_t>(std::floor(exact));
    remainder[g] = exact - std::floor(exact);
    given += sizes[g];
  }
  std::vector<size_t> order(groups);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  for (size_t i = 0; given < n; ++i, ++given) ++sizes[order[i % groups]];
  return sizes;
}

std::vector<uint16_t> assign_groups(uint64_t n, const std::vector<uint64_t>& sizes, uint64_t seed) {
  if (std::accumulate(sizes.begin(), sizes.end(), uint64_t{0}) != n)
    throw std::invalid_argument("assign_groups: group sizes must add up to the users");
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), uint32_t{0});
  Rng rng(seed);
  rng.shuffle(order);
  std::vector<uint16_t> group(n);
  uint64_t at = 0;
  for (size_t g = 0; g < sizes.size(); ++g)
    for (uint64_t i = 0; i < sizes[g]; ++i) group[order[at++]] = static_cast<uint16_t>(g);
  return group;
}

}  // namespace flemu::analytics

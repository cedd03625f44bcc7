#include "workloads/data/item_workload.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_set>

#include "workloads/rng.hpp"

namespace flemu {

namespace {

/// Cumulative Zipf weights over ranks 1..n (normalised to end at 1).
std::vector<double> zipf_cdf(uint64_t n, double s) {
  std::vector<double> cdf(n);
  double sum = 0;
  for (uint64_t r = 0; r < n; ++r) cdf[r] = sum += std::pow(static_cast<double>(r + 1), -s);
  for (auto& c : cdf) c /= sum;
  return cdf;
}

uint64_t draw_rank(const std::vector<double>& cdf, Rng& rng) {
  const double u = rng.uniform();
  const auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
  return std::min<uint64_t>(static_cast<uint64_t>(it - cdf.begin()), cdf.size() - 1);
}

}  // namespace

std::vector<std::vector<uint64_t>> zipf_party_items(const ZipfItemsSpec& spec, const std::vector<uint64_t>& party_users,
                                                    uint64_t seed) {
  if (spec.bits < 1 || spec.bits > 64) throw std::invalid_argument("zipf items: bits must be in 1..64");
  if (spec.distinct < 1) throw std::invalid_argument("zipf items: at least one distinct item");
  if (spec.skew < 0 || spec.skew > 1) throw std::invalid_argument("zipf items: skew must be in [0, 1]");
  if (spec.skew > 0 && spec.private_items < 1) throw std::invalid_argument("zipf items: skew needs private items");
  const uint64_t parties = party_users.size();
  const uint64_t codes_needed = spec.distinct + (spec.skew > 0 ? parties * spec.private_items : 0);
  const double space = std::ldexp(1.0, spec.bits);
  if (static_cast<double>(codes_needed) > space / 2)
    throw std::invalid_argument("zipf items: " + std::to_string(codes_needed) + " distinct codes do not fit in " +
                                std::to_string(spec.bits) + " bits (at most half the code space)");
  // Distinct random codes: the global items first, then each party's private block.
  Rng code_rng(derive_seed(seed, {171}));
  const uint64_t mask = spec.bits == 64 ? ~uint64_t{0} : (uint64_t{1} << spec.bits) - 1;
  std::unordered_set<uint64_t> used;
  std::vector<uint64_t> codes;
  codes.reserve(codes_needed);
  while (codes.size() < codes_needed) {
    const uint64_t c = code_rng.next_u64() & mask;
    if (used.insert(c).second) codes.push_back(c);
  }
  const auto global_cdf = zipf_cdf(spec.distinct, spec.exponent);
  const auto private_cdf = spec.skew > 0 ? zipf_cdf(spec.private_items, spec.exponent) : std::vector<double>{};
  std::vector<std::vector<uint64_t>> items(parties);
  for (uint64_t j = 0; j < parties; ++j) {
    Rng rng(derive_seed(seed, {172, j}));
    items[j].resize(party_users[j]);
    for (auto& item : items[j]) {
      if (spec.skew > 0 && rng.uniform() < spec.skew)
        item = codes[spec.distinct + j * spec.private_items + draw_rank(private_cdf, rng)];
      else
        item = codes[draw_rank(global_cdf, rng)];
    }
  }
  return items;
}

uint64_t encode_string(const std::string& s, int bits) {
  if (bits % 8 != 0 || bits < 8 || bits > 64) throw std::invalid_argument("encode_string: bits must be 8, 16, ..., 64");
  uint64_t item = 0;
  for (size_t i = 0; i < s.size() && i < static_cast<size_t>(bits / 8); ++i)
    item |= static_cast<uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
  return item;
}

std::string decode_string(uint64_t item, int bits) {
  std::string s;
  for (int i = 0; i < bits / 8; ++i) s.push_back(static_cast<char>((item >> (8 * i)) & 0xff));
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

}  // namespace flemu

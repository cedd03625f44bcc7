#include "algorithms/analytics/heavy_hitter_params.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace flemu::analytics {

const char* to_string(HhMethod m) {
  switch (m) {
    case HhMethod::Pem: return "pem";
    case HhMethod::PemLocal: return "pem-local";
    case HhMethod::Tap: return "tap";
    case HhMethod::Taps: return "taps";
  }
  return "?";
}

HhMethod hh_method_from_name(const std::string& name) {
  if (name == "pem") return HhMethod::Pem;
  if (name == "pem-local") return HhMethod::PemLocal;
  if (name == "tap") return HhMethod::Tap;
  if (name == "taps") return HhMethod::Taps;
  throw std::invalid_argument("no heavy-hitter method \"" + name + "\" (pem, pem-local, tap, taps)");
}

int HhParams::keep_count(double factor) const {
  return std::max(k, static_cast<int>(std::lround(factor * k)));
}

std::vector<int> pem_level_bits(const HhParams& p) {
  const int s0 = std::min(p.item_bits, static_cast<int>(std::floor(std::log2(static_cast<double>(p.k)))) + 1);
  std::vector<int> bits{s0};
  while (bits.back() < p.item_bits) bits.push_back(std::min(p.item_bits, bits.back() + p.step_bits));
  return bits;
}

std::vector<int> tap_level_bits(const HhParams& p) {
  std::vector<int> bits;
  for (int b = p.step_bits; b < p.item_bits; b += p.step_bits) bits.push_back(b);
  bits.push_back(p.item_bits);
  return bits;
}

int tap_phase1_levels(const HhParams& p) { return p.shared_bits / p.step_bits; }

std::vector<int> level_bits(const HhParams& p) {
  return p.method == HhMethod::Tap || p.method == HhMethod::Taps ? tap_level_bits(p) : pem_level_bits(p);
}

std::vector<double> level_shares(const HhParams& p) {
  const auto bits = level_bits(p);
  const size_t levels = bits.size();
  std::vector<double> shares(levels, 1.0 / static_cast<double>(levels));
  const bool tap = p.method == HhMethod::Tap || p.method == HhMethod::Taps;
  if (tap && p.phase1_share >= 0) {
    const size_t shared = static_cast<size_t>(tap_phase1_levels(p));
    for (size_t l = 0; l < levels; ++l)
      shares[l] = l < shared ? p.phase1_share / static_cast<double>(shared)
                             : (1 - p.phase1_share) / static_cast<double>(levels - shared);
  }
  return shares;
}

void check_params(const HhParams& p) {
  auto fail = [](const std::string& why) { throw std::invalid_argument(why); };
  if (p.item_bits < 1 || p.item_bits > 64) fail("item bits must be in 1..64");
  if (p.step_bits < 1 || p.step_bits > 16) fail("step_bits must be in 1..16");
  if (p.step_bits > p.item_bits) fail("step_bits must not exceed the item bits");
  if (p.k < 1) fail("k must be >= 1");
  if (!(p.epsilon > 0)) fail("epsilon must be > 0");
  const bool tap = p.method == HhMethod::Tap || p.method == HhMethod::Taps;
  if (tap) {
    if (p.shared_bits < p.step_bits || p.shared_bits % p.step_bits != 0)
      fail("shared_bits must be a positive multiple of step_bits");
    if (p.shared_bits >= p.item_bits) fail("shared_bits must be smaller than the item bits (phase II needs a level)");
    if (p.phase1_share >= 1) fail("phase1_share must be < 1");
  }
  const auto bits = level_bits(p);
  if (bits.front() > 20) fail("the first level would enumerate more than 2^20 prefixes");
  if (bits.size() > 4096) fail("more than 4096 levels");
}

}  // namespace flemu::analytics

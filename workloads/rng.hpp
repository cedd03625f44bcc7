// Seeded, portable random numbers.
//
// Why our own: std::*_distribution results differ between standard libraries, and the
// scenario contract is "same seed, same trace" on any machine. Every stream is derived from
// the scenario seed with derive_seed(seed, tag...), so adding a stream never shifts another.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace flemu {

inline uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// A new independent seed from a base seed and a list of tags (stream id, client, round...).
inline uint64_t derive_seed(uint64_t seed, std::initializer_list<uint64_t> tags) {
  uint64_t x = seed;
  uint64_t h = splitmix64(x);
  for (uint64_t t : tags) {
    x = h ^ (t + 0x632BE59BD9B4E019ULL);
    h = splitmix64(x);
  }
  return h;
}

/// Stream tags, so that derived seeds are documented in one place.
enum class SeedStream : uint64_t {
  Partition = 1, DeviceJitter = 2, ClientSampling = 3, Training = 4, ModelInit = 5,
  EvalSubset = 6, Availability = 7, Policy = 8, Topology = 9, Gossip = 10, Holdout = 11,
  SharedSeeds = 12,  // Ferret's and FedKSeed's seed lists (algorithms/llm)
  Compression = 31,  // codecs' random streams (emulator/core/update_compression.cpp)
};
inline uint64_t derive_seed(uint64_t seed, SeedStream s, std::initializer_list<uint64_t> tags = {}) {
  uint64_t h = derive_seed(seed, {static_cast<uint64_t>(s)});
  return tags.size() ? derive_seed(h, tags) : h;
}

/// xoshiro256** (Blackman & Vigna), seeded through splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& s : s_) s = splitmix64(seed);
  }
  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0]; s_[3] ^= s_[1]; s_[1] ^= s_[2]; s_[0] ^= s_[3];
    s_[2] ^= t; s_[3] = rotl(s_[3], 45);
    return result;
  }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [0, n), unbiased (Lemire's rejection).
  uint64_t below(uint64_t n) {
    if (n == 0) return 0;
    uint64_t threshold = (0 - n) % n;
    for (;;) {
      uint64_t r = next_u64();
      if (r >= threshold) return r % n;
    }
  }
  /// Standard normal by Box-Muller (no cached second value: simpler to reason about).
  double normal() {
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  double exponential(double mean) {
    double u = uniform();
    while (u <= 0.0) u = uniform();
    return -mean * std::log(u);
  }
  /// Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 uses the boost trick.
  double gamma(double shape) {
    double log_x;
    return gamma(shape, log_x);
  }
  /// A Gamma(shape) draw, and its logarithm computed from the same draws: for a tiny shape
  /// the draw itself underflows to 0 (shape 1e-300 gives u^(1e300)) while its log is finite.
  double gamma(double shape, double& log_x) {
    if (shape < 1.0) {
      double u = uniform();
      while (u <= 0.0) u = uniform();
      double log_g;
      const double g = gamma(shape + 1.0, log_g);
      log_x = log_g + std::log(u) / shape;
      return g * std::pow(u, 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x, v;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      double u = uniform();
      if (u < 1.0 - 0.0331 * x * x * x * x || std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) {
        log_x = std::log(d) + std::log(v);
        return d * v;
      }
    }
  }
  std::vector<double> dirichlet(int k, double alpha) {
    std::vector<double> p(k), log_p(k);
    double sum = 0;
    for (int i = 0; i < k; ++i) sum += (p[i] = gamma(alpha, log_p[i]));
    if (sum > 0 && std::isfinite(sum)) {
      for (auto& x : p) x /= sum;
      return p;
    }
    // Every draw under- or overflowed (alpha near 0: the mass sits on one class; or huge):
    // normalise in log space, which the draws above also computed.
    const double top = *std::max_element(log_p.begin(), log_p.end());
    double total = 0;
    for (int i = 0; i < k; ++i) total += (p[i] = std::exp(log_p[i] - top));
    for (auto& x : p) x /= total;
    return p;
  }
  /// Fisher-Yates shuffle (std::shuffle's order is implementation-defined).
  template <class T> void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace flemu

// Random directions from shared seeds: the vectors that seed-based methods (Ferret, FedKSeed)
// never send, because both ends regenerate them from a seed.
//
// A direction is a pure function of (seed, stream, law, n): generated sequentially by our own
// xoshiro256** (workloads/rng.hpp) from derive_seed(seed, {stream}), in double, rounded once
// to float. Nothing depends on threads, BLAS or LibTorch, so a client and the server (or two
// runs, or two machines) regenerate the same bits.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace flemu {

enum class DirectionLaw {
  Gaussian,        ///< i.i.d. N(0, scale^2)
  Rademacher,      ///< i.i.d. +-scale with probability 1/2 each (64 signs per random word)
  TruncatedNormal  ///< i.i.d. N(0, 1) truncated to [-scale, +scale] (Ferret's code, scale = d^-1/2)
};

DirectionLaw direction_law_from_name(const std::string& name);  ///< "gaussian" | "rademacher" | "truncated-normal"
std::string to_string(DirectionLaw law);

/// Writes the direction (seed, stream) into out[0..n).
void fill_direction(uint64_t seed, uint64_t stream, DirectionLaw law, double scale, float* out, int64_t n);
std::vector<float> make_direction(uint64_t seed, uint64_t stream, DirectionLaw law, double scale, int64_t n);

/// E[v_i^2] of one coordinate of the law (scale^2, scale^2, or the truncated normal's
/// variance): a seed-projection estimator sum_k (d/n)<x, v_k> v_k / (d * variance) is unbiased.
double direction_variance(DirectionLaw law, double scale);

}  // namespace flemu

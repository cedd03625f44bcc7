// Portable binomial and uniform-multinomial sampling on flemu's Rng.
//
// Why our own: std::binomial_distribution's draws differ between standard libraries, and the
// fast path of the frequency oracles (frequency_oracle.hpp, sample_support_counts) must give
// the same counts on every machine for a seed. Exact inversion started at the mode: one
// uniform per draw and O(sqrt(n p (1-p))) steps, so n = 10^6 costs a few hundred steps.
#pragma once
#include <cstdint>
#include <vector>

#include "workloads/rng.hpp"

namespace flemu::analytics {

/// A draw of Binomial(n, p), p in [0, 1].
uint64_t sample_binomial(uint64_t n, double p, Rng& rng);

/// `n` balls thrown uniformly into `bins` bins (exact, by successive binomials).
std::vector<uint64_t> sample_uniform_multinomial(uint64_t n, uint64_t bins, Rng& rng);

}  // namespace flemu::analytics

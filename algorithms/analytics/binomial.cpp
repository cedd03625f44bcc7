#include "algorithms/analytics/binomial.hpp"

#include <cmath>

namespace flemu::analytics {

uint64_t sample_binomial(uint64_t n, double p, Rng& rng) {
  if (n == 0 || p <= 0) return 0;
  if (p >= 1) return n;
  // Inversion of the CDF, searching outwards from the mode m: the probability mass is
  // accumulated alternately above and below m until it exceeds the uniform u. The pmf at m
  // comes from lgamma; its neighbours from the ratio pmf(k+1)/pmf(k) = (n-k)/(k+1) * p/(1-p).
  const double nd = static_cast<double>(n);
  const double m_real = std::floor((nd + 1) * p);
  const uint64_t m = static_cast<uint64_t>(std::min(m_real, nd));
  const double md = static_cast<double>(m);
  const double log_pm = std::lgamma(nd + 1) - std::lgamma(md + 1) - std::lgamma(nd - md + 1) + md * std::log(p) +
                        (nd - md) * std::log1p(-p);
  const double pm = std::exp(log_pm);
  const double odds = p / (1 - p);
  double u = rng.uniform();
  if (u < pm) return m;
  u -= pm;
  uint64_t lo = m, hi = m;
  double p_lo = pm, p_hi = pm;
  while (lo > 0 || hi < n) {
    if (hi < n) {
      p_hi *= static_cast<double>(n - hi) / static_cast<double>(hi + 1) * odds;
      ++hi;
      if (u < p_hi) return hi;
      u -= p_hi;
    }
    if (lo > 0) {
      p_lo *= static_cast<double>(lo) / static_cast<double>(n - lo + 1) / odds;
      --lo;
      if (u < p_lo) return lo;
      u -= p_lo;
    }
    // Far tails underflow to 0; the mass left over is rounding: the mode is as good as any.
    if (p_hi == 0 && p_lo == 0) return m;
  }
  return m;
}

std::vector<uint64_t> sample_uniform_multinomial(uint64_t n, uint64_t bins, Rng& rng) {
  std::vector<uint64_t> out(bins, 0);
  uint64_t left = n;
  for (uint64_t b = 0; b + 1 < bins && left > 0; ++b) {
    out[b] = sample_binomial(left, 1.0 / static_cast<double>(bins - b), rng);
    left -= out[b];
  }
  if (bins > 0) out[bins - 1] += left;
  return out;
}

}  // namespace flemu::analytics

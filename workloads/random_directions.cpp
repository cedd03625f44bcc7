#include "workloads/random_directions.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "workloads/rng.hpp"

namespace flemu {

DirectionLaw direction_law_from_name(const std::string& name) {
  if (name == "gaussian") return DirectionLaw::Gaussian;
  if (name == "rademacher") return DirectionLaw::Rademacher;
  if (name == "truncated-normal") return DirectionLaw::TruncatedNormal;
  throw std::invalid_argument("unknown direction law \"" + name + "\" (gaussian, rademacher, truncated-normal)");
}

std::string to_string(DirectionLaw law) {
  switch (law) {
    case DirectionLaw::Gaussian: return "gaussian";
    case DirectionLaw::Rademacher: return "rademacher";
    case DirectionLaw::TruncatedNormal: return "truncated-normal";
  }
  return "?";
}

void fill_direction(uint64_t seed, uint64_t stream, DirectionLaw law, double scale, float* out, int64_t n) {
  Rng rng(derive_seed(seed, {stream}));
  switch (law) {
    case DirectionLaw::Rademacher: {
      const float pos = static_cast<float>(scale), neg = -pos;
      for (int64_t i = 0; i < n; i += 64) {
        const uint64_t bits = rng.next_u64();
        const int64_t m = std::min<int64_t>(64, n - i);
        for (int64_t b = 0; b < m; ++b) out[i + b] = (bits >> b) & 1 ? pos : neg;
      }
      break;
    }
    case DirectionLaw::Gaussian: {
      // Box-Muller, both values of each pair.
      for (int64_t i = 0; i < n; i += 2) {
        double u1 = rng.uniform();
        while (u1 <= 0.0) u1 = rng.uniform();
        const double u2 = rng.uniform();
        const double r = std::sqrt(-2.0 * std::log(u1)) * scale;
        out[i] = static_cast<float>(r * std::cos(2.0 * M_PI * u2));
        if (i + 1 < n) out[i + 1] = static_cast<float>(r * std::sin(2.0 * M_PI * u2));
      }
      break;
    }
    case DirectionLaw::TruncatedNormal: {
      // N(0,1) restricted to [-a, a] is, for the small a of Ferret (d^-1/2), almost uniform:
      // draw uniformly on [-a, a] and accept with probability exp(-x^2/2) (>= 0.6 for a <= 1),
      // which is exact rejection sampling from the truncated density.
      if (!(scale > 0) || scale > 1) throw std::invalid_argument("truncated-normal direction: scale in (0, 1]");
      for (int64_t i = 0; i < n; ++i) {
        for (;;) {
          const double x = scale * (2.0 * rng.uniform() - 1.0);
          if (rng.uniform() < std::exp(-0.5 * x * x)) {
            out[i] = static_cast<float>(x);
            break;
          }
        }
      }
      break;
    }
  }
}

std::vector<float> make_direction(uint64_t seed, uint64_t stream, DirectionLaw law, double scale, int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  fill_direction(seed, stream, law, scale, v.data(), n);
  return v;
}

double direction_variance(DirectionLaw law, double scale) {
  if (law != DirectionLaw::TruncatedNormal) return scale * scale;
  // Var of N(0,1) on [-a, a]: 1 - 2 a phi(a) / (2 Phi(a) - 1).
  const double a = scale;
  const double phi = std::exp(-0.5 * a * a) / std::sqrt(2.0 * M_PI);
  const double mass = std::erf(a / std::sqrt(2.0));
  return 1.0 - 2.0 * a * phi / mass;
}

}  // namespace flemu

#include "algorithms/zeroth_order/fedzo.hpp"

#include <cmath>

#include "workloads/rng.hpp"

namespace flemu::zo {

namespace {
double rgf_flops(const FedZoParams& p, size_t d) {
  return 4.0 * static_cast<double>(d) * p.directions * (p.orthogonalize ? p.directions / 2.0 + 2 : 2);
}
}  // namespace

Work fedzo_local_work(const FedZoParams& p, size_t d) {
  return {1 + static_cast<int64_t>(p.local_iters) * (p.directions + 1), p.local_iters * rgf_flops(p, d)};
}

Vec rgf_estimate(const FedZoParams& p, QueryCounter& f, const Vec& x, double fx, uint64_t seed, double* flops) {
  const size_t d = x.size();
  Rng rng(seed);
  std::vector<Vec> dirs;
  Vec g(d, 0.0);
  for (int k = 0; k < p.directions; ++k) {
    Vec u(d);
    for (auto& v : u) v = rng.normal();
    if (p.orthogonalize)
      for (const auto& o : dirs) {
        double dot = 0;
        for (size_t j = 0; j < d; ++j) dot += u[j] * o[j];
        for (size_t j = 0; j < d; ++j) u[j] -= dot * o[j];
      }
    double norm = 0;
    for (double v : u) norm += v * v;
    norm = std::sqrt(norm) + 1e-20;
    for (auto& v : u) v /= norm;
    Vec probe = x;
    for (size_t j = 0; j < d; ++j) probe[j] += p.smoothing * u[j];
    const double slope = (f(probe) - fx) / p.smoothing;
    for (size_t j = 0; j < d; ++j) g[j] += slope * u[j] / p.directions;
    dirs.push_back(std::move(u));
  }
  if (flops) *flops += rgf_flops(p, d);
  return g;
}

LocalResult fedzo_local(const FedZoParams& p, const QueryFn& fn, const Vec& x0, uint64_t seed) {
  QueryCounter f(fn);
  LocalResult r;
  r.x = x0;
  double fx = r.start_value = f(r.x);
  Adam adam(x0.size(), p.lr);
  for (int t = 0; t < p.local_iters; ++t) {
    const Vec g = rgf_estimate(p, f, r.x, fx, derive_seed(seed, {static_cast<uint64_t>(t)}), &r.compute_flops);
    adam.step(r.x, g);
    fx = f(r.x);
  }
  r.queries = f.queries();
  return r;
}

}  // namespace flemu::zo

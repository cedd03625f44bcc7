#include "algorithms/zeroth_order/fzoos.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "workloads/rng.hpp"

namespace flemu::zo {

namespace {

/// The (at most) k queries nearest x (ties: the earlier query), as a point set and values.
std::pair<PointSet, std::vector<double>> nearest(const FzoosClient& c, const Vec& x, size_t k) {
  const size_t n = c.queried.size(), d = x.size();
  std::vector<double> dist(n);
  for (size_t i = 0; i < n; ++i) {
    const double* q = c.queried.row(i);
    double s = 0;
    for (size_t j = 0; j < d; ++j) s += (q[j] - x[j]) * (q[j] - x[j]);
    dist[i] = s;
  }
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), size_t{0});
  const size_t take = std::min(k, n);
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(take), idx.end(),
                    [&](size_t a, size_t b) { return dist[a] != dist[b] ? dist[a] < dist[b] : a < b; });
  PointSet ps;
  ps.d = static_cast<int>(d);
  std::vector<double> y;
  for (size_t i = 0; i < take; ++i) {
    ps.add(c.queried.row(idx[i]));
    y.push_back(c.values[idx[i]]);
  }
  return {ps, y};
}

void record(FzoosClient& c, QueryCounter& f, const Vec& x) {
  c.values.push_back(f(x));
  c.queried.add(x.data());
}

/// `count` points uniform in x +- radius (per coordinate).
PointSet box(const Vec& x, double radius, int count, Rng& rng) {
  PointSet ps;
  ps.d = static_cast<int>(x.size());
  Vec p(x.size());
  for (int i = 0; i < count; ++i) {
    for (size_t j = 0; j < x.size(); ++j) p[j] = x[j] + radius * rng.uniform(-1, 1);
    ps.add(p.data());
  }
  return ps;
}

/// Queries the `keep` candidates of largest gradient variance under a GP on `known`.
void query_most_uncertain(FzoosClient& c, QueryCounter& f, const PointSet& known, double lengthscale, double noise,
                          const PointSet& candidates, int keep, double* flops) {
  const auto var = gp_gradient_variance(known, lengthscale, noise, candidates);
  *flops += gp_variance_flops(static_cast<double>(known.size()), known.d, static_cast<double>(candidates.size()));
  std::vector<size_t> idx(var.size());
  std::iota(idx.begin(), idx.end(), size_t{0});
  const size_t take = std::min<size_t>(static_cast<size_t>(keep), idx.size());
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(take), idx.end(),
                    [&](size_t a, size_t b) { return var[a] != var[b] ? var[a] > var[b] : a < b; });
  const size_t d = static_cast<size_t>(candidates.d);
  for (size_t i = 0; i < take; ++i) {
    const double* q = candidates.row(idx[i]);
    record(c, f, Vec(q, q + d));
  }
}

}  // namespace

LocalResult fzoos_local(const FzoosParams& p, FzoosClient& c, const QueryFn& fn, const Vec& x0, const Vec* global_weights,
                        const RffFeatures& features, uint64_t seed) {
  init_surrogate_threads();
  QueryCounter f(fn);
  Rng rng(seed);
  LocalResult r;
  const size_t d = x0.size();
  if (c.queried.d == 0) c.queried.d = static_cast<int>(d);
  if (!c.started) {
    const PointSet init = box(x0, p.initial_radius, p.initial_queries, rng);
    for (size_t i = 0; i < init.size(); ++i) record(c, f, Vec(init.row(i), init.row(i) + d));
    c.started = true;
  }
  r.x = x0;
  record(c, f, r.x);
  r.start_value = c.values.back();
  const bool correct = p.correction && global_weights && !c.local_weights.empty();
  Adam adam(d, p.lr);
  for (int t = 0; t < p.local_iters; ++t) {
    auto [known, y] = nearest(c, r.x, static_cast<size_t>(p.gp_neighbours));
    const GpModel gp = fit_gp(known, y, p.gp_noise);
    r.compute_flops += gp_fit_flops(static_cast<double>(known.size()), static_cast<double>(d));
    Vec g = gp_mean_gradient(gp, r.x);
    if (correct) {
      const double gamma = 1.0 / (t + 1);
      const Vec global = rff_gradient(features, *global_weights, r.x);
      const Vec local = rff_gradient(features, c.local_weights, r.x);
      for (size_t j = 0; j < d; ++j) g[j] += gamma * (global[j] - local[j]);
      r.compute_flops += 2 * rff_gradient_flops(static_cast<double>(d), features.m);
    }
    adam.step(r.x, g);
    record(c, f, r.x);
    if (t + 1 < p.local_iters) {
      known.add(r.x.data());  // the neighbours plus the new point (trap 3: appended, not added)
      query_most_uncertain(c, f, known, gp.lengthscale, p.gp_noise, box(r.x, p.local_radius, p.local_candidates, rng),
                           p.local_keep, &r.compute_flops);
    }
  }
  r.queries = f.queries();
  return r;
}

SurrogateResult fzoos_surrogate(const FzoosParams& p, FzoosClient& c, const QueryFn& fn, const Vec& x_new,
                                const Vec& local_end, const RffFeatures& features, uint64_t seed) {
  init_surrogate_threads();
  QueryCounter f(fn);
  Rng rng(seed);
  SurrogateResult s;
  const size_t d = x_new.size();
  record(c, f, x_new);
  double radius = 0;
  for (size_t j = 0; j < d; ++j) radius += std::abs(x_new[j] - local_end[j]);
  radius = std::max(radius / static_cast<double>(d) / 2, 1e-6);  // code: mean |x_new - x_i| / 2
  auto [known, y] = nearest(c, x_new, static_cast<size_t>(p.gp_neighbours));
  const GpModel gp = fit_gp(known, y, p.gp_noise);
  s.compute_flops += gp_fit_flops(static_cast<double>(known.size()), static_cast<double>(d));
  query_most_uncertain(c, f, known, gp.lengthscale, p.gp_noise, box(x_new, radius, p.round_candidates, rng),
                       p.round_keep, &s.compute_flops);
  auto [rff_points, rff_y] = nearest(c, x_new, static_cast<size_t>(p.rff_neighbours));
  s.weights = fit_rff_weights(features, rff_points, rff_y, p.rff_ridge);
  s.compute_flops += rff_fit_flops(static_cast<double>(rff_points.size()), static_cast<double>(d), features.m);
  c.local_weights = s.weights;
  s.queries = f.queries();
  return s;
}

Work fzoos_local_work(const FzoosParams& p, const FzoosClient& c, size_t d, bool has_global) {
  Work w;
  const double dd = static_cast<double>(d);
  int64_t h = static_cast<int64_t>(c.values.size());
  auto ask = [&](int64_t n) { w.queries += n, h += n; };
  if (!c.started) ask(p.initial_queries);
  ask(1);
  const bool correct = p.correction && has_global && !c.local_weights.empty();
  for (int t = 0; t < p.local_iters; ++t) {
    const double n = static_cast<double>(std::min<int64_t>(p.gp_neighbours, h));
    w.flops += gp_fit_flops(n, dd);
    if (correct) w.flops += 2 * rff_gradient_flops(dd, p.rff_features);
    ask(1);
    if (t + 1 < p.local_iters) {
      w.flops += gp_variance_flops(n + 1, dd, p.local_candidates);
      ask(std::min(p.local_keep, p.local_candidates));
    }
  }
  return w;
}

Work fzoos_surrogate_work(const FzoosParams& p, const FzoosClient& c, size_t d) {
  Work w;
  const double dd = static_cast<double>(d);
  int64_t h = static_cast<int64_t>(c.values.size()) + 1;
  w.queries = 1;
  const double n = static_cast<double>(std::min<int64_t>(p.gp_neighbours, h));
  w.flops += gp_fit_flops(n, dd) + gp_variance_flops(n, dd, p.round_candidates);
  const int64_t keep = std::min(p.round_keep, p.round_candidates);
  w.queries += keep, h += keep;
  w.flops += rff_fit_flops(static_cast<double>(std::min<int64_t>(p.rff_neighbours, h)), dd, p.rff_features);
  return w;
}

Vec fzoos_global_weights(const std::vector<Vec>& uploads) {
  if (uploads.empty()) throw std::invalid_argument("fzoos_global_weights: no upload");
  Vec w(uploads[0].size(), 0.0);
  for (const auto& u : uploads)
    for (size_t k = 0; k < w.size(); ++k) w[k] += u[k] / static_cast<double>(uploads.size());
  return w;
}

}  // namespace flemu::zo

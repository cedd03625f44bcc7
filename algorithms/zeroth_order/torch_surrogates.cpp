// LibTorch implementation of surrogates.hpp (the only torch code of the zeroth-order methods).
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <mutex>

#include "algorithms/zeroth_order/surrogates.hpp"
#include "workloads/rng.hpp"

namespace flemu::zo {

namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kFloat64);

torch::Tensor rows(const PointSet& p) {
  return torch::from_blob(const_cast<double*>(p.x.data()), {static_cast<int64_t>(p.size()), p.d}, kF64);
}
torch::Tensor vec(const std::vector<double>& v) {
  return torch::from_blob(const_cast<double*>(v.data()), {static_cast<int64_t>(v.size())}, kF64);
}
std::vector<double> to_vector(const torch::Tensor& t) {
  auto c = t.contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

/// Pairwise distances between the rows of a and b.
torch::Tensor distances(const torch::Tensor& a, const torch::Tensor& b) {
  auto aa = (a * a).sum(1, true), bb = (b * b).sum(1, true);
  return (aa + bb.t() - 2 * a.matmul(b.t())).clamp_min(0).sqrt();
}

torch::Tensor matern(const torch::Tensor& r, double l) {
  auto s = r * (std::sqrt(5.0) / l);
  return (1 + s + s * s / 3) * torch::exp(-s);
}

/// c(r) of d k / d x = c(r) (x - x').
torch::Tensor matern_slope(const torch::Tensor& r, double l) {
  auto s = r * (std::sqrt(5.0) / l);
  return -(5.0 / (3 * l * l)) * (1 + s) * torch::exp(-s);
}

/// Log marginal likelihood of y under the GP, and alpha; -inf if K is not positive definite.
double log_marginal(const torch::Tensor& r, const torch::Tensor& y, double l, double noise, torch::Tensor* alpha) {
  const int64_t n = r.size(0);
  auto K = matern(r, l) + noise * torch::eye(n, kF64);
  auto [L, info] = torch::linalg_cholesky_ex(K);
  if (info.item<int64_t>() != 0) return -std::numeric_limits<double>::infinity();
  auto a = torch::cholesky_solve(y.unsqueeze(1), L).squeeze(1);
  if (alpha) *alpha = a;
  return (-0.5 * y.dot(a) - L.diagonal().log().sum()).item<double>() - 0.5 * n * std::log(2 * M_PI);
}

}  // namespace

void init_surrogate_threads() {
  static std::once_flag once;
  std::call_once(once, [] { torch::set_num_threads(1); });
}

GpModel fit_gp(const PointSet& inputs, const std::vector<double>& y, double noise) {
  GpModel gp;
  gp.inputs = inputs;
  gp.noise = noise;
  const size_t n = inputs.size();
  double lo = y[0], hi = y[0];
  for (double v : y) lo = std::min(lo, v), hi = std::max(hi, v);
  gp.y_min = lo;
  gp.y_range = hi - lo;
  if (n < 2 || !(gp.y_range > 0)) {  // flat: no slope to learn
    gp.alpha.assign(n, 0.0);
    return gp;
  }
  std::vector<double> ys(n);
  for (size_t i = 0; i < n; ++i) ys[i] = (y[i] - lo) / gp.y_range;
  auto X = rows(inputs);
  X = X - X[0];  // distances relative to one of the points: no cancellation
  const auto r = distances(X, X);
  const auto yt = vec(ys);
  // Log grid, then golden section in log space around the best point.
  double best = -std::numeric_limits<double>::infinity(), best_log = 0;
  for (double lg = -3; lg <= 3.0001; lg += 0.5) {
    const double v = log_marginal(r, yt, std::pow(10.0, lg), noise, nullptr);
    if (v > best) best = v, best_log = lg;
  }
  double a = best_log - 0.5, b = best_log + 0.5;
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double c = b - phi * (b - a), d = a + phi * (b - a);
  double fc = log_marginal(r, yt, std::pow(10.0, c), noise, nullptr);
  double fd = log_marginal(r, yt, std::pow(10.0, d), noise, nullptr);
  for (int it = 0; it < 10; ++it) {
    if (fc > fd) {
      b = d, d = c, fd = fc, c = b - phi * (b - a), fc = log_marginal(r, yt, std::pow(10.0, c), noise, nullptr);
    } else {
      a = c, c = d, fc = fd, d = a + phi * (b - a), fd = log_marginal(r, yt, std::pow(10.0, d), noise, nullptr);
    }
  }
  double chosen = best_log;
  if (std::max(fc, fd) > best) chosen = fc > fd ? c : d;
  gp.lengthscale = std::pow(10.0, chosen);
  torch::Tensor alpha;
  if (log_marginal(r, yt, gp.lengthscale, noise, &alpha) == -std::numeric_limits<double>::infinity()) {
    gp.alpha.assign(n, 0.0);  // numerically singular even with the noise: no gradient rather than garbage
    return gp;
  }
  gp.alpha = to_vector(alpha);
  return gp;
}

double gp_mean(const GpModel& gp, const std::vector<double>& x) {
  const auto d = static_cast<int64_t>(x.size());
  if (gp.inputs.size() == 0) return 0;
  if (!(gp.y_range > 0)) return gp.y_min;
  auto r = (vec(x).view({1, d}) - rows(gp.inputs)).pow(2).sum(1).sqrt();
  return gp.y_min + gp.y_range * vec(gp.alpha).dot(matern(r, gp.lengthscale)).item<double>();
}

std::vector<double> gp_mean_gradient(const GpModel& gp, const std::vector<double>& x) {
  const auto d = static_cast<int64_t>(x.size());
  if (gp.inputs.size() == 0 || !(gp.y_range > 0)) return std::vector<double>(x.size(), 0.0);
  auto xt = vec(x).view({1, d});
  auto diff = xt - rows(gp.inputs);  // n x d: x - X_a
  auto r = diff.pow(2).sum(1).sqrt();
  auto w = vec(gp.alpha) * matern_slope(r, gp.lengthscale);  // alpha_a c(r_a)
  return to_vector(w.matmul(diff) * gp.y_range);
}

std::vector<double> gp_gradient_variance(const PointSet& inputs, double lengthscale, double noise,
                                         const PointSet& candidates) {
  const int64_t n = static_cast<int64_t>(inputs.size());
  const double l = lengthscale, prior = candidates.d * 5.0 / (3 * l * l);
  auto X = rows(inputs), Z = rows(candidates);
  auto center = X[0].clone();
  X = X - center, Z = Z - center;
  auto K = matern(distances(X, X), l) + noise * torch::eye(n, kF64);
  auto Kinv = torch::cholesky_inverse(torch::linalg_cholesky(K));
  auto ZX = Z.matmul(X.t());                                        // m x n
  auto zz = (Z * Z).sum(1, true), xx = (X * X).sum(1, true);        // m x 1, n x 1
  auto C = matern_slope((zz + xx.t() - 2 * ZX).clamp_min(0).sqrt(), l);  // m x n
  auto CK = C.matmul(Kinv);
  // sum_ab Kinv_ab c_a c_b (z - X_a).(z - X_b) with (z - X_a).(z - X_b) = zz - zX_a - zX_b + X_a.X_b
  auto t1 = (CK * C).sum(1), t2 = (CK * (C * ZX)).sum(1);
  auto t3 = (C.matmul(Kinv * X.matmul(X.t())) * C).sum(1);
  return to_vector(prior - (zz.squeeze(1) * t1 - 2 * t2 + t3));
}

RffFeatures make_rff_features(int d, int m, double lengthscale, uint64_t seed) {
  RffFeatures f;
  f.d = d, f.m = m, f.lengthscale = lengthscale;
  f.omega.resize(static_cast<size_t>(m) * static_cast<size_t>(d));
  f.phase.resize(static_cast<size_t>(m));
  Rng rng(seed);
  for (auto& w : f.omega) w = rng.normal() / lengthscale;
  for (auto& b : f.phase) b = rng.uniform(0, 2 * M_PI);
  return f;
}

std::vector<double> fit_rff_weights(const RffFeatures& f, const PointSet& inputs, const std::vector<double>& y,
                                    double ridge) {
  const int64_t n = static_cast<int64_t>(inputs.size());
  double lo = y[0], hi = y[0];
  for (double v : y) lo = std::min(lo, v), hi = std::max(hi, v);
  const double range = hi - lo;
  if (!(range > 0)) return std::vector<double>(static_cast<size_t>(f.m), 0.0);
  std::vector<double> ys(y.size());
  for (size_t i = 0; i < y.size(); ++i) ys[i] = (y[i] - lo) / range;
  auto omega = torch::from_blob(const_cast<double*>(f.omega.data()), {f.m, f.d}, kF64);
  auto phi = std::sqrt(2.0 / f.m) * torch::cos(rows(inputs).matmul(omega.t()) + vec(f.phase));  // n x m
  auto G = phi.matmul(phi.t()) + ridge * torch::eye(n, kF64);
  auto beta = torch::linalg_solve(G, vec(ys));
  return to_vector(phi.t().matmul(beta) * range);
}

std::vector<double> rff_gradient(const RffFeatures& f, const std::vector<double>& weights, const std::vector<double>& x) {
  auto omega = torch::from_blob(const_cast<double*>(f.omega.data()), {f.m, f.d}, kF64);
  auto s = torch::sin(omega.matmul(vec(x)) + vec(f.phase)) * vec(weights);
  return to_vector(-std::sqrt(2.0 / f.m) * omega.t().matmul(s));
}

double rff_value(const RffFeatures& f, const std::vector<double>& weights, const std::vector<double>& x) {
  auto omega = torch::from_blob(const_cast<double*>(f.omega.data()), {f.m, f.d}, kF64);
  auto phi = std::sqrt(2.0 / f.m) * torch::cos(omega.matmul(vec(x)) + vec(f.phase));
  return phi.dot(vec(weights)).item<double>();
}

double gp_fit_flops(double n, double d) { return 3 * n * n * d + 24 * (n * n * n / 3 + 4 * n * n); }
double gp_variance_flops(double n, double d, double m) { return 3 * n * n * d + n * n * n + 2 * m * n * d + 8 * m * n * n; }
double rff_fit_flops(double n, double d, double m) { return 2 * n * m * d + 20 * n * m + 2 * n * n * m + n * n * n + 2 * n * m; }

}  // namespace flemu::zo

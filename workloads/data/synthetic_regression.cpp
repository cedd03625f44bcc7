#include "workloads/data/synthetic_regression.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "workloads/rng.hpp"

namespace flemu {

namespace {

/// Solves the d x d system m x = r (Gaussian elimination with partial pivoting).
std::vector<double> solve(std::vector<double> m, std::vector<double> r, int d) {
  for (int c = 0; c < d; ++c) {
    int piv = c;
    for (int k = c + 1; k < d; ++k)
      if (std::abs(m[k * d + c]) > std::abs(m[piv * d + c])) piv = k;
    if (m[piv * d + c] == 0) throw std::runtime_error("synthetic regression: singular normal equations");
    for (int k = 0; k < d; ++k) std::swap(m[c * d + k], m[piv * d + k]);
    std::swap(r[c], r[piv]);
    for (int k = c + 1; k < d; ++k) {
      const double f = m[k * d + c] / m[c * d + c];
      for (int l = c; l < d; ++l) m[k * d + l] -= f * m[c * d + l];
      r[k] -= f * r[c];
    }
  }
  std::vector<double> x(d);
  for (int c = d - 1; c >= 0; --c) {
    double s = r[c];
    for (int l = c + 1; l < d; ++l) s -= m[c * d + l] * x[l];
    x[c] = s / m[c * d + c];
  }
  return x;
}

}  // namespace

double RegressionProblem::loss(int w, const std::vector<double>& x) const {
  double s = 0;
  for (int j = 0; j < samples; ++j) {
    double r = -b[w][j];
    for (int k = 0; k < dim; ++k) r += a[w][j * dim + k] * x[k];
    s += r * r;
  }
  return s / samples;
}

std::vector<double> RegressionProblem::gradient(int w, const std::vector<double>& x) const {
  std::vector<double> g(dim, 0.0);
  for (int j = 0; j < samples; ++j) {
    double r = -b[w][j];
    for (int k = 0; k < dim; ++k) r += a[w][j * dim + k] * x[k];
    for (int k = 0; k < dim; ++k) g[k] += r * a[w][j * dim + k];
  }
  for (auto& v : g) v *= 2.0 / samples;
  return g;
}

std::vector<double> RegressionProblem::gram(int w) const {
  std::vector<double> g(size_t(dim) * dim, 0.0);
  for (int j = 0; j < samples; ++j)
    for (int k = 0; k < dim; ++k)
      for (int l = 0; l < dim; ++l) g[k * dim + l] += a[w][j * dim + k] * a[w][j * dim + l];
  return g;
}

double RegressionProblem::mean_loss(const std::vector<double>& x) const {
  double s = 0;
  for (int w = 0; w < workers; ++w) s += loss(w, x);
  return s / workers;
}

RegressionProblem make_regression_problem(int workers, int samples, int dim, uint64_t seed) {
  if (workers < 1 || samples < dim || dim < 1)
    throw std::invalid_argument("synthetic regression: needs workers >= 1 and samples >= dim >= 1");
  RegressionProblem p;
  p.workers = workers, p.samples = samples, p.dim = dim;
  p.a.resize(workers);
  p.b.resize(workers);
  std::vector<double> gram_sum(size_t(dim) * dim, 0.0), rhs(dim, 0.0);
  for (int w = 0; w < workers; ++w) {
    Rng rng(derive_seed(seed, {uint64_t(w)}));
    std::vector<double> truth(dim);
    for (auto& v : truth) v = 100.0 * rng.uniform();
    auto& a = p.a[w];
    auto& b = p.b[w];
    a.resize(size_t(samples) * dim);
    b.resize(samples);
    for (int j = 0; j < samples; ++j) {
      double y = 0;
      for (int k = 0; k < dim; ++k) {
        a[j * dim + k] = rng.normal();
        y += a[j * dim + k] * truth[k];
      }
      b[j] = y + 10.0 * rng.normal();
    }
    const double scale = rng.uniform(0.01, 5.0);
    for (auto& y : b) y *= scale;
    for (int j = 0; j < samples; ++j)
      for (int k = 0; k < dim; ++k) rhs[k] += a[j * dim + k] * b[j];
    const auto gram = p.gram(w);
    for (size_t k = 0; k < gram.size(); ++k) gram_sum[k] += gram[k];
  }
  p.optimum = solve(gram_sum, rhs, dim);
  p.optimal_value = p.mean_loss(p.optimum);
  return p;
}

}  // namespace flemu

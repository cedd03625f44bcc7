#include "algorithms/decentralized/linalg.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace flemu {

namespace {

void check_square(const std::vector<double>& a, int n) {
  if (n < 0 || a.size() != size_t(n) * size_t(n)) throw std::invalid_argument("matrix is not n x n");
}

/// Cyclic Jacobi: rotations zero the off-diagonal entries one by one until they are below
/// 1e-15 of the matrix's norm (quadratic convergence: a handful of sweeps).
std::vector<double> jacobi(std::vector<double> a, int n, std::vector<double>* vectors) {
  std::vector<double> v;
  if (vectors) {
    v.assign(size_t(n) * n, 0.0);
    for (int i = 0; i < n; ++i) v[size_t(i) * n + i] = 1.0;
  }
  double norm = 0;
  for (double x : a) norm += x * x;
  const double tol = 1e-30 * norm;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) off += a[size_t(p) * n + q] * a[size_t(p) * n + q];
    if (off <= tol) break;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) {
        const double apq = a[size_t(p) * n + q];
        if (apq == 0) continue;
        const double app = a[size_t(p) * n + p], aqq = a[size_t(q) * n + q];
        const double theta = (aqq - app) / (2 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; ++k) {
          double& akp = a[size_t(k) * n + p];
          double& akq = a[size_t(k) * n + q];
          const double x = akp, y = akq;
          akp = c * x - s * y;
          akq = s * x + c * y;
        }
        for (int k = 0; k < n; ++k) {
          double& apk = a[size_t(p) * n + k];
          double& aqk = a[size_t(q) * n + k];
          const double x = apk, y = aqk;
          apk = c * x - s * y;
          aqk = s * x + c * y;
        }
        if (vectors)
          for (int k = 0; k < n; ++k) {
            double& vkp = v[size_t(k) * n + p];
            double& vkq = v[size_t(k) * n + q];
            const double x = vkp, y = vkq;
            vkp = c * x - s * y;
            vkq = s * x + c * y;
          }
      }
  }
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return a[size_t(x) * n + x] < a[size_t(y) * n + y]; });
  std::vector<double> values(n);
  for (int k = 0; k < n; ++k) values[k] = a[size_t(order[k]) * n + order[k]];
  if (vectors) {
    vectors->assign(size_t(n) * n, 0.0);
    for (int r = 0; r < n; ++r)
      for (int k = 0; k < n; ++k) (*vectors)[size_t(r) * n + k] = v[size_t(r) * n + order[k]];
  }
  return values;
}

std::vector<double> multiply(const std::vector<double>& x, const std::vector<double>& y, int n) {
  std::vector<double> z(size_t(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k) {
      const double xik = x[size_t(i) * n + k];
      if (xik == 0) continue;
      for (int j = 0; j < n; ++j) z[size_t(i) * n + j] += xik * y[size_t(k) * n + j];
    }
  return z;
}

}  // namespace

std::vector<double> symmetric_eigenvalues(const std::vector<double>& a, int n, std::vector<double>* vectors) {
  check_square(a, n);
  if (n <= kJacobiMaxSize) return jacobi(a, n, vectors);
  return lapack_symmetric_eigenvalues(a, n, vectors);
}

double spectral_norm(const std::vector<double>& a, int n) {
  check_square(a, n);
  if (n == 0) return 0;
  std::vector<double> ata(size_t(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0;
      for (int k = 0; k < n; ++k) s += a[size_t(k) * n + i] * a[size_t(k) * n + j];
      ata[size_t(i) * n + j] = s;
    }
  const auto ev = symmetric_eigenvalues(ata, n);
  return std::sqrt(std::max(0.0, ev.back()));
}

std::vector<double> matrix_exponential(const std::vector<double>& a, int n) {
  check_square(a, n);
  // Scale by 2^-s until the 1-norm is <= 1/2, sum the Taylor series, square s times.
  double norm = 0;
  for (int j = 0; j < n; ++j) {
    double col = 0;
    for (int i = 0; i < n; ++i) col += std::abs(a[size_t(i) * n + j]);
    norm = std::max(norm, col);
  }
  int s = 0;
  while (norm > 0.5) norm /= 2, ++s;
  std::vector<double> x = a;
  const double scale = std::ldexp(1.0, -s);
  for (auto& v : x) v *= scale;
  std::vector<double> result(size_t(n) * n, 0.0), term(size_t(n) * n, 0.0);
  for (int i = 0; i < n; ++i) result[size_t(i) * n + i] = term[size_t(i) * n + i] = 1.0;
  for (int k = 1; k <= 20; ++k) {
    term = multiply(term, x, n);
    for (auto& v : term) v /= k;
    for (size_t i = 0; i < result.size(); ++i) result[i] += term[i];
  }
  for (int k = 0; k < s; ++k) result = multiply(result, result, n);
  return result;
}

}  // namespace flemu

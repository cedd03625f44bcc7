#include "algorithms/decentralized/spectra.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "algorithms/decentralized/linalg.hpp"

namespace flemu {

namespace {

std::vector<double> laplacian(const std::vector<std::vector<int>>& nb) {
  const size_t n = nb.size();
  std::vector<double> l(n * n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    l[i * n + i] = static_cast<double>(nb[i].size());
    for (int j : nb[i]) l[i * n + j] -= 1.0;
  }
  return l;
}

/// L^+ from L's eigendecomposition: sum over the non-zero eigenvalues of v v^T / lambda (the
/// graph is connected: only the first, for the constant vector, is zero).
std::vector<double> pseudo_inverse(const std::vector<double>& values, const std::vector<double>& vectors, int n) {
  std::vector<double> p(size_t(n) * n, 0.0);
  for (int k = 1; k < n; ++k) {
    const double inv = 1.0 / values[k];
    for (int r = 0; r < n; ++r) {
      const double vr = vectors[size_t(r) * n + k] * inv;
      if (vr == 0) continue;
      double* row = &p[size_t(r) * n];
      for (int c = 0; c < n; ++c) row[c] += vr * vectors[size_t(c) * n + k];
    }
  }
  return p;
}

void check_size(size_t n) {
  if (n > static_cast<size_t>(kMaxSpectrumNodes))
    throw std::invalid_argument("spectra are computed for at most " + std::to_string(kMaxSpectrumNodes) + " nodes");
}

}  // namespace

std::vector<double> edge_resistances(const std::vector<std::vector<int>>& nb,
                                     const std::vector<std::pair<int, int>>& edges) {
  check_size(nb.size());
  const int n = static_cast<int>(nb.size());
  std::vector<double> vectors;
  const auto values = symmetric_eigenvalues(laplacian(nb), n, &vectors);
  const auto p = pseudo_inverse(values, vectors, n);
  std::vector<double> r;
  r.reserve(edges.size());
  for (const auto& [i, j] : edges) r.push_back(p[size_t(i) * n + i] + p[size_t(j) * n + j] - 2 * p[size_t(i) * n + j]);
  return r;
}

GraphSpectrum graph_spectrum(const std::vector<std::vector<int>>& nb, const MixingMatrix& w) {
  check_size(nb.size());
  GraphSpectrum s;
  const int n = static_cast<int>(nb.size());
  s.n = n;
  std::vector<std::pair<int, int>> edges;
  for (int i = 0; i < n; ++i)
    for (int j : nb[i])
      if (i < j) edges.emplace_back(i, j);
  s.edges = static_cast<int>(edges.size());

  const auto dense = w.dense();
  s.w_symmetric = asymmetry(w) <= 1e-12;
  if (s.w_symmetric) {
    const auto ev = symmetric_eigenvalues(dense, n);  // ascending: ev[n-1] = 1
    s.w_lambda2 = n >= 2 ? ev[n - 2] : 0.0;
    s.w_lambda_min = ev[0];
    s.w_lambda = n >= 2 ? std::max(std::abs(s.w_lambda2), std::abs(s.w_lambda_min)) : 0.0;
  } else {
    auto centred = dense;
    for (auto& x : centred) x -= 1.0 / n;
    s.w_lambda = spectral_norm(centred, n);
    s.w_lambda2 = s.w_lambda_min = NAN;
  }
  s.gap = 1.0 - s.w_lambda;

  std::vector<double> vectors;
  const auto lv = symmetric_eigenvalues(laplacian(nb), n, &vectors);
  s.l_lambda2 = lv[1];
  s.l_lambda_max = lv[n - 1];
  const auto p = pseudo_inverse(lv, vectors, n);
  for (const auto& [i, j] : edges) {
    const double r = p[size_t(i) * n + i] + p[size_t(j) * n + j] - 2 * p[size_t(i) * n + j];
    s.max_resistance = std::max(s.max_resistance, r);
    s.sum_resistance += r;
  }
  const double m = static_cast<double>(s.edges);
  s.chi1 = m / s.l_lambda2;
  s.chi2 = 0.5 * m * s.max_resistance;
  s.lambda_mix = std::sqrt(2 * s.chi1 * s.chi2);
  s.adom_chi = s.l_lambda_max / s.l_lambda2;
  return s;
}

double one_peer_period_contraction(int n, int tau) {
  check_size(static_cast<size_t>(n));
  // Product W_tau ... W_1 applied to the identity, column by column.
  std::vector<double> prod(size_t(n) * n, 0.0);
  for (int i = 0; i < n; ++i) prod[size_t(i) * n + i] = 1.0;
  for (int t = 1; t <= tau; ++t) {
    const auto w = one_peer_exponential(n, tau, t);
    std::vector<double> next(size_t(n) * n, 0.0);
    for (int i = 0; i < n; ++i) {
      const auto& row = w.rows[i];
      for (int c = 0; c < n; ++c) {
        double x = row.self * prod[size_t(i) * n + c];
        for (size_t k = 0; k < row.peers.size(); ++k) x += row.weights[k] * prod[size_t(row.peers[k]) * n + c];
        next[size_t(i) * n + c] = x;
      }
    }
    prod.swap(next);
  }
  for (auto& x : prod) x -= 1.0 / n;
  return spectral_norm(prod, n);
}

}  // namespace flemu

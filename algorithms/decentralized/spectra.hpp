// How fast gossip mixes on a graph: the spectral quantities that the decentralized papers'
// rates depend on, computed exactly (dense float64 eigendecomposition; card decentralized.md
// sections 5.3 and 5.4, whose test vectors tests/test_topology.cpp checks).
//
// Two matrices, two normalisations, stated once:
//   W, the mixing matrix: gap = 1 - lambda with lambda = max(|lambda_2(W)|, |lambda_n(W)|) for a
//     symmetric W (DFedSAM, D-PSGD); for a non-symmetric W, lambda = ||W - J||_2 (J = 11^T/n).
//   L = D - A, the unweighted ("combinatorial") graph Laplacian, unnormalised. DADAO's
//     edge-probability Laplacian is L/|E| (uniform edge sampling), so with R_e the effective
//     resistance of edge e in L:
//       chi1 = 1 / lambda_2(L/|E|)         = |E| / lambda_2(L)
//       chi2 = 1/2 max_e R_e(L/|E|)         = |E| max_e R_e(L) / 2
//       lambda_mix = sqrt(2 chi1 chi2)      (DADAO's total edge-event rate per unit of time)
//     and ADOM+'s chi = lambda_max(L) / lambda_2(L).
#pragma once
#include <vector>

#include "algorithms/decentralized/mixing.hpp"

namespace flemu {

/// Above this many nodes spectra are not computed (dense O(n^3)): describe and summary.json
/// say so.
constexpr int kMaxSpectrumNodes = 4000;

struct GraphSpectrum {
  int n = 0;
  int edges = 0;
  bool w_symmetric = true;
  double w_lambda2 = 0;     ///< second largest eigenvalue of W (symmetric W)
  double w_lambda_min = 0;  ///< smallest eigenvalue of W (symmetric W)
  double w_lambda = 0;      ///< max(|lambda_2|, |lambda_n|), or ||W - J||_2 when W is not symmetric
  double gap = 0;           ///< 1 - w_lambda
  double l_lambda2 = 0;     ///< algebraic connectivity of L = D - A
  double l_lambda_max = 0;
  double max_resistance = 0;  ///< max over edges of R_e = (e_i - e_j)^T L^+ (e_i - e_j)
  double sum_resistance = 0;  ///< sum over edges (Foster: n - 1 on a connected graph)
  double chi1 = 0, chi2 = 0, lambda_mix = 0, adom_chi = 0;
};

/// Spectra of graph `neighbours` (connected, undirected) and mixing matrix `w` on it.
GraphSpectrum graph_spectrum(const std::vector<std::vector<int>>& neighbours, const MixingMatrix& w);

/// Effective resistance of every edge (i < j, in the order of `edges`) in L = D - A.
std::vector<double> edge_resistances(const std::vector<std::vector<int>>& neighbours,
                                     const std::vector<std::pair<int, int>>& edges);

/// One-peer exponential graph on n nodes with period tau: ||W_tau ... W_1 - J||_2, the
/// contraction of one full period (0 exactly when n is a power of 2).
double one_peer_period_contraction(int n, int tau);

}  // namespace flemu

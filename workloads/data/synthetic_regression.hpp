// The strongly convex problem DADAO is evaluated on (card decentralized.md, DADAO (e)): every
// worker i holds its own least-squares problem f_i(x) = (1/m) sum_j (a_j^T x - b_j)^2, drawn
// independently, so workers are heterogeneous; the network minimises sum_i f_i.
//
// Recipe (the authors draw with sklearn's make_regression, whose stream C++ cannot replay; this
// is its documented law, from the scenario seed): features a_j ~ N(0, I_d); per worker, true
// weights w_i = 100 U(0,1)^d, targets b_j = a_j^T w_i + N(0, 10^2), then all of the worker's
// targets scaled by s_i ~ U(0.01, 5). float64 throughout.
//   x* = argmin sum_i f_i (least squares on the pooled data; equal m per worker)
// Its constants mu and L (from the Gram matrices' spectra) are the algorithm's business:
// algorithms/decentralized/dadao.hpp, smoothness_constants.
#pragma once
#include <cstdint>
#include <vector>

namespace flemu {

struct RegressionProblem {
  int workers = 0, samples = 0, dim = 0;
  /// Per worker: A_i row-major (samples x dim) and b_i (samples).
  std::vector<std::vector<double>> a, b;
  std::vector<double> optimum;  ///< x*
  double optimal_value = 0;     ///< (1/n) sum_i f_i(x*)

  /// f_i(x) and its gradient (2/m) A_i^T (A_i x - b_i).
  double loss(int worker, const std::vector<double>& x) const;
  std::vector<double> gradient(int worker, const std::vector<double>& x) const;
  /// (1/n) sum_i f_i(x).
  double mean_loss(const std::vector<double>& x) const;
  /// A_i^T A_i, row-major dim x dim.
  std::vector<double> gram(int worker) const;
};

/// `workers` problems of `samples` points in dimension `dim`, from `seed` alone.
RegressionProblem make_regression_problem(int workers, int samples, int dim, uint64_t seed);

}  // namespace flemu

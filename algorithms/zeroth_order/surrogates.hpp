// The two surrogates of FZooS (Shu et al., arXiv 2308.04077, Sec. 4): a Gaussian process
// fitted to a client's nearest queries, whose posterior-mean gradient replaces the true
// gradient, and a random-Fourier-feature (RFF) model whose weights parties exchange.
//
// GP (code: sklearn GaussianProcessRegressor, Matern nu = 2.5, alpha = 1e-6, y min-max
// scaled to [0, 1], 20 optimizer restarts): amplitude 1, the one lengthscale chosen by the log
// marginal likelihood over a log grid 1e-3..1e3 refined by golden section (instead of
// L-BFGS restarts). The gradient of the posterior mean is ANALYTIC,
//   grad mu(x) = y_range * sum_a alpha_a c(r_a) (x - X_a),  c(r) = -(5 / 3l^2)(1 + s) e^-s,
//   s = sqrt(5) r / l, alpha = (K + noise I)^-1 y_scaled,
// not the code's forward difference with step 1e-20 (card trap 1: x + 1e-20 == x in float64,
// so that formula returns 0 or relies on SciPy silently changing the step).
// The variance of the gradient (to choose active queries) uses the same Matern kernel; the
// code uses GPy's RBF with the Matern fit's lengthscale (trap 2).
//
// RFF (code: sklearn RBFSampler + Ridge(alpha = 0), M = 10^4, lengthscale 1): features
// phi_k(x) = sqrt(2/M) cos(omega_k . x + b_k), omega ~ N(0, I / l^2), b ~ U[0, 2 pi), drawn
// from one seed shared by every party (never sent; trap 6); weights by least squares on y
// scaled to [0, 1] in the dual form nu = Phi^T (Phi Phi^T + ridge I)^-1 y (the minimum-norm
// interpolant when ridge -> 0, which is what Ridge(alpha = 0) gives with M > n; the small ridge
// keeps the ill-conditioned system solvable, trap 5). Weights are returned multiplied by the
// y range, so their gradient is in f's units:
//   grad mu_RFF(x) = -sqrt(2/M) sum_k nu_k sin(omega_k . x + b_k) omega_k.
//
// Dense linear algebra runs in LibTorch (torch_surrogates.cpp), double precision, one thread
// (set by init_surrogate_threads): 150 x 150 and 500 x 10^4 systems per client and step or
// round (card trap 8). Points are shifted to the point of interest before distances are taken,
// so nothing cancels at the 1e-2 scale of the local queries.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace flemu::zo {

/// Rows of d values, row-major.
struct PointSet {
  int d = 0;
  std::vector<double> x;
  size_t size() const { return d ? x.size() / static_cast<size_t>(d) : 0; }
  const double* row(size_t i) const { return &x[i * static_cast<size_t>(d)]; }
  void add(const double* p) { x.insert(x.end(), p, p + d); }
};

struct GpModel {
  PointSet inputs;
  std::vector<double> alpha;  ///< (K + noise I)^-1 y_scaled
  double lengthscale = 1;
  double noise = 1e-6;
  double y_min = 0, y_range = 0;  ///< y_scaled = (y - y_min) / y_range (range 0: flat, gradient 0)
};

/// Matern-5/2 GP on (inputs, y), its lengthscale by marginal likelihood.
GpModel fit_gp(const PointSet& inputs, const std::vector<double>& y, double noise);
/// Posterior mean at x, in f's units.
double gp_mean(const GpModel& gp, const std::vector<double>& x);
/// Analytic gradient of the posterior mean at x, in f's units.
std::vector<double> gp_mean_gradient(const GpModel& gp, const std::vector<double>& x);
/// Trace of the posterior covariance of the gradient at each row of `candidates`, for a GP on
/// `inputs` (values not needed) with `lengthscale` and `noise`; larger = less known.
std::vector<double> gp_gradient_variance(const PointSet& inputs, double lengthscale, double noise,
                                         const PointSet& candidates);

struct RffFeatures {
  int d = 0, m = 0;
  double lengthscale = 1;
  std::vector<double> omega;  ///< m x d
  std::vector<double> phase;  ///< m
};
RffFeatures make_rff_features(int d, int m, double lengthscale, uint64_t seed);
/// Least-squares weights on y scaled to [0, 1], times the y range (see above).
std::vector<double> fit_rff_weights(const RffFeatures& f, const PointSet& inputs, const std::vector<double>& y,
                                    double ridge);
std::vector<double> rff_gradient(const RffFeatures& f, const std::vector<double>& weights, const std::vector<double>& x);
/// The RFF model's value at x, sum_k weights_k phi_k(x) (without the y offset).
double rff_value(const RffFeatures& f, const std::vector<double>& weights, const std::vector<double>& x);

/// LibTorch uses one intra-op thread (results independent of how many jobs run at once).
void init_surrogate_threads();

/// Flops of the above, for the device's simulated compute time (dense-algebra counts).
double gp_fit_flops(double n, double d);
double gp_variance_flops(double n, double d, double candidates);
double rff_fit_flops(double n, double d, double m);
inline double rff_gradient_flops(double d, double m) { return 4 * d * m + 20 * m; }

}  // namespace flemu::zo

// FZooS: federated zeroth-order optimisation with trajectory-informed surrogate gradients.
//
// Paper: Y. Shu, X. Lin, Z. Dai, B. K. H. Low, "Federated Zeroth-Order Optimization using
// Trajectory-Informed Surrogate Gradients", arXiv 2308.04077 (Algorithm 1), as its code runs
// it (shuyao95/FZooS, settings.py FedZoo + optimizers.py fzoos_opt, correction "rff"; card
// local-rules.md 6). Clients can only query values f_i(x); every query is kept (Q_i).
//
// Before round 1: initial_queries points uniform in x0 +- initial_radius.
// Client, each round from the global x (fzoos_local):
//   query f(x); then for t = 0..T-1:
//   1. fit a GP to the gp_neighbours queries nearest x; g = its ANALYTIC posterior-mean
//      gradient at x (surrogates.hpp; the code's 1e-20 finite difference is not reproduced);
//   2. adaptive correction (from round 2): g += gamma_t [grad mu_bar(x) - grad mu_i(x)],
//      gamma_t = 1/(t+1), both RFF surrogates evaluated at the current local iterate;
//   3. Adam step (fresh Adam each round), query f at the new x;
//   4. unless last: local_candidates points uniform in x +- local_radius, query the
//      local_keep with the largest gradient variance under a GP on the neighbours plus x (the
//      code adds x to every neighbour instead of appending it: trap 3, not reproduced).
//   The client sends x_{i,T}.
// Server: x_new = x - eta mean_i (x - x_{i,T}) (zo_common.hpp).
//   The code then keeps x_new only if F(x_new) < F(x), peeking at the true global function,
//   which no real server can (trap 4). Here the server keeps x_new; the scenario key
//   server_accept "if-improved" reproduces the code's rule honestly instead: every client
//   queries f_i(x_new) and uploads it (counted queries and bytes).
// Surrogate phase, each round after the server step (fzoos_surrogate): client i gets x_new,
//   queries f(x_new), draws round_candidates points uniform in x_new +- r_i,
//   r_i = mean_j |x_new,j - x_{i,T},j| / 2, queries the round_keep of largest gradient
//   variance, fits the RFF model on its rff_neighbours queries nearest x_new and sends its
//   weights (times its y range); the server averages them: mu_bar (fzoos_global_weights).
// Pure maths (LibTorch through surrogates.hpp): no SimGrid, no I/O.
#pragma once
#include <cstdint>
#include <vector>

#include "algorithms/zeroth_order/surrogates.hpp"
#include "algorithms/zeroth_order/zo_common.hpp"

namespace flemu::zo {

struct FzoosParams {
  int local_iters = 10;         ///< T: local steps per round
  double lr = 0.01;             ///< Adam step size
  int gp_neighbours = 150;      ///< queries nearest x the local GP is fitted to
  double gp_noise = 1e-6;       ///< GP observation noise (on y scaled to [0,1])
  int local_candidates = 100;   ///< active-query candidates per local step
  int local_keep = 5;           ///< of which queried
  double local_radius = 0.01;   ///< half-width of the local candidate box
  int round_candidates = 200;   ///< active-query candidates of the surrogate phase
  int round_keep = 50;          ///< of which queried
  int rff_neighbours = 500;     ///< queries nearest x_new the RFF model is fitted to
  int rff_features = 10000;     ///< M
  double rff_lengthscale = 1.0; ///< RFF kernel lengthscale (the code's hard-coded 1.0)
  double rff_ridge = 1e-6;      ///< ridge of the RFF least squares (code: 0)
  int initial_queries = 10;     ///< queries around x0 before round 1
  double initial_radius = 0.01; ///< half-width of that box
  bool correction = true;       ///< the adaptive gradient correction (false: the ablation without it)
};

/// What a client keeps across rounds.
struct FzoosClient {
  PointSet queried;            ///< every query point
  std::vector<double> values;  ///< and its value
  std::vector<double> local_weights;  ///< its RFF weights of the last surrogate phase (empty before)
  bool started = false;
};

/// Client i's local phase from `x`. `global_weights`: mu_bar's weights (nullptr before any
/// surrogate phase). Makes the initial queries on first use.
LocalResult fzoos_local(const FzoosParams& p, FzoosClient& c, const QueryFn& f, const Vec& x, const Vec* global_weights,
                        const RffFeatures& features, uint64_t seed);

struct SurrogateResult {
  Vec weights;          ///< the client's RFF weights times its y range (what it uploads)
  int64_t queries = 0;
  double compute_flops = 0;
};

/// The surrogate phase at the new global point; `local_end` = the client's x_{i,T}.
SurrogateResult fzoos_surrogate(const FzoosParams& p, FzoosClient& c, const QueryFn& f, const Vec& x_new,
                                const Vec& local_end, const RffFeatures& features, uint64_t seed);

/// The work of fzoos_local / fzoos_surrogate for client `c` as it is now, in dimension d.
Work fzoos_local_work(const FzoosParams& p, const FzoosClient& c, size_t d, bool has_global);
Work fzoos_surrogate_work(const FzoosParams& p, const FzoosClient& c, size_t d);

/// mu_bar's weights: the mean of the clients' uploaded weights.
Vec fzoos_global_weights(const std::vector<Vec>& uploads);

}  // namespace flemu::zo

// FedZO: federated zeroth-order optimisation with randomized gradient estimates, as the FZooS
// code runs it as its baseline (shuyao95/FZooS, optimizers.py rgf_opt + correction "none";
// card local-rules.md 6(d)); the method is Fang et al., "Communication-efficient stochastic
// zeroth-order optimization for federated learning", IEEE TSP 2022, Algorithm 1.
//
// Client, each round (T = local_iters steps from the global x):
//   1. query f(x) once;
//   2. per step: draw q Gaussian directions, orthonormalise them (Gram-Schmidt), estimate
//      g = (1/q) sum_k [(f(x + mu u_k) - f(x)) / mu] u_k (q queries; f(x) is known), Adam step,
//      query f at the new x (1 query).
//   The client sends x_{i,T}. Queries: 1 + T (q + 1), all counted (the code evaluates f(x)
//   again inside each estimate and leaves those calls out of its count; here the value is
//   reused, so the count is the code's logged one and nothing is hidden).
// Server: the plain average (zo_common.hpp average_step).
// Differences from the FedZO paper, kept from the code because the comparison is FZooS's:
// Adam instead of SGD, so the estimate's 1/q scale (the paper's d/q) does not matter.
// Pure maths: no SimGrid, no I/O.
#pragma once
#include <cstdint>

#include "algorithms/zeroth_order/zo_common.hpp"

namespace flemu::zo {

struct FedZoParams {
  int local_iters = 10;       ///< T: local steps per round (code default 30; README's synthetic runs: 10)
  double lr = 0.01;           ///< Adam step size
  int directions = 20;        ///< q: random directions per estimate
  double smoothing = 0.01;    ///< mu: finite-difference step
  bool orthogonalize = true;  ///< Gram-Schmidt on the directions (the code does)
};

/// Client i's local phase from `x`; `seed` draws the directions.
LocalResult fedzo_local(const FedZoParams& p, const QueryFn& f, const Vec& x, uint64_t seed);

/// The work of fedzo_local in dimension d.
Work fedzo_local_work(const FedZoParams& p, size_t d);

/// The randomized gradient estimate at x with f(x) = fx already known (q queries).
Vec rgf_estimate(const FedZoParams& p, QueryCounter& f, const Vec& x, double fx, uint64_t seed, double* flops);

}  // namespace flemu::zo

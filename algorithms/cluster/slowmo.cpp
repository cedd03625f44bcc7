#include "algorithms/cluster/slowmo.hpp"

namespace flemu {

SlowMo::SlowMo(const AlgorithmSpec& spec) : params_{spec.outer_momentum, spec.outer_lr, spec.lr} {}

Params slowmo_outer_step(const Params& x0, const Params& xbar, Params& u, const SlowMoParams& p) {
  // u <- beta u + (x0 - xbar)/gamma; x <- x0 - alpha gamma u: the outer momentum step with
  // scale 1/gamma and step alpha gamma.
  return outer_momentum_step(x0, xbar, u, p.beta, p.alpha * p.gamma, 1.0 / p.gamma, 0);
}

Params SlowMo::next_start(const Params& start, const Params* average, const Params*) {
  return slowmo_outer_step(start, *average, u_, params_);
}

}  // namespace flemu

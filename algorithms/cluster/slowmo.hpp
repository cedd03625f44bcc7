// SlowMo — Wang, Tantia, Ballas, Rabbat, "SlowMo: Improving Communication-Efficient
// Distributed SGD with Slow Momentum", ICLR 2020, Algorithm 1 (with Local SGD as the base
// algorithm):
//   inner:  each worker: tau steps of SGD (step gamma) from x[t,0]
//   outer:  xbar = (1/G) sum_i x_i[t,tau]                     (blocking all-reduce)
//           u[t+1] = beta u[t] + (x[t,0] - xbar) / gamma
//           x[t+1,0] = x[t,0] - alpha gamma u[t+1]
// With beta = 0 and alpha = 1 it is Local SGD. The update is elementwise: ~5 flops per
// parameter on every worker.
#pragma once
#include "algorithms/cluster/data_parallel.hpp"

namespace flemu {

struct SlowMoParams {
  double beta = 0.5;   ///< slow momentum (the card's code default), dimensionless
  double alpha = 1.0;  ///< slow learning rate, dimensionless
  double gamma = 0.05; ///< the inner (fast) learning rate the pseudo-gradient is divided by
};

class SlowMo final : public DataParallelMethod {
 public:
  explicit SlowMo(const AlgorithmSpec& spec);
  std::string name() const override { return "slowmo"; }
  SyncPoint sync() const override { return SyncPoint::EndOfRound; }
  Params next_start(const Params& start, const Params* average, const Params*) override;
  double update_flops_per_param() const override { return 5; }

 private:
  SlowMoParams params_;
  Params u_;  ///< slow momentum buffer, in units of a gradient
};

/// One outer step; `u` is updated in place. Pure.
Params slowmo_outer_step(const Params& x0, const Params& xbar, Params& u, const SlowMoParams& p);

}  // namespace flemu

// CO2 — Sun, Qin, Sun, Li, Li, Shen, Qiao, Zhong, "CO2: Efficient Distributed Training with
// Full Communication-Computation Overlap", ICLR 2024, Algorithm 1; ../shared/cards/systems.md §1.
//
// Paper semantics ("co2", the default), per worker and outer round t:
//   inner:  tau local steps from the common start x[t,0]         (no communication)
//   launch: asynchronous all-reduce of x_i[t,tau] -> xbar[t]     (runs during round t+1)
//   wait:   for the all-reduce launched one round earlier -> xbar[t-1]
//   Lambda_t = staleness-gap penalty (below)
//   m_t     = clip(beta m_{t-1} + Lambda_t (x[t-1,0] - xbar[t-1]), phi)   element-wise clamp
//   x[t+1,0] = x[t,0] - alpha m_t
// One-step stale: the average used at the end of round t is round t-1's, so the all-reduce
// has round t's tau inner steps to hide in. At the end of the first round there is no average
// yet: the update is skipped (m_0 = 0, x[2,0] = x[1,0]) — the card leaves this to us. After
// the last round the schedule waits for its all-reduce and applies it once more, so that no
// round's work is lost.
//
// The staleness-gap penalty. The paper's exact Lambda_t could not be read (card: [unverified],
// "treat it as a pluggable function"); two are offered:
//   adaptive (default, our reconstruction of the idea): Lambda_t = 1 / (1 + lambda g_t), with
//     g_t = ||x[t,0] - x[t-1,0]|| / ||x[t-1,0] - xbar[t-1]||, the distance the common model
//     moved since the stale round started, relative to the stale update itself. A fresh
//     average (staleness 0) has g_t = 0, hence Lambda_t = 1.
//   constant: Lambda_t = lambda (the public code's scalar, there a divisor).
// Oracle (tested): with beta = 0, alpha = 1, Lambda = 1 and staleness 0, CO2 equals Local-SGD
// bit for bit.
//
// "co2-code" reproduces the public code (fairscale-CO2 co2.py, card §1(b)) instead:
//   - the outer step is synchronous and fresh: a blocking all-reduce every tau steps, the
//     average of this round (the code's "asynchronous all-reduce" thread never fires with its
//     defaults);
//   - gmb = beta gmb + (x[t,0] - xbar[t]) / lambda; x[t+1,0] = x[t,0] - alpha gmb (lambda divides);
//   - clipping does nothing (the code's out-of-place clamp), whatever phi is.
// Not reproduced: the racy thread when it does fire (fairseq's 20/3 frequencies), the
// per-node DDP layout, fp16 module parameters on the thread's wire.
#pragma once
#include "algorithms/cluster/data_parallel.hpp"

namespace flemu {

enum class GapPenalty { Adaptive, Constant };

struct Co2Params {
  double beta = 0.5;    ///< outer momentum beta (code default 0.5), dimensionless
  double alpha = 1.0;   ///< outer learning rate alpha, dimensionless
  GapPenalty penalty = GapPenalty::Adaptive;
  double lambda = 1.0;  ///< penalty strength (adaptive) or value (constant)
  double clip = 1.0;    ///< phi: clamp of the outer momentum, per element; 0 = none
  int staleness = 1;    ///< rounds between an all-reduce's launch and its use: 1 (paper) or 0
  bool code = false;    ///< co2-code: the public code's semantics (above)
};

/// Lambda_t for the stale round that started at `stale_start` and averaged to
/// `stale_average`, applied to the current start `start`. Pure.
double co2_gap_penalty(const Params& start, const Params& stale_start, const Params& stale_average,
                       const Co2Params& p);

/// x[t+1,0] from the current start x[t,0], the stale round's start and average; `m` is the
/// outer momentum, updated in place. Pure.
Params co2_outer_step(const Params& start, const Params& stale_start, const Params& stale_average, Params& m,
                      const Co2Params& p);

class Co2 final : public DataParallelMethod {
 public:
  explicit Co2(const AlgorithmSpec& spec);
  std::string name() const override { return params_.code ? "co2-code" : "co2"; }
  SyncPoint sync() const override;
  Params next_start(const Params& start, const Params* average, const Params* average_start) override;
  double update_flops_per_param() const override { return 8; }
  const Co2Params& params() const { return params_; }

 private:
  Co2Params params_;
  Params m_;
};

}  // namespace flemu

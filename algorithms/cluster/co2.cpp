#include "algorithms/cluster/co2.hpp"

#include <cmath>
#include <stdexcept>

namespace flemu {

namespace {
double distance(const Params& a, const Params& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    s += d * d;
  }
  return std::sqrt(s);
}
}  // namespace

double co2_gap_penalty(const Params& start, const Params& stale_start, const Params& stale_average,
                       const Co2Params& p) {
  if (p.penalty == GapPenalty::Constant) return p.lambda;
  const double update = distance(stale_start, stale_average);
  if (update == 0) return 1;
  return 1 / (1 + p.lambda * distance(start, stale_start) / update);
}

Params co2_outer_step(const Params& start, const Params& stale_start, const Params& stale_average, Params& m,
                      const Co2Params& p) {
  if (p.code)  // gmb = beta gmb + (x0 - xbar)/lambda, no clipping, x = x0 - alpha gmb
    return outer_momentum_step(start, stale_average, m, p.beta, p.alpha, 1 / p.lambda, 0);
  const double penalty = co2_gap_penalty(start, stale_start, stale_average, p);
  // The same start (fresh average): the exact form of the step; otherwise from the current start.
  const bool fresh = &start == &stale_start || start == stale_start;
  return outer_momentum_step(stale_start, stale_average, m, p.beta, p.alpha, penalty, p.clip, fresh ? nullptr : &start);
}

Co2::Co2(const AlgorithmSpec& spec) {
  params_.beta = spec.outer_momentum;
  params_.alpha = spec.outer_lr;
  params_.penalty = spec.gap_penalty == "constant" ? GapPenalty::Constant : GapPenalty::Adaptive;
  params_.lambda = spec.gap_lambda;
  params_.clip = spec.outer_clip;
  params_.staleness = spec.outer_staleness;
  params_.code = spec.name == "co2-code";
  if (params_.code) {
    params_.penalty = GapPenalty::Constant;
    params_.staleness = 0;
  }
}

SyncPoint Co2::sync() const { return params_.staleness > 0 ? SyncPoint::Overlapped : SyncPoint::EndOfRound; }

Params Co2::next_start(const Params& start, const Params* average, const Params* average_start) {
  if (!average) return start;  // first round of the stale schedule: nothing to apply yet
  return co2_outer_step(start, average_start ? *average_start : start, *average, m_, params_);
}

}  // namespace flemu

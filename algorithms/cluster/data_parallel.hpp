// Data-parallel training on a cluster: what a method decides between its workers' local
// steps, independent of how the emulator moves bytes and spends time.
//
// Every worker holds a replica of the model. A round is `inner_steps` local SGD steps on each
// worker (the emulator runs them as training jobs), then the workers' parameters are averaged
// by an all-reduce and the method computes the common start of the next round from the
// round's start and that average. When the average becomes available is the method's
// `sync()`; the emulator's schedule (emulator/schedules/data_parallel.cpp) implements the
// timeline, this header the maths. Algorithms never see SimGrid.
//
// The methods: ddp (ddp.hpp), local-sgd (local_sgd.hpp), slowmo (slowmo.hpp), co2 and
// co2-code (co2.hpp).
#pragma once
#include <memory>
#include <string>

#include "algorithms/algorithm_spec.hpp"
#include "workloads/models/trainer.hpp"

namespace flemu {

/// When the average of the workers' parameters is taken and used.
enum class SyncPoint {
  EveryStep,   ///< after every local step, blocking (DDP: the gradient all-reduce)
  EndOfRound,  ///< after the round's inner steps, blocking (Local-SGD, SlowMo, CO2's code)
  Overlapped   ///< launched after round t, used at the end of round t+1 (CO2: one-step stale)
};

class DataParallelMethod {
 public:
  virtual ~DataParallelMethod() = default;
  virtual std::string name() const = 0;
  virtual SyncPoint sync() const = 0;
  /// The common start of the next round. `start` is the current round's start x[t,0];
  /// `average` the average the method uses now (EveryStep/EndOfRound: of this round's end
  /// points; Overlapped: of the previous round's, made from `average_start` = x[t-1,0]),
  /// or nullptr when there is none yet (Overlapped, first round).
  virtual Params next_start(const Params& start, const Params* average, const Params* average_start) = 0;
  /// Flops per parameter of the update, executed on every worker (0: free).
  virtual double update_flops_per_param() const { return 0; }
};

/// The method named in `spec` (ddp, local-sgd, slowmo, co2, co2-code); throws
/// std::invalid_argument for another name.
std::unique_ptr<DataParallelMethod> make_data_parallel_method(const AlgorithmSpec& spec);

/// The outer momentum step shared by SlowMo and CO2, element-wise:
///   d = x0 - xbar;  m <- beta m + scale d;  m <- clamp(m, -clip, clip) if clip > 0;
///   x <- from - alpha m,   with from = x0 unless given (CO2 applies a stale round's
///   pseudo-gradient to the current start).
/// With from = x0 it is evaluated as x = xbar + (1 - alpha scale) d - alpha beta m_old
/// wherever the clamp did not bind (the same value in exact arithmetic, without the
/// cancellation of x0 - (x0 - xbar)), skipping terms whose coefficient is 0: with
/// alpha scale = 1 and beta = 0 the result is xbar bit for bit, which is what makes SlowMo and
/// CO2 equal Local-SGD in that case. `momentum` is updated in place (empty: zeros). Pure.
Params outer_momentum_step(const Params& x0, const Params& xbar, Params& momentum, double beta, double alpha,
                           double scale, double clip, const Params* from = nullptr);

}  // namespace flemu

// The LibTorch executor of a LocalStep (local_step.hpp): one generic loop body for every FL
// method's client step. It works on the model's parameters as ONE flat tensor, so that every
// vector operation of a step (norms, the SAM perturbation, corrections, weight decay) is a
// single kernel over d floats, whatever the number of layers.
//
// Contract: `w` is a contiguous float tensor (the model's parameters, trained in place); the
// caller's gradient callback writes ∇ℓ at the current w into its argument (the same minibatch
// at both calls of one step). No global state: one executor per job, on the job's thread.
#pragma once
#include <ATen/core/Tensor.h>

#include <functional>

#include "workloads/models/local_step.hpp"

namespace flemu {

class LocalStepExecutor {
 public:
  /// Forms the rule's constant vectors from `inputs` once (throws std::invalid_argument on a
  /// size unlike w's); the prox anchor x0 is w's value now. `lr` is η.
  LocalStepExecutor(const LocalStep& rule, const StepInputs& inputs, at::Tensor w, double lr);

  /// One step. `gradient(g)` fills the preallocated flat tensor g with ∇ℓ(w; B).
  void step(const std::function<void(at::Tensor& g)>& gradient);

  /// The final momentum buffer (empty unless momentum > 0 and inputs.return_momentum).
  Params momentum() const;
  /// Σ e over the steps taken (empty unless ascent_feedback).
  Params ascent_sum() const;

 private:
  LocalStep rule_;
  double lr_;
  bool keep_momentum_;
  at::Tensor w_, g1_, g2_, saved_, e_, v_;
  at::Tensor correction_, offset_, drift_, anchor_, momentum_, ascent_sum_, direction_;
};

/// Flat float tensor (a copy) of `v`.
at::Tensor to_tensor(const Params& v);
/// `t` (any float tensor) as flat Params.
Params to_params(const at::Tensor& t);

}  // namespace flemu

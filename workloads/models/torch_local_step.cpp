// The generic local step (local_step.hpp, local_step_executor.hpp) in LibTorch.
//
// Every vector is one flat float tensor of d values; buffers are allocated once per job and
// reused. The common cases are fused: without momentum and without a whole-step clip, the
// update is w ← w(1 − η(wd + μ)) − η s u + η μ x0 (s: the clip factor), three kernels.
#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

#include "workloads/models/local_step_executor.hpp"

namespace flemu {

namespace {

constexpr double kAscentEps = 1e-7;  // SAM's ‖v‖ + 1e-7 (Foret et al.; FL-Simulator's ESAM)
constexpr double kClipEps = 1e-6;    // torch.nn.utils.clip_grad_norm_'s total_norm + 1e-6

at::Tensor view_of(const Params& v) {
  return at::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())}, at::kFloat);
}

/// Σ coef_k v_k as a new tensor of n values, or an undefined tensor for an empty combination.
at::Tensor combine(const Combination& terms, int64_t n, const char* what) {
  at::Tensor out;
  for (const auto& t : terms) {
    if (!t.vector) throw std::invalid_argument(std::string(what) + ": a term has no vector");
    if (static_cast<int64_t>(t.vector->size()) != n)
      throw std::invalid_argument(std::string(what) + ": a term has " + std::to_string(t.vector->size()) +
                                  " values, the model " + std::to_string(n));
    if (!out.defined())
      out = view_of(*t.vector).mul(t.coef);
    else
      out.add_(view_of(*t.vector), t.coef);
  }
  return out;
}

/// clip_C's factor for `v`: C / (‖v‖ + 1e-6) when below 1, else 1.
double clip_factor(const at::Tensor& v, double c) {
  const double norm = v.norm().item<double>();
  const double f = c / (norm + kClipEps);
  return f < 1.0 ? f : 1.0;
}

}  // namespace

at::Tensor to_tensor(const Params& v) { return view_of(v).clone(); }

Params to_params(const at::Tensor& t) {
  auto c = t.detach().reshape({-1}).to(at::kCPU).contiguous();
  return Params(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

LocalStepExecutor::LocalStepExecutor(const LocalStep& rule, const StepInputs& inputs, at::Tensor w, double lr)
    : rule_(rule), lr_(lr), keep_momentum_(inputs.return_momentum && rule.momentum > 0), w_(std::move(w)) {
  const int64_t n = w_.numel();
  if (rule_.perturbed_weight != 0 && rule_.ascent == LocalStep::Ascent::None)
    throw std::invalid_argument("local step: perturbed_weight needs an ascent");
  g1_ = at::empty({n}, w_.options());
  correction_ = combine(inputs.correction, n, "local step correction");
  if (rule_.ascent != LocalStep::Ascent::None) {
    g2_ = at::empty({n}, w_.options());
    saved_ = at::empty({n}, w_.options());
    e_ = at::empty({n}, w_.options());
    offset_ = combine(inputs.ascent_offset, n, "local step ascent offset");
    drift_ = combine(inputs.ascent_drift, n, "local step ascent drift");
    if (rule_.ascent_feedback) {
      if (!offset_.defined()) offset_ = at::zeros({n}, w_.options());
      ascent_sum_ = at::zeros({n}, w_.options());
    }
    if (offset_.defined()) v_ = at::empty({n}, w_.options());
  }
  if (rule_.prox_mu != 0) anchor_ = w_.clone();
  if (rule_.momentum > 0) {
    if (inputs.momentum) {
      if (static_cast<int64_t>(inputs.momentum->size()) != n)
        throw std::invalid_argument("local step: momentum buffer has " + std::to_string(inputs.momentum->size()) +
                                    " values, the model " + std::to_string(n));
      momentum_ = to_tensor(*inputs.momentum);
    } else {
      momentum_ = at::zeros({n}, w_.options());
    }
  }
  if (rule_.momentum > 0 || (rule_.clip_norm > 0 && rule_.clip_scope == LocalStep::ClipScope::Step))
    direction_ = at::empty({n}, w_.options());
}

void LocalStepExecutor::step(const std::function<void(at::Tensor&)>& gradient) {
  using Scope = LocalStep::ClipScope;
  const bool clip = rule_.clip_norm > 0;
  gradient(g1_);
  if (rule_.ascent != LocalStep::Ascent::None) {
    at::Tensor v = g1_;
    if (offset_.defined()) v = at::add_out(v_, g1_, offset_);
    double scale = rule_.rho;
    if (rule_.ascent == LocalStep::Ascent::Normalized) scale /= v.norm().item<double>() + kAscentEps;
    at::mul_out(e_, v, scale);
    saved_.copy_(w_);
    w_.add_(e_);
    gradient(g2_);
    w_.copy_(saved_);  // exact restore (w + e − e would round)
    if (rule_.ascent_feedback) {
      offset_.sub_(e_);
      if (drift_.defined()) offset_.add_(drift_);
      ascent_sum_.add_(e_);
    }
  }
  // u = α1 g1 + α2 g2, built in place in a gradient buffer (they are not read again).
  at::Tensor u;
  if (rule_.perturbed_weight == 0) {
    u = g1_;
    if (rule_.grad_weight != 1) u.mul_(rule_.grad_weight);
  } else if (rule_.grad_weight == 0) {
    u = g2_;
    if (rule_.perturbed_weight != 1) u.mul_(rule_.perturbed_weight);
  } else {
    u = g1_;
    if (rule_.grad_weight != 1) u.mul_(rule_.grad_weight);
    u.add_(g2_, rule_.perturbed_weight);
  }
  if (clip && rule_.clip_scope == Scope::Gradient) {
    const double f = clip_factor(u, rule_.clip_norm);
    if (f < 1) u.mul_(f);
  }
  if (correction_.defined()) u.add_(correction_);
  double s = 1.0;  // the clip factor of u, applied fused below
  if (clip && rule_.clip_scope == Scope::Corrected) s = clip_factor(u, rule_.clip_norm);

  const double wd = rule_.weight_decay, mu = rule_.prox_mu;
  if (!direction_.defined()) {
    // w ← w − η (s u + wd w + μ (w − x0))
    if (wd + mu != 0) w_.mul_(1.0 - lr_ * (wd + mu));
    w_.add_(u, -lr_ * s);
    if (mu != 0) w_.add_(anchor_, lr_ * mu);
    return;
  }
  at::Tensor& d = direction_;
  at::mul_out(d, u, s);
  if (wd + mu != 0) d.add_(w_, wd + mu);
  if (mu != 0) d.sub_(anchor_, mu);
  if (clip && rule_.clip_scope == Scope::Step) {
    const double f = clip_factor(d, rule_.clip_norm);
    if (f < 1) d.mul_(f);
  }
  if (rule_.momentum > 0) {
    momentum_.mul_(rule_.momentum).add_(d);
    if (rule_.nesterov)
      d.add_(momentum_, rule_.momentum);
    else
      d.copy_(momentum_);
  }
  w_.sub_(d, lr_);
}

Params LocalStepExecutor::momentum() const { return keep_momentum_ ? to_params(momentum_) : Params(); }

Params LocalStepExecutor::ascent_sum() const {
  return ascent_sum_.defined() ? to_params(ascent_sum_) : Params();
}

StepsOutcome run_local_steps(const LocalStep& rule, const StepInputs& inputs, const Params& start, double lr,
                             int steps, const std::function<Params(const Params&)>& gradient) {
  at::Tensor w = to_tensor(start);
  LocalStepExecutor exec(rule, inputs, w, lr);
  for (int k = 0; k < steps; ++k)
    exec.step([&](at::Tensor& g) {
      const Params grad = gradient(to_params(w));
      if (grad.size() != start.size())
        throw std::invalid_argument("run_local_steps: the gradient has " + std::to_string(grad.size()) +
                                    " values, the parameters " + std::to_string(start.size()));
      g.copy_(view_of(grad));
    });
  return {to_params(w), exec.momentum(), exec.ascent_sum()};
}

}  // namespace flemu

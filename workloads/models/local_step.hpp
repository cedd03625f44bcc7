// A client's local rule as data: what one minibatch step of local training does.
//
// FL methods differ mostly in their local step (a SAM ascent, a correction vector, a dual
// variable, momentum, weight decay, clipping). Each algorithm (algorithms/fl/*) describes its
// step with a LocalStep and the vectors it needs (StepInputs); the LibTorch loop
// (workloads/models/torch_local_step.cpp) executes any such step without knowing the method.
// Torch-free: the emulator and the algorithms include this.
//
// One step on minibatch B from w (every vector flat, in the model's parameter order):
//
//   g1 = ∇ℓ(w; B)                                        the loss gradient (mean cross-entropy)
//   if ascent != None:                                    SAM-type: a second gradient evaluation
//       v  = g1 + a                                       a: ascent offset (FedSMOO: −μ_i − s), else 0
//       e  = ρ v / (‖v‖ + 1e-7)    (Normalized)   or   ρ v   (Unnormalized)
//       g2 = ∇ℓ(w + e; B)                                 same minibatch; w is restored exactly
//       if ascent_feedback:  a ← a + r − e,  Σe += e      r: ascent drift (FedSMOO's dual update)
//   u = α1 g1 + α2 g2                                     grad_weight, perturbed_weight
//   [clip u if clip_scope == Gradient]
//   u ← u + c                                             c = Σ_k coef_k v_k: the round's correction
//   [clip u if clip_scope == Corrected]                   (FL-Simulator: before weight decay)
//   d = u + wd·w + μ(w − x0)                              x0: the job's start point (prox anchor)
//   [clip d if clip_scope == Step]
//   if β > 0:  b ← β b + d;  d ← b  (nesterov: d + β b)   momentum buffer b (may persist per client)
//   w ← w − η d
//
// clip_C(v) = v · C / (‖v‖ + 1e-6) when that factor is < 1 (torch's clip_grad_norm_), norms over
// all parameters together. Gradient evaluations per step: 1, or 2 with an ascent: the simulated
// flops count each one.
#pragma once
#include <functional>
#include <memory>
#include <vector>

namespace flemu {

/// Flat float32 model parameters, in the model's registration order. Algorithms do their
/// maths on these (torch-free, deterministic summation order, trivially serialisable).
using Params = std::vector<float>;

/// coef · vector, one term of a linear combination of model-sized vectors.
struct Term {
  double coef = 0;
  std::shared_ptr<const Params> vector;
};
/// Σ_k coef_k v_k; empty means the zero vector. Formed once per job, on the job's thread.
using Combination = std::vector<Term>;

struct LocalStep {
  enum class Ascent {
    None,         ///< one gradient evaluation per step
    Normalized,   ///< e = ρ v / (‖v‖ + 1e-7) (SAM, Foret et al. 2021; FL-Simulator's ESAM)
    Unnormalized  ///< e = ρ v (FedSpeed paper, Algorithm 1 line 8)
  };
  enum class ClipScope {
    Gradient,   ///< clip α1 g1 + α2 g2 only
    Corrected,  ///< clip the gradient plus the correction, before weight decay and prox (FL-Simulator)
    Step        ///< clip the whole direction d
  };

  Ascent ascent = Ascent::None;
  double rho = 0;               ///< ascent radius ρ (unitless; >= 0)
  bool ascent_feedback = false; ///< update the ascent offset each step and report Σe (FedSMOO)
  double grad_weight = 1;       ///< α1: weight of g(w) in the direction
  double perturbed_weight = 0;  ///< α2: weight of g(w + e) (needs an ascent)
  double weight_decay = 0;      ///< wd: adds wd·w to the direction (1/unit of w; never clipped unless scope Step)
  double prox_mu = 0;           ///< μ: adds μ(w − x0), x0 = the job's start (FedProx)
  double clip_norm = 0;         ///< C: global L2 norm bound; 0 = no clipping
  ClipScope clip_scope = ClipScope::Corrected;
  double momentum = 0;          ///< β: heavy-ball momentum of the local optimizer; 0 = plain SGD
  bool nesterov = false;

  /// Gradient evaluations (forward + backward passes) per step: what the flop count charges.
  int gradient_evaluations() const { return ascent == Ascent::None ? 1 : 2; }
  /// Plain minibatch SGD: w ← w − η g(w). (What a stacked, batched job can run.)
  bool is_plain_sgd() const {
    return ascent == Ascent::None && grad_weight == 1 && weight_decay == 0 && prox_mu == 0 && clip_norm == 0 &&
           momentum == 0;
  }
};

/// The vectors a step reads, shipped with the job (shared, never modified by it).
struct StepInputs {
  Combination correction;     ///< c, added to the direction every step (constant within the job)
  Combination ascent_offset;  ///< a at the first step (ascent only)
  Combination ascent_drift;   ///< r, added to a after each step (ascent_feedback only)
  std::shared_ptr<const Params> momentum;  ///< initial momentum buffer b; null = zero
  bool return_momentum = false;            ///< report the final b (persistent optimizer state)
};

/// What a run of local steps leaves behind.
struct StepsOutcome {
  Params w;           ///< the parameters after the steps
  Params momentum;    ///< final momentum buffer (when inputs.return_momentum)
  Params ascent_sum;  ///< Σ e over the steps (with ascent_feedback)
};

/// Runs `steps` steps of `rule` from `start` at learning rate `lr`, with the gradient given by
/// `gradient(w)` (deterministic: it stands for one fixed minibatch). The very executor the
/// LibTorch trainer uses, on a loss given as a function: for hand-computed tests and benches.
/// Throws std::invalid_argument when a vector's size differs from start's.
StepsOutcome run_local_steps(const LocalStep& rule, const StepInputs& inputs, const Params& start, double lr,
                             int steps, const std::function<Params(const Params&)>& gradient);

}  // namespace flemu

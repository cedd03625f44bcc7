// Local rules (workloads/models/local_step.hpp) on tiny tensors, by hand: the generic
// LibTorch executor the trainer uses, run on the quadratic loss
//     f(w) = ½ (w₁² + 2 w₂²),   ∇f(w) = (w₁, 2 w₂),
// from w = (1, 1) at η = 0.1. Every expected value below is worked out in its comment.
#include <catch2/catch.hpp>

#include <cmath>

#include "workloads/models/local_step.hpp"

using namespace flemu;

namespace {

Params quadratic_gradient(const Params& w) { return {w[0], 2 * w[1]}; }

StepsOutcome run(const LocalStep& rule, int steps, const StepInputs& in = {}) {
  return run_local_steps(rule, in, {1, 1}, 0.1, steps, quadratic_gradient);
}

std::shared_ptr<const Params> vec(float a, float b) { return std::make_shared<const Params>(Params{a, b}); }

void check(const Params& got, double a, double b) {
  REQUIRE(got.size() == 2);
  CHECK(got[0] == Approx(a).epsilon(1e-5));
  CHECK(got[1] == Approx(b).epsilon(1e-5));
}

}  // namespace

TEST_CASE("local step: plain SGD, weight decay, prox", "[local_rule]") {
  LocalStep sgd;
  // g = (1, 2): w = (1 - 0.1, 1 - 0.2)
  check(run(sgd, 1).w, 0.9, 0.8);
  LocalStep wd;
  wd.weight_decay = 0.5;
  // d = g + 0.5 w = (1.5, 2.5)
  check(run(wd, 1).w, 0.85, 0.75);
  LocalStep prox;
  prox.prox_mu = 1;
  // step 1 at the anchor: prox term 0, w1 = (0.9, 0.8); step 2: g = (0.9, 1.6), μ(w - x0) =
  // (-0.1, -0.2), d = (0.8, 1.4): w2 = (0.82, 0.66)
  check(run(prox, 2).w, 0.82, 0.66);
  CHECK(sgd.gradient_evaluations() == 1);
  CHECK(sgd.is_plain_sgd());
  CHECK_FALSE(prox.is_plain_sgd());
}

TEST_CASE("local step: the correction term (SCAFFOLD's c - c_i)", "[local_rule]") {
  StepInputs in;
  in.correction = {{1.0, vec(0.5, 0)}, {-1.0, vec(0, 1)}};  // c - c_i = (0.5, -1)
  // u = g + (0.5, -1) = (1.5, 1): w = (0.85, 0.9)
  check(run(LocalStep{}, 1, in).w, 0.85, 0.9);
  StepInputs wrong;
  wrong.correction = {{1.0, std::make_shared<const Params>(Params{1, 2, 3})}};
  CHECK_THROWS_AS(run(LocalStep{}, 1, wrong), std::invalid_argument);
}

TEST_CASE("local step: where the clip applies", "[local_rule]") {
  StepInputs in;
  in.correction = {{1.0, vec(1, 0)}};
  LocalStep r;
  r.weight_decay = 0.5;
  r.clip_norm = 1;
  // corrected (FL-Simulator): u = g + c = (2, 2), ‖u‖ = 2√2, u → u/(2√2 + 1e-6) ≈ (0.70711,
  // 0.70711); d = u + 0.5 w = (1.20711, 1.20711): w = 1 - 0.120711
  r.clip_scope = LocalStep::ClipScope::Corrected;
  check(run(r, 1, in).w, 1 - 0.1 * (1 / std::sqrt(2.0) + 0.5), 1 - 0.1 * (1 / std::sqrt(2.0) + 0.5));
  // gradient: g = (1, 2) → g/√5 = (0.44721, 0.89443); + c + 0.5 w = (1.94721, 1.39443)
  r.clip_scope = LocalStep::ClipScope::Gradient;
  check(run(r, 1, in).w, 1 - 0.1 * (1 / std::sqrt(5.0) + 1.5), 1 - 0.1 * (2 / std::sqrt(5.0) + 0.5));
  // step: d = g + c + 0.5 w = (2.5, 2.5), clipped to (0.70711, 0.70711)
  r.clip_scope = LocalStep::ClipScope::Step;
  check(run(r, 1, in).w, 1 - 0.1 / std::sqrt(2.0), 1 - 0.1 / std::sqrt(2.0));
  // A bound the step never reaches changes nothing.
  r.clip_norm = 100;
  check(run(r, 1, in).w, 1 - 0.1 * 2.5, 1 - 0.1 * 2.5);
}

TEST_CASE("local step: SAM ascent, normalised and not, and the merged gradient", "[local_rule]") {
  LocalStep sam;
  sam.ascent = LocalStep::Ascent::Normalized;
  sam.rho = 0.5;
  sam.grad_weight = 0;
  sam.perturbed_weight = 1;
  CHECK(sam.gradient_evaluations() == 2);
  // e = 0.5 (1, 2)/√5 = (0.223607, 0.447214); g2 = ∇f(1.223607, 1.447214) = (1.223607,
  // 2.894427): w = (1 - 0.1223607, 1 - 0.2894427)
  check(run(sam, 1).w, 0.8776393, 0.7105573);
  // Unnormalised (FedSpeed paper): e = 0.5 (1, 2); g2 = ∇f(1.5, 2) = (1.5, 4)
  sam.ascent = LocalStep::Ascent::Unnormalized;
  check(run(sam, 1).w, 0.85, 0.6);
  // Merged (1 - α) g1 + α g2 with α = 0.5: (1.25, 3)
  sam.grad_weight = 0.5;
  sam.perturbed_weight = 0.5;
  check(run(sam, 1).w, 0.875, 0.7);
  // No ascent, no perturbed gradient.
  LocalStep bad;
  bad.perturbed_weight = 1;
  CHECK_THROWS_AS(run(bad, 1), std::invalid_argument);
}

TEST_CASE("local step: ascent offset with feedback (FedSMOO's dynamic dual)", "[local_rule]") {
  LocalStep r;
  r.ascent = LocalStep::Ascent::Normalized;
  r.rho = 1;
  r.grad_weight = 0;
  r.perturbed_weight = 1;
  r.ascent_feedback = true;
  StepInputs in;
  in.ascent_offset = {{1.0, vec(0, -1)}};
  in.ascent_drift = {{1.0, vec(0.5, 0)}};
  // Step 1: v = g1 + a = (1, 2) + (0, -1) = (1, 1); e = (1, 1)/√2; g2 = ∇f(1.70711, 1.70711) =
  // (1.70711, 3.41421); w1 = (0.829289, 0.658579); a ← a + r − e = (−0.207107, −1.707107).
  // Step 2: g1 = (0.829289, 1.317157), v = (0.622183, −0.389949), ‖v‖ = 0.734283,
  // e = (0.847338, −0.531062); g2 = ∇f(1.676627, 0.127517) = (1.676627, 0.255034);
  // w2 = (0.661627, 0.633075); Σe = (1.554440, 0.176045).
  const auto out = run(r, 2, in);
  check(out.w, 0.661627, 0.633075);
  check(out.ascent_sum, 1.554440, 0.176045);
}

TEST_CASE("local step: momentum, carried in and out, heavy-ball and Nesterov", "[local_rule]") {
  LocalStep m;
  m.momentum = 0.9;
  StepInputs in;
  in.momentum = vec(1, 1);
  in.return_momentum = true;
  // Step 1: b = 0.9 (1, 1) + (1, 2) = (1.9, 2.9), w1 = (0.81, 0.71). Step 2: g = (0.81, 1.42),
  // b = 0.9 (1.9, 2.9) + g = (2.52, 4.03), w2 = (0.81 − 0.252, 0.71 − 0.403).
  const auto out = run(m, 2, in);
  check(out.w, 0.558, 0.307);
  check(out.momentum, 2.52, 4.03);
  // Not asked for: nothing returned.
  in.return_momentum = false;
  CHECK(run(m, 1, in).momentum.empty());
  // Nesterov: d = g + β b = (1 + 1.71, 2 + 2.61)
  m.nesterov = true;
  in.return_momentum = true;
  check(run(m, 1, in).w, 1 - 0.271, 1 - 0.461);
}

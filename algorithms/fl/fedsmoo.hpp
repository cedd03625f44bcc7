// FedSMOO — Sun, Shen, Chen, Ding, Tao, "Dynamic Regularized Sharpness Aware Minimization in
// Federated Learning: Approaching Global Consistency and Smooth Landscape", ICML 2023,
// Algorithm 1; as FL-Simulator implements it (server/FedSMOO.py, client/fedsmoo.py,
// optimizer/DRegSAM.py; card local-rules.md §3.10).
//
//   Client i (receives x^t and the global perturbation correction s; keeps h_i and μ_i):
//   each step on minibatch B:
//       g1 = ∇ℓ(w; B);  ĝ = g1 − μ_i − s;  e = ρ ĝ/(‖ĝ‖ + 1e-7);  μ_i ← μ_i + e − s
//       g2 = ∇ℓ(w + e; B)
//       w ← w − η [ clip(g2 + λ (h_i − x^t)) + (wd + λ) w ]
//   after K steps:  h_i ← h_i + (x_{i,K} − x^t); send x_{i,K} and μ_i.
//   Server:  s ← ρ μ̄/(‖μ̄‖ + 1e-7),  μ̄ = mean_{i∈P_t} μ_i   (the code's simplification of the
//            paper's s, it notes);   x^{t+1} = x̄ + (1/N) Σ_j h_j   (FedDyn's server)
//
// In flemu's step description: ascent offset a = −μ_i − s, drift r = s, feedback on, so the
// executor's a ← a + r − e is exactly μ_i ← μ_i + e − s; the client's new μ_i is
// μ_i + Σ_k e_k − K s. FL-Simulator before 2024-10-26 sliced every layer's μ_i and s from the
// start of the vector (card §1): not reproduced. Per-client state: h_i, μ_i (2d); server: Σh,
// s. Wire: 2x each way (x and s down, x_{i,K} and μ_i up). Two gradient evaluations per step.
#pragma once
#include "algorithms/fl/feddyn.hpp"

namespace flemu {

/// `base` with FedSMOO's step: the FedDyn regulariser and the corrected, self-updating ascent.
LocalStep fedsmoo_step(LocalStep base, double rho, double lambda);

/// μ_i + Σe − K s (null μ_i, ascent_sum or s: zero).
Params fedsmoo_client_dual(const Params* mu_i, const Params* ascent_sum, const Params* s, int steps, size_t size);

/// s = ρ μ̄ / (‖μ̄‖ + 1e-7).
Params fedsmoo_perturbation(const Params& mean_mu, double rho);

class FedSmoo : public FedDyn {
 public:
  FedSmoo(const AlgorithmSpec& spec, const AlgorithmContext& context) : FedDyn(spec, context, {"h_i", "mu_i"}) {}
  std::string name() const override { return "fedsmoo"; }
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override;
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;

 protected:
  int64_t server_state_bytes() const override;

 private:
  std::shared_ptr<const Params> s_;  ///< the global perturbation correction (null = zero)
};

}  // namespace flemu

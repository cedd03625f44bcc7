// FedSpeed — Sun, Shen, Huang, Ding, Tao, "FedSpeed: Larger Local Interval, Less Communication
// Round, and Higher Generalization Accuracy", ICLR 2023, Algorithm 1.
//
// Code form (FL-Simulator client/fedspeed.py, optimizer/ESAM.py; card local-rules.md §2), the
// default here, as the README's numbers come from it:
//   Client i (receives x^t; keeps its dual h_i):  each step on minibatch B,
//       g1 = ∇ℓ(w; B);  e = ρ g1/(‖g1‖ + 1e-7);  g2 = ∇ℓ(w + e; B)
//       w ← w − η [ clip(g2 + λ (h_i − x^t)) + (wd + λ) w ]
//       after K steps:  h_i ← h_i + (x_{i,K} − x^t)
//   Server:  x^{t+1} = mean_{i∈P_t} x_{i,K} + (1/N) Σ_{j=1..N} h_j        (FedDyn's server)
//
// The paper (Algorithm 1) differs in three places, each a named option:
//   merge_alpha α  line 10: g̃ = (1 − α) g1 + α g2 (the code uses α = 1: g2 alone);
//   ascent         line 8: x̆ = x + ρ g1, "unnormalized" (the code normalises, "normalized");
//   dual_average   line 14 and the server: x^{t+1} = mean_{i∈P_t} (x_{i,K} + h_i), the dual
//                  averaged over the active clients, "active" (the code: over all N, "all").
// λ here is the code's (0.1), the inverse of the paper's λ (10). ρ does not decay; η does.
// Per-client state: h_i; server: Σh. Wire: 1x each way, like FedAvg (h_i − x^t is formed on
// the client). Two gradient evaluations per step: twice FedAvg's flops.
#pragma once
#include "algorithms/fl/feddyn.hpp"

namespace flemu {

/// `base` with FedSpeed's step: the FedDyn regulariser, an ascent of radius ρ (normalised or
/// not), and the merged gradient (1 − α) g1 + α g2.
LocalStep fedspeed_step(LocalStep base, double rho, double lambda, double merge_alpha, LocalStep::Ascent ascent);

/// The paper's server: Σ_i n_i (x_{i,K} + h_i) / Σ_i n_i over the updates, with h_i the
/// clients' new duals (same order as `updates`).
Params fedspeed_active_average(const std::vector<ClientUpdate>& updates,
                               const std::vector<std::shared_ptr<const Params>>& duals);

class FedSpeed : public FedDyn {
 public:
  using FedDyn::FedDyn;
  std::string name() const override { return "fedspeed"; }
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override;
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;
};

}  // namespace flemu

// FedCM — Xu, Wang, Wang, Yao, "FedCM: Federated Learning with Client-level
// Momentum", arXiv 2106.10874, 2021, Algorithm 1; as FL-Simulator runs it (server/FedCM.py,
// client/fedcm.py; card local-rules.md §3.6).
//
//   Server sends x^t and the global momentum m^t = −Δ̄^{t−1} / (K η_{t−1}): the previous
//   round's average change turned back into a gradient (m^1 = 0).
//   Client:  each step  w ← w − η [ α g(w) + (1 − α) m^t ]   (+ the conventions' wd w)
//   Server:  x^{t+1} = x^t + η_g Δ̄^t  (FedAvg's), and keeps Δ̄^t for the next m.
//
// Each client's change is normalised by its own K and η (FL-Simulator divides every client by
// client 0's E·n/B: the same here, as flemu's clients have equal sizes). With α = 0.1, 90% of
// each step is the global momentum, and round 1 moves at a tenth of the lr. Server state: m
// (d). Wire: x and m down (2x), the model up (1x).
#pragma once
#include "algorithms/fl/fedavg.hpp"

namespace flemu {

/// m = −Σ_i n_i (x_{i,K} − x_i^0)/(K_i η_i) / Σ_i n_i: the updates' mean change as a gradient.
Params fedcm_momentum(const std::vector<ClientUpdate>& updates);

/// `base` with FedCM's direction α g + (1 − α) m (the correction (1 − α) m: fedcm_correction).
LocalStep fedcm_step(LocalStep base, double alpha);
Combination fedcm_correction(double alpha, const std::shared_ptr<const Params>& momentum);

/// FedCM's wire: x and m down, the model up.
Wire fedcm_wire(int64_t model_bytes);

class FedCm : public FedAvg {
 public:
  using FedAvg::FedAvg;
  std::string name() const override { return "fedcm"; }
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override;
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;

 protected:
  int64_t server_state_bytes() const override { return m_ ? int64_t(m_->size() * sizeof(float)) : 0; }
  std::shared_ptr<const Params> m_;  ///< the global momentum m^t (null before the first round)
};

}  // namespace flemu

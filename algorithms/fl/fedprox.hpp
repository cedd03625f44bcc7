// FedProx — Li, Sahu, Zaheer, Sanjabi, Talwalkar, Smith, "Federated Optimization in
// Heterogeneous Networks", MLSys 2020, Algorithm 2.
//
// FedAvg whose clients minimise h_k(w; w_t) = F_k(w) + (μ/2) ||w − w_t||²: the local step adds
// μ (w − w_t) to the gradient. Aggregation and wire are FedAvg's.
//
// Paper and FL-Simulator differ only where a clip applies: FL-Simulator clips g − μ w_t
// together (its loss adds −μ⟨w, w_t⟩) and adds μ w unclipped; here the whole prox term stays
// outside the clip (clip_scope "corrected"), as the paper, which has no clip, implies.
#pragma once
#include "algorithms/fl/fedavg.hpp"

namespace flemu {

/// `base` plus FedProx's proximal term μ (w − w_t), w_t = the model the client received.
inline LocalStep fedprox_step(LocalStep base, double mu) {
  base.prox_mu = mu;
  return base;
}

class FedProx : public FedAvg {
 public:
  using FedAvg::FedAvg;
  std::string name() const override { return "fedprox"; }
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override {
    ClientPlan p = FedAvg::plan(client, round, global);
    p.local.rule = fedprox_step(p.local.rule, spec_.prox_mu);
    return p;
  }
};

}  // namespace flemu

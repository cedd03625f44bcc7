// FedSAM — Qu, Li, Duan, Liu, Tang, Lu, "Generalized Federated Learning via Sharpness Aware
// Minimization", ICML 2022: the FedSAM algorithm (its algorithm number could not be checked here).
//
// FedAvg whose clients take sharpness-aware (SAM; Foret et al., ICLR 2021) steps: on each
// minibatch B,
//     e = ρ g(w) / ‖g(w)‖            (ascent to the worst point of a ρ-ball, same B)
//     w ← w − η g(w + e)
// Two gradient evaluations per step: the simulated flops double. Server and wire are
// FedAvg's (1 model each way). FL-Simulator: client/fedsam.py with optimizer/ESAM.py
// (normalised ascent, ‖·‖ + 1e-7); ρ 0.1 there (card §3.7).
#pragma once
#include "algorithms/fl/fedavg.hpp"

namespace flemu {

/// `base` with its gradient taken at the SAM point w + ρ g/‖g‖.
inline LocalStep fedsam_step(LocalStep base, double rho) {
  base.ascent = LocalStep::Ascent::Normalized;
  base.rho = rho;
  base.grad_weight = 0;
  base.perturbed_weight = 1;
  return base;
}

class FedSam : public FedAvg {
 public:
  using FedAvg::FedAvg;
  std::string name() const override { return "fedsam"; }
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override {
    ClientPlan p = FedAvg::plan(client, round, global);
    p.local.rule = fedsam_step(p.local.rule, spec_.rho);
    return p;
  }
};

}  // namespace flemu

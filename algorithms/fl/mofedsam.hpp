// MoFedSAM — Qu, Li, Duan, Liu, Tang, Lu, "Generalized Federated Learning via Sharpness Aware
// Minimization", ICML 2022: the MoFedSAM algorithm (FedSAM with client-level momentum); as FL-Simulator
// runs it (server/MoFedSAM.py, client/mofedsam.py; card local-rules.md §3.8).
//
//   Client:  each step  e = ρ g/‖g‖;  w ← w − η [ α g(w + e) + (1 − α) m^t ]
//   Server:  FedCM's: FedAvg, and m^{t+1} = −Δ̄^t/(K η_t) for the next round.
//
// FedCM's step with the gradient taken at the SAM point. Two gradient evaluations per step.
// Server state: m. Wire: x and m down (2x), the model up (1x).
#pragma once
#include "algorithms/fl/fedcm.hpp"
#include "algorithms/fl/fedsam.hpp"

namespace flemu {

class MoFedSam : public FedCm {
 public:
  using FedCm::FedCm;
  std::string name() const override { return "mofedsam"; }
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override {
    ClientPlan p = FedCm::plan(client, round, global);
    LocalStep s = fedsam_step(p.local.rule, spec_.rho);
    s.perturbed_weight = spec_.gradient_weight;  // α g(w + e); (1 − α) m is FedCm's correction
    p.local.rule = s;
    return p;
  }
};

}  // namespace flemu

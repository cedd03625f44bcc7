// FedGamma — "FedGAMMA: Federated Learning With Global Sharpness-Aware Minimization", IEEE
// TNNLS 2023 (doi 10.1109/TNNLS.2023.3304453); as FL-Simulator implements it (server/FedGamma.py,
// client/fedgamma.py; card local-rules.md §3.9): SCAFFOLD's control variates with SAM steps.
//
//   Client:  each step  e = ρ g/‖g‖;  w ← w − η [ g(w + e) + c − c_i ];  then SCAFFOLD's
//            option-II c_i⁺ = c_i − c − Δ_i/(K η)
//   Server:  SCAFFOLD's: x ← x + η_g Δ̄;  c ← c + (1/N) Σ Δc_i
//
// The published FedGAMMA is described as a "global SAM"; this is the SCAFFOLD + SAM reading
// the FL-Simulator code runs (do not expect the paper's own numbers). FL-Simulator's README
// uses ρ = 0.01 for it. Per-client state c_i; server c. Wire: 2x each way. Two gradient
// evaluations per step.
#pragma once
#include "algorithms/fl/fedsam.hpp"
#include "algorithms/fl/scaffold.hpp"

namespace flemu {

class FedGamma : public Scaffold {
 public:
  using Scaffold::Scaffold;
  std::string name() const override { return "fedgamma"; }
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override {
    ClientPlan p = Scaffold::plan(client, round, global);
    p.local.rule = fedsam_step(p.local.rule, spec_.rho);
    return p;
  }
};

}  // namespace flemu

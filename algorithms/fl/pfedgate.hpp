// pFedGate — Chen, Yao, Gao, Ding, Li, "Efficient Personalized Federated Learning via Sparse
// Model-Adaptation", ICML 2023 (arXiv 2305.02776); as the authors' code runs it (yxdyc/pFedGate
// @b8cfa15: pFedGate/gated_learner.py, gated_client.py, gate_aggregator.py,
// models/gating_layers.py; card local-rules.md §5, bi_level_opt 0 as in every README command).
//
//   Server: the global base model θ.
//   Client i (keeps its gate φ_i, never sent, and both optimizers' momentum buffers):
//     for each minibatch B of its local epochs:
//       a = mean_B σ(BN(Linear_φ(x)));  m = the blocks kept under budget s_i (gating.hpp)
//       θ̃ = θ ⊙ a ⊙ m (straight-through);  one backward through ℓ(θ̃; B) fills θ's and φ's
//       gradients; θ and φ each take an SGD step with momentum (lr and gate_lr), weight decay,
//       and each gradient clipped on its own (clip_scope "gradient").
//     send θ_i.
//   Server: θ ← Σ_{i∈P_t} n_i θ_i / Σ_{i∈P_t} n_i (FedAvg over the sampled clients).
//     Option online_aggregation: the code's default, θ ← θ + Σ_{i∈P_t} (n_i / n_all)(θ_i − θ),
//     as if the clients not sampled sent the old θ: a server step of the sampled data share
//     (card trap 5).
//
// s_i is the resource budget of client i's device class (key budgets: class name → s, "*" for
// the rest; the code has one s for everyone). A device's simulated compute is the real flop
// count of the sub-models its masks chose, batch by batch, plus the gate: a small budget
// finishes sooner in simulated time and uses less energy.
// Persistent client state: φ_i with its BatchNorm statistics, its momentum, and θ's momentum
// buffer (d floats: the code keeps its optimizers in the client across rounds, card trap 6).
// Nothing reads a test metric (card trap 2): learning rates and budgets are constant.
// Wire: θ dense both ways (what the code sends); wire "sparse" charges the paper's idealised
// accounting instead: the kept share of θ as float32 plus a one-bit-per-parameter mask, each way.
// Evaluation: evaluation.per_client scores every client's θ with its own gate on its own
// held-out split (and the global θ beside it).
#pragma once
#include "algorithms/fl/fedavg.hpp"

namespace flemu {

/// The budget s of a device of class `class_name`: budgets[class_name], else budgets["*"], else 1.
double pfedgate_budget(const std::map<std::string, double>& budgets, const std::string& class_name);

/// The code's online aggregation: θ + Σ_i (n_i / n_all)(θ_i − θ). Throws std::invalid_argument
/// if n_all is not positive.
Params pfedgate_online_average(const Params& global, const std::vector<ClientUpdate>& updates, double n_all);

class PFedGate : public FedAvg {
 public:
  PFedGate(const AlgorithmSpec& spec, const AlgorithmContext& context)
      : FedAvg(spec, context, {"gate", "gate_momentum", "model_momentum"}) {}
  std::string name() const override { return "pfedgate"; }
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override;
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;
  bool personalizes() const override { return true; }
  PersonalModel personal_model(int client) const override;

 private:
  /// Client `client`'s gate job: its budget, the gate's step, its state (a fresh gate if none).
  std::shared_ptr<const GateJob> gate_job(int client) const;
};

}  // namespace flemu

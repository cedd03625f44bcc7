// FedDyn — Acar, Zhao, Matas, Mattina, Whatmough, Saligrama, "Federated Learning Based on
// Dynamic Regularization", ICLR 2021, Algorithm 1; in FL-Simulator's per-client form
// (server/FedDyn.py, client/feddyn.py; card local-rules.md §3.5).
//
//   Client i (receives x^t; keeps its dual h_i, zero at first):
//       each step:  w ← w − η [ g(w) + λ (h_i − x^t) + λ w ]        (+ the conventions' wd w)
//       h_i ← h_i + (x_{i,K} − x^t)
//   Server:  x^{t+1} = x̄ + (1/N) Σ_{j=1..N} h_j      x̄ = mean of the x_{i,K} over P_t
//
// This is the paper's algorithm with λ = α: the paper's local gradient −∇L_i(θ_i^{t−1}) equals
// λ h_i, its server state h^t equals −λ (1/N) Σ_j h_j, and θ^t = x̄ − h^t/α. The sum runs over
// all N clients (those never selected contribute 0); the server keeps it as a running sum.
// FL-Simulator clips g + λ(h_i − x^t) and adds λ w outside the clip (clip_scope "corrected").
// Per-client state: h_i (d floats). Server: Σ_j h_j. Wire: the model each way (the client
// forms h_i − x^t itself). The server learning rate is not used.
#pragma once
#include "algorithms/algorithm.hpp"

namespace flemu {

/// h_i + (end − start); a null h_i is zero.
Params feddyn_client_dual(const Params* h_i, const Params& start, const Params& end);

/// x̄ + dual_sum / N (a null dual_sum is zero). Throws std::invalid_argument for N < 1 or sizes
/// that differ.
Params feddyn_server_model(const Params& mean_model, const Params* dual_sum, int num_clients);

/// `base` with FedDyn's dynamic regulariser: correction λ (h_i − x^t) inside the clip, λ w
/// added to the weight decay.
LocalStep feddyn_step(LocalStep base, double lambda);
/// λ (h_i − x^t) as a combination of the shared vectors (h_i null: −λ x^t only).
Combination feddyn_correction(double lambda, const std::shared_ptr<const Params>& h_i,
                              const std::shared_ptr<const Params>& global);

class FedDyn : public SyncAlgorithm {
 public:
  FedDyn(const AlgorithmSpec& spec, const AlgorithmContext& context) : FedDyn(spec, context, {"h_i"}) {}
  std::string name() const override { return "feddyn"; }
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override;
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;

 protected:
  FedDyn(const AlgorithmSpec& spec, const AlgorithmContext& context, std::vector<std::string> slots)
      : SyncAlgorithm(spec, context, std::move(slots)) {}
  int64_t server_state_bytes() const override;
  /// Commits each sender's h_i ← h_i + Δ_i (slot 0) and adds Δ_i to the running Σ_j h_j.
  void update_duals(const std::vector<ClientUpdate>& updates);
  std::shared_ptr<const Params> dual_sum_;  ///< Σ_j h_j over all clients (null = zero)
};

}  // namespace flemu

// SCAFFOLD — Karimireddy, Kale, Mohri, Reddi, Stich, Suresh, "SCAFFOLD: Stochastic Controlled
// Averaging for Federated Learning", ICML 2020, Algorithm 1 with option II.
//
//   Client i (receives x, c):  y ← x;  K times:  y ← y − η (g_i(y) − c_i + c)
//       c_i⁺ ← c_i − c + (x − y) / (K η)                              (option II)
//       send (Δy_i = y − x, Δc_i = c_i⁺ − c_i);  c_i ← c_i⁺
//   Server:  x ← x + η_g · mean_{i∈S} Δy_i ;   c ← c + (1/N) Σ_{i∈S} Δc_i
//
// c_i⁺ uses the c of before this round's server update. K is the number of steps the client
// really took (FL-Simulator uses client 0's E·n/B as a float for everyone, card §3.4 trap).
// The mean of Δy is sample-weighted (equal sizes in flemu's partitions: the paper's mean).
// Per-client state: c_i (d floats, zero before the client's first round); server: c.
// Wire: 2x FedAvg both ways (x and c down, Δy and Δc up).
#pragma once
#include "algorithms/fl/fedavg.hpp"

namespace flemu {

/// Option II: c_i⁺ = c_i − c − (y − x)/(K η); a null c_i or c is zero. Throws
/// std::invalid_argument for K < 1, η <= 0 or sizes that differ.
Params scaffold_client_variate(const Params* c_i, const Params* c, const Params& x, const Params& y, int steps,
                               double lr);

/// The server's variate after a round: c + (1/N) Σ_i Δc_i (a null c is zero).
Params scaffold_server_variate(const Params* c, const std::vector<Params>& deltas, int num_clients);

/// `base` corrected by c − c_i (added to the gradient, inside the clip like FL-Simulator's).
LocalStep scaffold_step(LocalStep base);
/// The correction c − c_i as a combination of the shared vectors (null ones left out).
Combination scaffold_correction(const std::shared_ptr<const Params>& c, const std::shared_ptr<const Params>& c_i);

class Scaffold : public FedAvg {
 public:
  Scaffold(const AlgorithmSpec& spec, const AlgorithmContext& context) : FedAvg(spec, context, {"c_i"}) {}
  std::string name() const override { return "scaffold"; }
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override;
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;

 protected:
  int64_t server_state_bytes() const override { return c_ ? int64_t(c_->size() * sizeof(float)) : 0; }
  /// Commits each sender's c_i⁺ and moves c (FedGamma shares this server).
  void update_variates(const std::vector<ClientUpdate>& updates);
  std::shared_ptr<const Params> c_;  ///< the server's control variate (null = zero)
};

/// SCAFFOLD's wire: model and control variate each way.
Wire scaffold_wire(int64_t model_bytes);

}  // namespace flemu

// FedAvgM — Hsu, Qi, Brown, "Measuring the Effects of Non-Identical Data Distribution for
// Federated Visual Classification", 2019 (FedAvg with server momentum), in the notation of
// Reddi et al., ICLR 2021 ("Adaptive Federated Optimization", FedAvgM baseline):
//
//   Clients: FedAvg's.   Δ^t = mean_{i∈S} (x_{i,K} − x^t)
//   Server:  m ← β m + Δ;   x ← x + η m        (η = server_lr, β = server_momentum)
//
// β = 0 is FedAvg with server learning rate η. Server state: m (d). Wire: the model each way.
#pragma once
#include "algorithms/fl/fedavg.hpp"

namespace flemu {

/// m ← β m + Δ (empty m: zero), then x + η m.
Params server_momentum_step(Params& momentum, const Params& x, const Params& delta, double lr, double beta);

class FedAvgM : public FedAvg {
 public:
  using FedAvg::FedAvg;
  std::string name() const override { return "fedavgm"; }
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;

 protected:
  int64_t server_state_bytes() const override { return static_cast<int64_t>(m_.size() * sizeof(float)); }

 private:
  Params m_;
};

}  // namespace flemu

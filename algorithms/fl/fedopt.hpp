// FedAdam and FedYogi — Reddi, Charles, Zaheer, Garrett, Rush, Konečný, Kumar, McMahan,
// "Adaptive Federated Optimization", ICLR 2021, Algorithm 2 (FedOpt with an adaptive server).
//
//   Clients: FedAvg's (local SGD from x^t).   Δ^t = mean_{i∈S} (x_{i,K} − x^t)
//   Server:  m ← β1 m + (1 − β1) Δ
//            v ← β2 v + (1 − β2) Δ²                          (FedAdam)
//            v ← v − (1 − β2) Δ² sign(v − Δ²)                (FedYogi)
//            x ← x + η m / (√v + τ)                          (elementwise; η = server_lr)
//
// As in the paper: no bias correction, m starts at 0 and v at τ². FL-Simulator's FedAdam
// (card §3.3) is the same with τ = 0.01 and v starting at 0; its README uses η = 0.1 or 0.05
// with local lr 0.1. Server state: m, v (2d). Wire: the model each way.
#pragma once
#include "algorithms/fl/fedavg.hpp"

namespace flemu {

struct AdaptiveServerState {
  Params m, v;  ///< first and second moments (empty before the first round)
};

enum class SecondMoment { Adam, Yogi };

/// One server step: updates `state` with Δ and returns x + η m/(√v + τ). Throws
/// std::invalid_argument when sizes differ.
Params adaptive_server_step(AdaptiveServerState& state, const Params& x, const Params& delta, SecondMoment kind,
                            double lr, double beta1, double beta2, double tau);

class FedAdaptive : public FedAvg {
 public:
  FedAdaptive(const AlgorithmSpec& spec, const AlgorithmContext& context, SecondMoment kind)
      : FedAvg(spec, context), kind_(kind) {}
  std::string name() const override { return kind_ == SecondMoment::Adam ? "fedadam" : "fedyogi"; }
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;

 protected:
  int64_t server_state_bytes() const override {
    return static_cast<int64_t>((state_.m.size() + state_.v.size()) * sizeof(float));
  }

 private:
  SecondMoment kind_;
  AdaptiveServerState state_;
};

}  // namespace flemu

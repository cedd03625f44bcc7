// FedProx — Li, Sahu, Zaheer, Sanjabi, Talwalkar, Smith, "Federated Optimization in
// Heterogeneous Networks", MLSys 2020, Algorithm 2.
//
// FedAvg whose clients minimise h_k(w; w_t) = F_k(w) + (mu/2) ||w - w_t||^2: the local step
// adds mu (w - w_t) to the gradient (workloads/models/torch_trainer.cpp). Aggregation is FedAvg's.
#pragma once
#include "algorithms/fl/fedavg.hpp"

namespace flemu {

class FedProx : public FedAvg {
 public:
  using FedAvg::FedAvg;
  std::string name() const override { return "fedprox"; }
  LocalTrainingSpec local_training(int client, int round) const override {
    LocalTrainingSpec l = FedAvg::local_training(client, round);
    l.prox_mu = spec_.prox_mu;
    return l;
  }
};

}  // namespace flemu

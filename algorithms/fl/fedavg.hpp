// FedAvg — McMahan, Moore, Ramage, Hampson, Agüera y Arcas, "Communication-Efficient
// Learning of Deep Networks from Decentralized Data", AISTATS 2017, Algorithm 1.
//
//   Server: for each round t: S_t <- random set of max(C*K, 1) clients;
//           each k in S_t runs ClientUpdate(k, w_t); w_{t+1} <- sum_k n_k/n * w^k_{t+1}
//   ClientUpdate(k, w): E epochs of minibatch SGD (batch B, step eta) over P_k; return w.
//
// With server_lr != 1 the server moves by server_lr towards the average (Reddi et al. 2021,
// "Adaptive Federated Optimization", FedAvg with server learning rate).
#pragma once
#include "algorithms/algorithm.hpp"

namespace flemu {

class FedAvg : public SyncAlgorithm {
 public:
  explicit FedAvg(const AlgorithmSpec& spec) : SyncAlgorithm(spec) {}
  std::string name() const override { return "fedavg"; }
  LocalTrainingSpec local_training(int client, int round) const override;
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;
};

/// Sample-weighted average of the updates' parameters (n_k / n weights).
Params fedavg_average(const std::vector<ClientUpdate>& updates);

}  // namespace flemu

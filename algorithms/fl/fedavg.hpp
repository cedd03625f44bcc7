// FedAvg — McMahan, Moore, Ramage, Hampson, Agüera y Arcas, "Communication-Efficient
// Learning of Deep Networks from Decentralized Data", AISTATS 2017, Algorithm 1.
//
//   Server: for each round t: S_t <- random set of max(C*K, 1) clients;
//           each k in S_t runs ClientUpdate(k, w_t); w_{t+1} <- sum_k n_k/n * w^k_{t+1}
//   ClientUpdate(k, w): E epochs of minibatch SGD (batch B, step eta) over P_k; return w.
//
// With server_lr != 1 the server moves by server_lr towards the average (Reddi et al. 2021,
// "Adaptive Federated Optimization", FedAvg with server learning rate). Wire: the model down,
// the client's model up.
#pragma once
#include "algorithms/algorithm.hpp"

namespace flemu {

class FedAvg : public SyncAlgorithm {
 public:
  FedAvg(const AlgorithmSpec& spec, const AlgorithmContext& context, std::vector<std::string> client_slots = {})
      : SyncAlgorithm(spec, context, std::move(client_slots)) {}
  std::string name() const override { return "fedavg"; }
  /// Plain local SGD under the spec's conventions; the model both ways.
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override;
  /// global + server_lr (x̄ − global).
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;
};

/// Sample-weighted average of the updates' parameters (n_k / n weights): x̄. flemu's
/// partitions give every client samples_per_client samples, so this is also the plain mean
/// most papers write.
Params fedavg_average(const std::vector<ClientUpdate>& updates);

}  // namespace flemu

// Federated LoRA — the adapter of Hu et al., "LoRA: Low-Rank Adaptation of Large Language
// Models", ICLR 2022 (h = W x + (alpha/r) B A x; A ~ U(+-1/sqrt(in)), B = 0; W frozen),
// federated with FedAvg (McMahan et al. 2017, Algorithm 1) over the adapters only, as in
// FedIT (Zhang et al., "Towards Building the Federated GPT", ICASSP 2024):
//
//   Server: send the adapters {A_l, B_l}; receive each client's trained adapters;
//           {A, B} <- sum_k n_k/n {A^k, B^k}   (A and B averaged separately)
//   Client: E epochs of SGD on the adapters; the base model is on the device already (the
//           pretrained checkpoint) and never travels.
//
// Averaging A and B separately is not averaging the products B A (the mean of products is
// not the product of means); this is the method as published, and the known source of
// federated LoRA's drift on non-IID clients. Rank, alpha and target modules: LoraSpec
// (workloads/models/transformer.hpp); the trainer trains exactly the adapters.
#pragma once
#include "algorithms/fl/fedavg.hpp"
#include "algorithms/llm/trainable.hpp"

namespace flemu {

class FedLora : public FedAvg {
 public:
  FedLora(const AlgorithmSpec& spec, const AlgorithmContext& context);
  std::string name() const override { return "lora"; }
  /// FedAvg's local work; the adapters both ways.
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override;
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override;

 private:
  ModelInfo model_;
};

}  // namespace flemu

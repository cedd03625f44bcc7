// Plain split federated learning (SplitFed-V1) — Thapa, Arachchige, Camtepe, Sun, "SplitFed:
// When Federated Learning Meets Split Learning", AAAI 2022, Algorithm 1 (with the U-shaped
// split of SFPrompt's comparison, so labels stay on the device):
//
//   round r: server -> selected clients: the device part (head and tail)
//     per batch: head activations up, body output down, its gradient up, the gradient of the
//                head output down (split_learning.hpp); the device updates head and tail, the
//                server updates its copy of the body for that client
//   upload the device part; server: FedAvg of the device parts, and of the body copies
//
// Every parameter trains, so the model after a round equals FedAvg full fine-tuning's with
// the same batches (the split step gives the unsplit gradients; a test checks it): what
// changes is where the flops are spent and what crosses the network. The server's body
// copies cost it no network; their average is one FedAvg over the whole vector.
#pragma once
#include "algorithms/llm/split_fedavg.hpp"

namespace flemu {

class SplitFed final : public SplitFedAvg {
 public:
  SplitFed(const AlgorithmSpec& spec, const AlgorithmContext& context);
  std::string name() const override { return "sfl"; }
  /// FedAvg's local work; the device's part of the model both ways.
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override;
};

}  // namespace flemu

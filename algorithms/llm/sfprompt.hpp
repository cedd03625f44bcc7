// SFPrompt — Cao, Zhu, Gong, "SFPrompt: Communication-Efficient Split Federated Fine-Tuning
// for Large Pre-Trained Models over Resource-Limited Devices", arXiv 2407.17533 (2024). No
// official code; the protocol is the card's recommended reading
// (../shared/cards/systems.md §5b), to verify against the paper:
//
//   round r: server -> selected clients: soft prompt p and tail W_t (FedAvg state)
//     A) local-loss update, no network: train p and W_t on CE(tail(head_p(x)), y), skipping
//        the body, for local_loss_passes passes (the card's E_local epochs; here each pass is
//        as long as the round's local training, so that local_steps bounds the whole round)
//     B) dataset pruning, no network: EL2N(x) = ||softmax(f(x)) - onehot(y)||_2 (here: the mean
//        over a window's target tokens) under the local head -> tail model; keep the share
//        keep_fraction with the HIGHEST score (the hardest), ties by index
//     C) split training on the kept windows, per batch: activations up, the frozen body's
//        output down, its gradient up, the head output's gradient down (split_learning.hpp);
//        update p and W_t
//   upload p and W_t; server: FedAvg (sample-weighted) over them.
//
// The head (embeddings and first blocks) and the body are frozen; the body is one copy on the
// server shared by every client (its compute is the server's, contended when many clients
// use it at once). The card leaves the order of A and B open (the unofficial code prunes
// first); here A runs first, as the card recommends.
#pragma once
#include "algorithms/llm/split_fedavg.hpp"

namespace flemu {

class SfPrompt final : public SplitFedAvg {
 public:
  SfPrompt(const AlgorithmSpec& spec, const AlgorithmContext& context);
  std::string name() const override { return "sfprompt"; }
  /// FedAvg's local work; the soft prompt and the tail both ways.
  ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) override;
};

}  // namespace flemu

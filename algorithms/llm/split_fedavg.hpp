// What SplitFed (sfl.hpp) and SFPrompt (sfprompt.hpp) share: FedAvg over the part of a split
// model that trains, with the split plan (split_learning.hpp) that tells the schedule where
// the model is cut. The two differ only in what trains (sfl: head, tail and the server's
// per-client body copies; sfprompt: the soft prompt and the tail) and so in what travels.
#pragma once
#include "algorithms/fl/fedavg.hpp"
#include "algorithms/llm/split_learning.hpp"
#include "algorithms/llm/trainable.hpp"

namespace flemu {

class SplitFedAvg : public FedAvg {
 public:
  /// `local_phases`: whether a client runs SFPrompt's local-loss and pruning phases before
  /// its split training.
  SplitFedAvg(const AlgorithmSpec& spec, const AlgorithmContext& context, bool local_phases)
      : FedAvg(spec, context), model_(context.model), plan_(make_split_plan(model_, spec.split, local_phases)) {}
  const SplitPlan* split_plan() const override { return &plan_; }
  /// FedAvg (sample-weighted, server_lr) over the trainable parameters only.
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) override {
    return average_trainable(model_, global, updates, spec_.server_lr);
  }

 protected:
  ModelInfo model_;
  SplitPlan plan_;
};

}  // namespace flemu

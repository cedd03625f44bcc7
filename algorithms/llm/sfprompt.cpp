#include "algorithms/llm/sfprompt.hpp"

namespace flemu {

SfPrompt::SfPrompt(const AlgorithmSpec& spec, const AlgorithmContext& context)
    : FedAvg(spec, context), model_(context.model),
      plan_(make_split_plan(model_, spec.split, /*local_phases=*/true)) {}

ClientPlan SfPrompt::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  ClientPlan p = FedAvg::plan(client, round, global);
  p.wire = trainable_both_ways("prompt and tail", model_);
  return p;
}

Params SfPrompt::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  return average_trainable(model_, global, updates, spec_.server_lr);
}

}  // namespace flemu

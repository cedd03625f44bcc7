#include "algorithms/llm/sfprompt.hpp"

namespace flemu {

SfPrompt::SfPrompt(const AlgorithmSpec& spec, const AlgorithmContext& context)
    : SplitFedAvg(spec, context, /*local_phases=*/true) {}

ClientPlan SfPrompt::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  ClientPlan p = FedAvg::plan(client, round, global);
  p.wire = trainable_both_ways("prompt and tail", model_);
  return p;
}

}  // namespace flemu

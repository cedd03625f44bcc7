#include "algorithms/llm/lora.hpp"

namespace flemu {

FedLora::FedLora(const AlgorithmSpec& spec, const AlgorithmContext& context)
    : FedAvg(spec, context), model_(context.model) {}

ClientPlan FedLora::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  ClientPlan p = FedAvg::plan(client, round, global);
  p.wire = trainable_both_ways("adapters", model_);
  return p;
}

Params FedLora::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  return average_trainable(model_, global, updates, spec_.server_lr);
}

}  // namespace flemu

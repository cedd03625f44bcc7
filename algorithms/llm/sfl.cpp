#include "algorithms/llm/sfl.hpp"

namespace flemu {

SplitFed::SplitFed(const AlgorithmSpec& spec, const AlgorithmContext& context)
    : FedAvg(spec, context), model_(context.model),
      plan_(make_split_plan(model_, spec.split, /*local_phases=*/false)) {}

ClientPlan SplitFed::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  ClientPlan p = FedAvg::plan(client, round, global);
  const int64_t bytes = 4 * device_part_params(model_);
  p.wire = {{{{"device part", bytes}}}, {{{"device part", bytes}}}};
  return p;
}

Params SplitFed::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  return average_trainable(model_, global, updates, spec_.server_lr);
}

}  // namespace flemu

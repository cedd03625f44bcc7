#include "algorithms/llm/sfl.hpp"

namespace flemu {

SplitFed::SplitFed(const AlgorithmSpec& spec, const AlgorithmContext& context)
    : SplitFedAvg(spec, context, /*local_phases=*/false) {}

ClientPlan SplitFed::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  ClientPlan p = FedAvg::plan(client, round, global);
  const int64_t bytes = 4 * device_part_params(model_);
  p.wire = {{{{"device part", bytes}}}, {{{"device part", bytes}}}};
  return p;
}

}  // namespace flemu

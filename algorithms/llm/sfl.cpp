#include "algorithms/llm/sfl.hpp"

namespace flemu {

SplitFed::SplitFed(const AlgorithmSpec& spec, const ModelInfo& model)
    : FedAvg(spec), model_(model), plan_(make_split_plan(model, spec.split, /*local_phases=*/false)),
      encoder_(4ull * static_cast<uint64_t>(device_part_params(model))) {}

Download SplitFed::download(int, int, const std::shared_ptr<const Params>& global, const ModelInfo&) {
  return {global, 4ull * static_cast<uint64_t>(device_part_params(model_)), 0};
}

Params SplitFed::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  return average_trainable(model_, global, updates, spec_.server_lr);
}

}  // namespace flemu

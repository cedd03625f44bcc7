#include "algorithms/llm/sfprompt.hpp"

namespace flemu {

SfPrompt::SfPrompt(const AlgorithmSpec& spec, const ModelInfo& model)
    : FedAvg(spec), model_(model), plan_(make_split_plan(model, spec.split, /*local_phases=*/true)),
      encoder_(dense_trainable_bytes(model)) {}

Download SfPrompt::download(int, int, const std::shared_ptr<const Params>& global, const ModelInfo&) {
  return {global, dense_trainable_bytes(model_), 0};  // the prompt and the tail
}

Params SfPrompt::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  return average_trainable(model_, global, updates, spec_.server_lr);
}

}  // namespace flemu

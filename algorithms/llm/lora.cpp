#include "algorithms/llm/lora.hpp"

namespace flemu {

FedLora::FedLora(const AlgorithmSpec& spec, const ModelInfo& model)
    : FedAvg(spec), model_(model), encoder_(dense_trainable_bytes(model)) {}

Download FedLora::download(int, int, const std::shared_ptr<const Params>& global, const ModelInfo&) {
  return {global, dense_trainable_bytes(model_), 0};
}

Params FedLora::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  return average_trainable(model_, global, updates, spec_.server_lr);
}

}  // namespace flemu

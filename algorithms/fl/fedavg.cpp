#include "algorithms/fl/fedavg.hpp"

#include "algorithms/aggregation.hpp"
#include "algorithms/fl/client_steps.hpp"

namespace flemu {

ClientPlan FedAvg::plan(int, int round, const std::shared_ptr<const Params>&) {
  return {conventional_local_training(spec_, round), model_both_ways(context_.model_bytes)};
}

Params fedavg_average(const std::vector<ClientUpdate>& updates) {
  std::vector<const Params*> xs;
  std::vector<double> w;
  for (const auto& u : updates) {
    xs.push_back(u.params.get());
    w.push_back(static_cast<double>(u.num_samples));
  }
  return weighted_average(xs, w);
}

Params FedAvg::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  return server_step(global, fedavg_average(updates), spec_.server_lr);
}

}  // namespace flemu

#include "algorithms/fl/fedavg.hpp"

#include "algorithms/aggregation.hpp"

namespace flemu {

LocalTrainingSpec FedAvg::local_training(int, int) const {
  LocalTrainingSpec l;
  l.epochs = spec_.local_epochs;
  l.steps = spec_.local_steps;
  l.batch_size = spec_.batch_size;
  l.lr = spec_.lr;
  return l;
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

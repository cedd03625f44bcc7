#include "algorithms/fl/feddyn.hpp"

#include <stdexcept>

#include "algorithms/aggregation.hpp"
#include "algorithms/fl/client_steps.hpp"
#include "algorithms/fl/fedavg.hpp"

namespace flemu {

Params feddyn_client_dual(const Params* h_i, const Params& start, const Params& end) {
  return add_scaled(h_i, 1.0, difference(end, start));
}

Params feddyn_server_model(const Params& mean_model, const Params* dual_sum, int num_clients) {
  if (num_clients < 1) throw std::invalid_argument("feddyn_server_model: num_clients must be >= 1");
  if (!dual_sum) return mean_model;
  return add_scaled(&mean_model, 1.0 / num_clients, *dual_sum);
}

LocalStep feddyn_step(LocalStep base, double lambda) {
  base.weight_decay += lambda;
  return base;
}

Combination feddyn_correction(double lambda, const std::shared_ptr<const Params>& h_i,
                              const std::shared_ptr<const Params>& global) {
  Combination terms;
  if (h_i) terms.push_back({lambda, h_i});
  terms.push_back({-lambda, global});
  return terms;
}

ClientPlan FedDyn::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  ClientPlan p{conventional_local_training(spec_, round), model_both_ways(context_.model_bytes)};
  p.local.rule = feddyn_step(p.local.rule, spec_.lambda);
  p.local.inputs.correction = feddyn_correction(spec_.lambda, clients_.get(client, 0), global);
  return p;
}

void FedDyn::update_duals(const std::vector<ClientUpdate>& updates) {
  for (const auto& u : updates) {
    const Params delta = difference(*u.params, *u.start);
    clients_.put(u.client, 0, add_scaled(clients_.get(u.client, 0).get(), 1.0, delta));
    dual_sum_ = std::make_shared<const Params>(add_scaled(dual_sum_.get(), 1.0, delta));
  }
}

Params FedDyn::aggregate(const Params&, const std::vector<ClientUpdate>& updates) {
  const Params mean = fedavg_average(updates);
  update_duals(updates);
  return feddyn_server_model(mean, dual_sum_.get(), context_.num_clients);
}

int64_t FedDyn::server_state_bytes() const {
  return dual_sum_ ? static_cast<int64_t>(dual_sum_->size() * sizeof(float)) : 0;
}

}  // namespace flemu

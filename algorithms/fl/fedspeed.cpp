#include "algorithms/fl/fedspeed.hpp"

#include "algorithms/aggregation.hpp"
#include "algorithms/fl/client_steps.hpp"

namespace flemu {

LocalStep fedspeed_step(LocalStep base, double rho, double lambda, double merge_alpha, LocalStep::Ascent ascent) {
  LocalStep s = feddyn_step(base, lambda);
  s.ascent = ascent;
  s.rho = rho;
  s.grad_weight = 1.0 - merge_alpha;
  s.perturbed_weight = merge_alpha;
  return s;
}

Params fedspeed_active_average(const std::vector<ClientUpdate>& updates,
                               const std::vector<std::shared_ptr<const Params>>& duals) {
  std::vector<Params> hats;
  std::vector<double> weights;
  for (size_t i = 0; i < updates.size(); ++i) {
    hats.push_back(add_scaled(updates[i].params.get(), 1.0, *duals.at(i)));
    weights.push_back(static_cast<double>(updates[i].num_samples));
  }
  std::vector<const Params*> xs;
  for (const auto& h : hats) xs.push_back(&h);
  return weighted_average(xs, weights);
}

ClientPlan FedSpeed::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  ClientPlan p{conventional_local_training(spec_, round), model_both_ways(context_.model_bytes)};
  p.local.rule = fedspeed_step(p.local.rule, spec_.rho, spec_.lambda, spec_.merge_alpha, spec_.ascent);
  p.local.inputs.correction = feddyn_correction(spec_.lambda, clients_.get(client, 0), global);
  return p;
}

Params FedSpeed::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  if (spec_.dual_average == AlgorithmSpec::DualAverage::All) return FedDyn::aggregate(global, updates);
  update_duals(updates);
  std::vector<std::shared_ptr<const Params>> duals;
  for (const auto& u : updates) duals.push_back(clients_.get(u.client, 0));
  return fedspeed_active_average(updates, duals);
}

}  // namespace flemu

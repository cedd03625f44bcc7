#include "algorithms/fl/fedcm.hpp"

#include <stdexcept>

#include "algorithms/aggregation.hpp"

namespace flemu {

Params fedcm_momentum(const std::vector<ClientUpdate>& updates) {
  if (updates.empty()) throw std::invalid_argument("fedcm_momentum: no updates");
  std::vector<Params> grads;
  std::vector<double> weights;
  for (const auto& u : updates) {
    if (u.local_steps < 1 || !(u.local_lr > 0))
      throw std::invalid_argument("fedcm_momentum: an update without steps or learning rate");
    Params g = difference(*u.params, *u.start);
    const double scale = -1.0 / (u.local_steps * u.local_lr);
    for (auto& v : g) v = static_cast<float>(scale * v);
    grads.push_back(std::move(g));
    weights.push_back(static_cast<double>(u.num_samples));
  }
  std::vector<const Params*> xs;
  for (const auto& g : grads) xs.push_back(&g);
  return weighted_average(xs, weights);
}

LocalStep fedcm_step(LocalStep base, double alpha) {
  base.grad_weight = alpha;
  return base;
}

Combination fedcm_correction(double alpha, const std::shared_ptr<const Params>& momentum) {
  if (!momentum) return {};
  return {{1.0 - alpha, momentum}};
}

Wire fedcm_wire(int64_t model_bytes) {
  return {{{{"model", model_bytes}, {"global momentum", model_bytes}}}, {{{"model", model_bytes}}}};
}

ClientPlan FedCm::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  ClientPlan p = FedAvg::plan(client, round, global);
  p.local.rule = fedcm_step(p.local.rule, spec_.gradient_weight);
  p.local.inputs.correction = fedcm_correction(spec_.gradient_weight, m_);
  p.wire = fedcm_wire(context_.model_bytes);
  return p;
}

Params FedCm::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  m_ = std::make_shared<const Params>(fedcm_momentum(updates));
  return FedAvg::aggregate(global, updates);
}

}  // namespace flemu

#include "algorithms/fl/fedsmoo.hpp"

#include <stdexcept>

#include "algorithms/aggregation.hpp"
#include "algorithms/fl/client_steps.hpp"
#include "algorithms/fl/fedavg.hpp"

namespace flemu {

namespace {
constexpr int kDual = 0, kMu = 1;  // client slots
}

LocalStep fedsmoo_step(LocalStep base, double rho, double lambda) {
  LocalStep s = feddyn_step(base, lambda);
  s.ascent = LocalStep::Ascent::Normalized;
  s.rho = rho;
  s.grad_weight = 0;
  s.perturbed_weight = 1;
  s.ascent_feedback = true;
  return s;
}

Params fedsmoo_client_dual(const Params* mu_i, const Params* ascent_sum, const Params* s, int steps, size_t size) {
  for (const Params* v : {mu_i, ascent_sum, s})
    if (v && v->size() != size) throw std::invalid_argument("fedsmoo_client_dual: sizes differ");
  Params out(size);
  for (size_t j = 0; j < size; ++j)
    out[j] = static_cast<float>((mu_i ? double((*mu_i)[j]) : 0.0) + (ascent_sum ? double((*ascent_sum)[j]) : 0.0) -
                                (s ? steps * double((*s)[j]) : 0.0));
  return out;
}

Params fedsmoo_perturbation(const Params& mean_mu, double rho) {
  const double scale = rho / (l2_norm(mean_mu) + 1e-7);
  Params out(mean_mu.size());
  for (size_t j = 0; j < out.size(); ++j) out[j] = static_cast<float>(scale * mean_mu[j]);
  return out;
}

ClientPlan FedSmoo::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  ClientPlan p{conventional_local_training(spec_, round), {}};
  p.local.rule = fedsmoo_step(p.local.rule, spec_.rho, spec_.lambda);
  p.local.inputs.correction = feddyn_correction(spec_.lambda, clients_.get(client, kDual), global);
  if (auto mu = clients_.get(client, kMu)) p.local.inputs.ascent_offset.push_back({-1.0, mu});
  if (s_) {
    p.local.inputs.ascent_offset.push_back({-1.0, s_});
    p.local.inputs.ascent_drift.push_back({1.0, s_});
  }
  const int64_t d = context_.model_bytes;
  p.wire = {{{{"model", d}, {"perturbation correction s", d}}}, {{{"model", d}, {"dynamic dual mu_i", d}}}};
  return p;
}

Params FedSmoo::aggregate(const Params&, const std::vector<ClientUpdate>& updates) {
  const Params mean = fedavg_average(updates);
  std::vector<Params> mus;
  std::vector<double> weights;
  for (const auto& u : updates) {
    mus.push_back(fedsmoo_client_dual(clients_.get(u.client, kMu).get(), u.ascent_sum.get(), s_.get(),
                                      u.local_steps, u.params->size()));
    weights.push_back(static_cast<double>(u.num_samples));
  }
  std::vector<const Params*> xs;
  for (const auto& m : mus) xs.push_back(&m);
  s_ = std::make_shared<const Params>(fedsmoo_perturbation(weighted_average(xs, weights), spec_.rho));
  for (size_t i = 0; i < updates.size(); ++i) clients_.put(updates[i].client, kMu, std::move(mus[i]));
  update_duals(updates);
  return feddyn_server_model(mean, dual_sum_.get(), context_.num_clients);
}

int64_t FedSmoo::server_state_bytes() const {
  return FedDyn::server_state_bytes() + (s_ ? static_cast<int64_t>(s_->size() * sizeof(float)) : 0);
}

}  // namespace flemu

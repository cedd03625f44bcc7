#include "algorithms/llm/flasc.hpp"

#include <cmath>
#include <stdexcept>

namespace flemu {

FlascPayload flasc_encode(const ModelInfo& model, const Params& start, const Params& trained, double density) {
  const auto a = gather_trainable(model, start), b = gather_trainable(model, trained);
  std::vector<float> delta(a.size());
  for (size_t i = 0; i < a.size(); ++i) delta[i] = a[i] - b[i];
  const int64_t P = static_cast<int64_t>(delta.size());
  FlascPayload out;
  if (density >= 1) {
    out.delta = top_k(delta, P);
    out.wire_bytes = 4ull * static_cast<uint64_t>(P);
  } else {
    const int64_t k = top_k_count(density, P);
    out.delta = top_k(delta, k);
    out.wire_bytes = sparse_wire_bytes(P, k);
  }
  return out;
}

Params flasc_masked(const ModelInfo& model, const Params& theta, double density) {
  if (density >= 1) return theta;
  auto t = gather_trainable(model, theta);
  const SparseVector kept = top_k(t, top_k_count(density, static_cast<int64_t>(t.size())));
  Params out = theta;
  scatter_trainable(model, densify(kept), out);
  return out;
}

void adamw_step(std::vector<float>& theta, const std::vector<double>& g, AdamState& s, const FlascParams& p) {
  if (g.size() != theta.size()) throw std::invalid_argument("adamw_step: gradient and parameters differ in size");
  if (s.m.empty()) s.m.assign(theta.size(), 0.0), s.v.assign(theta.size(), 0.0);
  ++s.step;
  const double c1 = 1 - std::pow(p.adam_beta1, static_cast<double>(s.step));
  const double c2 = 1 - std::pow(p.adam_beta2, static_cast<double>(s.step));
  for (size_t i = 0; i < theta.size(); ++i) {
    s.m[i] = p.adam_beta1 * s.m[i] + (1 - p.adam_beta1) * g[i];
    s.v[i] = p.adam_beta2 * s.v[i] + (1 - p.adam_beta2) * g[i] * g[i];
    double x = theta[i] * (1 - p.adam_lr * p.adam_weight_decay);
    x -= p.adam_lr * (s.m[i] / c1) / (std::sqrt(s.v[i] / c2) + p.adam_eps);
    theta[i] = static_cast<float>(x);
  }
}

Flasc::Flasc(const AlgorithmSpec& spec, const AlgorithmContext& context)
    : FedAvg(spec, context), model_(context.model) {}

int64_t Flasc::server_state_bytes() const {
  return 8 * static_cast<int64_t>(adam_.m.size() + adam_.v.size());
}

ClientPlan Flasc::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  const double rho = spec_.flasc.density_down;
  if (masked_round_ != round) {  // one mask per round, shared by its clients
    masked_ = rho >= 1 || global->empty() ? global : std::make_shared<const Params>(flasc_masked(model_, *global, rho));
    masked_round_ = round;
  }
  const int64_t P = model_.trainable_params;
  const int64_t down = rho >= 1 ? 4 * P : static_cast<int64_t>(sparse_wire_bytes(P, top_k_count(rho, P)));
  const double rho_up = spec_.flasc.density_up;
  const int64_t up = rho_up >= 1 ? 4 * P : static_cast<int64_t>(sparse_wire_bytes(P, top_k_count(rho_up, P)));
  ClientPlan p = FedAvg::plan(client, round, global);
  p.wire = {{{{"sparse adapters", down}}}, {{{"sparse adapter change", up}}}};
  p.start = masked_;
  return p;
}

std::shared_ptr<const UpdatePayload> Flasc::encode_update(const TrainJob& job, const TrainResult& trained) const {
  if (job.start->empty()) {  // analytic training: the size alone (k is fixed by the density)
    auto p = std::make_shared<FlascPayload>();
    const int64_t P = model_.trainable_params;
    const double rho = spec_.flasc.density_up;
    p->wire_bytes = rho >= 1 ? 4ull * static_cast<uint64_t>(P) : sparse_wire_bytes(P, top_k_count(rho, P));
    return p;
  }
  return std::make_shared<FlascPayload>(flasc_encode(model_, *job.start, trained.params, spec_.flasc.density_up));
}

Params Flasc::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  if (global.empty()) return global;  // analytic training
  std::vector<double> g(static_cast<size_t>(model_.trainable_params), 0.0);
  for (const auto& u : updates) {
    const auto* p = dynamic_cast<const FlascPayload*>(u.payload.get());
    if (!p) throw std::logic_error("flasc: an update without its sparse payload");
    for (size_t j = 0; j < p->delta.indices.size(); ++j) g[p->delta.indices[j]] += p->delta.values[j];
  }
  for (auto& x : g) x /= static_cast<double>(updates.size());
  auto theta = gather_trainable(model_, global);
  if (spec_.flasc.server_optimizer == "adamw") {
    adamw_step(theta, g, adam_, spec_.flasc);
  } else {
    for (size_t i = 0; i < theta.size(); ++i) theta[i] = static_cast<float>(theta[i] - spec_.server_lr * g[i]);
  }
  Params out = global;
  scatter_trainable(model_, theta, out);
  return out;
}

}  // namespace flemu

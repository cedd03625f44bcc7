#include "algorithms/fl/scaffold.hpp"

#include <stdexcept>
#include <string>

#include "algorithms/aggregation.hpp"

namespace flemu {

Params scaffold_client_variate(const Params* c_i, const Params* c, const Params& x, const Params& y, int steps,
                               double lr) {
  if (steps < 1) throw std::invalid_argument("scaffold_client_variate: steps must be >= 1");
  if (!(lr > 0)) throw std::invalid_argument("scaffold_client_variate: lr must be > 0");
  if (x.size() != y.size() || (c_i && c_i->size() != x.size()) || (c && c->size() != x.size()))
    throw std::invalid_argument("scaffold_client_variate: sizes differ");
  const double inv = 1.0 / (steps * lr);
  Params out(x.size());
  for (size_t j = 0; j < x.size(); ++j)
    out[j] = static_cast<float>((c_i ? double((*c_i)[j]) : 0.0) - (c ? double((*c)[j]) : 0.0) -
                                (double(y[j]) - x[j]) * inv);
  return out;
}

Params scaffold_server_variate(const Params* c, const std::vector<Params>& deltas, int num_clients) {
  if (num_clients < 1) throw std::invalid_argument("scaffold_server_variate: num_clients must be >= 1");
  if (deltas.empty()) return c ? *c : Params();
  std::vector<const Params*> xs;
  for (const auto& d : deltas) xs.push_back(&d);
  const Params sum = weighted_sum(xs, std::vector<double>(deltas.size(), 1.0));
  return add_scaled(c, 1.0 / num_clients, sum);
}

LocalStep scaffold_step(LocalStep base) { return base; }  // the correction is all SCAFFOLD changes

Combination scaffold_correction(const std::shared_ptr<const Params>& c, const std::shared_ptr<const Params>& c_i) {
  Combination terms;
  if (c) terms.push_back({1.0, c});
  if (c_i) terms.push_back({-1.0, c_i});
  return terms;
}

Wire scaffold_wire(int64_t model_bytes) {
  return {{{{"model", model_bytes}, {"control variate", model_bytes}}},
          {{{"model", model_bytes}, {"control variate", model_bytes}}}};
}

ClientPlan Scaffold::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  ClientPlan p = FedAvg::plan(client, round, global);
  p.local.rule = scaffold_step(p.local.rule);
  p.local.inputs.correction = scaffold_correction(c_, clients_.get(client, 0));
  p.wire = scaffold_wire(context_.model_bytes);
  return p;
}

void Scaffold::update_variates(const std::vector<ClientUpdate>& updates) {
  std::vector<Params> deltas;
  for (const auto& u : updates) {
    const auto c_i = clients_.get(u.client, 0);
    Params next = scaffold_client_variate(c_i.get(), c_.get(), *u.start, *u.params, u.local_steps, u.local_lr);
    deltas.push_back(c_i ? difference(next, *c_i) : next);
    clients_.put(u.client, 0, std::move(next));
  }
  c_ = std::make_shared<const Params>(scaffold_server_variate(c_.get(), deltas, context_.num_clients));
}

Params Scaffold::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  const Params next = FedAvg::aggregate(global, updates);
  update_variates(updates);
  return next;
}

}  // namespace flemu

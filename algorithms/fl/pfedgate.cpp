#include "algorithms/fl/pfedgate.hpp"

#include <stdexcept>

#include "algorithms/aggregation.hpp"
#include "algorithms/fl/client_steps.hpp"
#include "workloads/rng.hpp"

namespace flemu {

namespace {
constexpr int kGate = 0, kGateMomentum = 1, kModelMomentum = 2;  // client slots
}

double pfedgate_budget(const std::map<std::string, double>& budgets, const std::string& class_name) {
  if (auto it = budgets.find(class_name); it != budgets.end()) return it->second;
  if (auto it = budgets.find("*"); it != budgets.end()) return it->second;
  return 1.0;
}

Params pfedgate_online_average(const Params& global, const std::vector<ClientUpdate>& updates, double n_all) {
  if (!(n_all > 0)) throw std::invalid_argument("pfedgate_online_average: the clients' total data must be > 0");
  std::vector<const Params*> deltas;
  std::vector<Params> storage;
  std::vector<double> weights;
  for (const auto& u : updates) {
    storage.push_back(difference(*u.params, global));
    weights.push_back(static_cast<double>(u.num_samples) / n_all);
  }
  for (const auto& d : storage) deltas.push_back(&d);
  return add_scaled(&global, 1.0, weighted_sum(deltas, weights));
}

std::shared_ptr<const GateJob> PFedGate::gate_job(int client) const {
  auto job = std::make_shared<GateJob>();
  job->spec.sparsity = pfedgate_budget(spec_.budgets, context_.client_classes.at(client));
  job->spec.split = spec_.block_split;
  job->spec.relu_on_logits = spec_.relu_logits;
  job->spec.lr = spec_.gate_lr;
  job->spec.step.momentum = spec_.local_momentum;
  job->spec.step.weight_decay = spec_.weight_decay;
  job->spec.step.clip_norm = spec_.clip_norm;
  job->spec.step.clip_scope = spec_.clip_scope;
  job->state = clients_.get(client, kGate);
  if (!job->state)
    job->state = std::make_shared<const Params>(initial_gate_state(
        context_.model, spec_.block_split, derive_seed(context_.seed, SeedStream::ModelInit, {uint64_t(client) + 1})));
  job->momentum = clients_.get(client, kGateMomentum);
  return job;
}

ClientPlan PFedGate::plan(int client, int round, const std::shared_ptr<const Params>& global) {
  ClientPlan p = FedAvg::plan(client, round, global);
  p.local.rule.momentum = spec_.local_momentum;
  p.local.inputs.momentum = clients_.get(client, kModelMomentum);
  p.local.inputs.return_momentum = true;
  p.local.gate = gate_job(client);
  if (spec_.sparse_wire) {
    // The paper's accounting: the kept share of θ plus a one-bit-per-parameter mask, each way.
    const double share = gate_kept_share(gate_blocks(context_.model, spec_.block_split), p.local.gate->spec.sparsity);
    const int64_t kept = static_cast<int64_t>(share * context_.model_params) * 4, mask = (context_.model_params + 7) / 8;
    p.wire = {{{{"kept parameters", kept}, {"mask", mask}}}, {{{"kept parameters", kept}, {"mask", mask}}}};
  }
  return p;
}

Params PFedGate::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  for (const auto& u : updates) {
    if (u.gate_state) clients_.put(u.client, kGate, *u.gate_state);
    if (u.gate_momentum) clients_.put(u.client, kGateMomentum, *u.gate_momentum);
    if (u.momentum) clients_.put(u.client, kModelMomentum, *u.momentum);
  }
  if (spec_.online_aggregation)
    return pfedgate_online_average(global, updates, static_cast<double>(context_.total_samples));
  return fedavg_average(updates);
}

PersonalModel PFedGate::personal_model(int client) const { return {nullptr, gate_job(client)}; }

}  // namespace flemu

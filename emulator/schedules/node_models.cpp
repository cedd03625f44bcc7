#include "emulator/schedules/node_models.hpp"

#include <future>

#include <simgrid/s4u.hpp>

#include "algorithms/algorithm.hpp"
#include "algorithms/decentralized/gossip.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

Event node_event(const Federation& fed, EventKind kind, int round, int node, double t0) {
  Event e;
  e.time = sg4::Engine::get_clock();
  e.start = t0;
  e.kind = kind;
  e.actor = "client-" + std::to_string(node);
  e.host = fed.devices[node].name;
  e.round = round;
  e.client = node;
  return e;
}

Event rounds_event(EventKind kind, int round) {
  Event e;
  e.time = sg4::Engine::get_clock();
  e.kind = kind;
  e.actor = e.host = "server";
  e.round = round;
  return e;
}

std::vector<int> node_sample(int n, int k, uint64_t seed) {
  std::vector<int> all(n);
  for (int i = 0; i < n; ++i) all[i] = i;
  if (k < 0 || k >= n) return all;
  if (k == 0) return {};
  return sample_without_replacement(all, k, seed);
}

std::shared_ptr<const Params> average_and_report(Federation& fed, int round,
                                                 const std::vector<std::shared_ptr<const Params>>& models) {
  std::vector<const Params*> all;
  for (const auto& m : models) all.push_back(m.get());
  auto mean = std::make_shared<const Params>(average_model(all));
  Event c = rounds_event(EventKind::Consensus, round);
  c.consensus = consensus_distance(all, *mean);
  fed.bus.emit(c);
  return mean;
}

bool evaluation_due(const Federation& fed, int round) {
  const Scenario& sc = fed.scenario;
  const bool last = (sc.stop.max_rounds > 0 && round >= sc.stop.max_rounds) ||
                    (sc.stop.max_time_s > 0 && sg4::Engine::get_clock() >= sc.stop.max_time_s);
  return round % sc.evaluation.every_rounds == 0 || last;
}

void test_node_models(Federation& fed, int round, const std::vector<int>& nodes,
                      const std::vector<std::shared_ptr<const Params>>& models) {
  const std::vector<int32_t>* subset = fed.eval_subset.empty() ? nullptr : &fed.eval_subset;
  Trainer& trainer = fed.trainer;
  std::vector<std::future<EvalResult>> results;
  for (int i : nodes) {
    auto model = models[i];
    results.push_back(fed.pool.submit([&trainer, model, subset] { return trainer.evaluate(*model, subset); }));
  }
  for (size_t k = 0; k < nodes.size(); ++k) {
    const EvalResult r = results[k].get();
    const int i = nodes[k];
    Event e = node_event(fed, EventKind::Evaluate, round, i);
    e.accuracy = r.accuracy;
    e.loss = r.loss;
    e.count = static_cast<int>(r.samples);
    fed.bus.emit(e);
  }
}

}  // namespace flemu

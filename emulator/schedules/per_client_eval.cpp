#include "emulator/schedules/per_client_eval.hpp"

#include <future>

namespace flemu {

PerClientReport evaluate_clients(Federation& fed, const SyncAlgorithm& algorithm,
                                 const std::shared_ptr<const Params>& global, int round, const std::set<int>& trained) {
  PerClientReport report;
  report.round = round;
  report.personalized = algorithm.personalizes();
  const int batch = fed.scenario.algorithm.batch_size;
  Trainer& trainer = fed.trainer;
  struct Pending {
    int client;
    std::future<ClassCounts> global, personal;
  };
  std::vector<Pending> pending;
  for (int c = 0; c < fed.num_devices(); ++c) {
    const auto held = fed.holdouts.at(c);
    if (!held || held->empty()) continue;
    Pending p{c, fed.pool.submit([&trainer, global, held, batch] {
                return trainer.evaluate_samples(*global, *held, nullptr, batch);
              }),
              {}};
    if (report.personalized) {
      // The personal model is read here, on the server's thread (algorithms are not thread-safe).
      PersonalModel m = algorithm.personal_model(c);
      auto params = m.params ? m.params : global;
      p.personal = fed.pool.submit([&trainer, params, gate = m.gate, held, batch] {
        return trainer.evaluate_samples(*params, *held, gate.get(), batch);
      });
    }
    pending.push_back(std::move(p));
  }
  std::vector<ClassCounts> global_counts, personal_counts;
  for (auto& p : pending) {
    ClientScore score;
    score.client = p.client;
    score.trained = trained.count(p.client) > 0;
    const ClassCounts g = p.global.get();
    score.samples = g.samples();
    if (score.samples > 0) score.global = static_cast<double>(g.hits()) / score.samples;
    global_counts.push_back(g);
    if (report.personalized) {
      const ClassCounts q = p.personal.get();
      if (q.samples() > 0) score.personal = static_cast<double>(q.hits()) / q.samples();
      personal_counts.push_back(q);
    }
    report.clients.push_back(score);
  }
  report.global = summarize_clients(global_counts);
  if (report.personalized) report.personal = summarize_clients(personal_counts);
  return report;
}

}  // namespace flemu

#include "emulator/sync_server.hpp"

#include <numeric>

#include <simgrid/s4u.hpp>

#include "emulator/client_actor.hpp"
#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

SyncServer::SyncServer(Federation& fed, std::unique_ptr<SyncAlgorithm> algorithm, ServerOutcome& outcome)
    : fed_(fed), algorithm_(std::move(algorithm)), outcome_(outcome) {}

EvalResult SyncServer::evaluate(const Params& global, int round, bool full) {
  const std::vector<int32_t>* subset = (full || fed_.eval_subset.empty()) ? nullptr : &fed_.eval_subset;
  Trainer& trainer = fed_.trainer;
  EvalResult r = fed_.pool.submit([&trainer, &global, subset] { return trainer.evaluate(global, subset); }).get();
  Event e{sg4::Engine::get_clock(), NAN, EventKind::Evaluate, "server", "server", round};
  e.accuracy = r.accuracy;
  e.loss = r.loss;
  e.count = static_cast<int>(r.samples);
  fed_.bus.emit(e);
  return r;
}

std::vector<ClientUpdate> SyncServer::run_round(int round, const std::shared_ptr<const Params>& global) {
  const uint64_t seed = fed_.scenario.seed;
  std::vector<int> candidates(fed_.num_devices());
  std::iota(candidates.begin(), candidates.end(), 0);
  const auto selected = algorithm_->select_clients(round, candidates, derive_seed(seed, SeedStream::ClientSampling, {uint64_t(round)}));

  Event start{sg4::Engine::get_clock(), NAN, EventKind::RoundStart, "server", "server", round};
  start.count = static_cast<int>(selected.size());
  fed_.bus.emit(start);

  const double bytes = static_cast<double>(fed_.trainer.model().bytes);
  std::vector<sg4::CommPtr> downloads;
  for (int c : selected) {
    auto order = std::make_unique<TrainOrder>();
    order->round = round;
    order->global = global;
    order->local = algorithm_->local_training(c, round);
    order->seed = derive_seed(seed, SeedStream::Training, {uint64_t(round), uint64_t(c)});
    order->sent_at = sg4::Engine::get_clock();
    sg4::Actor::create("client-" + std::to_string(c), fed_.platform.devices[c], ClientActor(fed_, c));
    downloads.push_back(sg4::Mailbox::by_name(Federation::device_mailbox(c))->put_async(order.release(), bytes));
  }
  sg4::Comm::wait_all(downloads);

  std::vector<ClientUpdate> updates;
  auto* inbox = sg4::Mailbox::by_name(Federation::server_mailbox);
  for (size_t i = 0; i < selected.size(); ++i) updates.push_back(inbox->get_unique<UpdateMessage>()->update);
  // Arrival order depends on simulated timing only, but sort by client so that aggregation's
  // summation order is a property of the set of updates, not of their arrival.
  std::sort(updates.begin(), updates.end(), [](const auto& a, const auto& b) { return a.client < b.client; });
  return updates;
}

void SyncServer::operator()() {
  sg4::Mailbox::by_name(Federation::server_mailbox)->set_receiver(sg4::Actor::self());
  const Scenario& sc = fed_.scenario;
  auto global = std::make_shared<const Params>(fed_.trainer.initial_params(derive_seed(sc.seed, SeedStream::ModelInit)));

  int round = 0;
  bool last_eval_full = false;
  int last_eval_round = -1;
  for (;;) {
    ++round;
    auto updates = run_round(round, global);
    global = std::make_shared<const Params>(algorithm_->aggregate(*global, updates));
    Event agg{sg4::Engine::get_clock(), NAN, EventKind::Aggregate, "server", "server", round};
    agg.count = static_cast<int>(updates.size());
    fed_.bus.emit(agg);

    const bool rounds_done = sc.stop.max_rounds > 0 && round >= sc.stop.max_rounds;
    const bool time_done = sc.stop.max_time_s > 0 && sg4::Engine::get_clock() >= sc.stop.max_time_s;
    const bool due = round % sc.evaluation.every_rounds == 0 || rounds_done || time_done;
    bool target_done = false;
    if (due) {
      // The last evaluation is always on the full test set.
      const bool full = rounds_done || time_done;
      EvalResult r = evaluate(*global, round, full);
      last_eval_full = full || fed_.eval_subset.empty();
      last_eval_round = round;
      outcome_.final_accuracy = r.accuracy;
      outcome_.final_loss = r.loss;
      target_done = sc.stop.target_accuracy >= 0 && r.accuracy >= sc.stop.target_accuracy;
    }
    Event end{sg4::Engine::get_clock(), NAN, EventKind::RoundEnd, "server", "server", round};
    end.count = static_cast<int>(updates.size());
    fed_.bus.emit(end);

    if (rounds_done || time_done || target_done) {
      outcome_.stop_reason = rounds_done ? "rounds" : time_done ? "time" : "target_accuracy";
      break;
    }
  }
  if (!last_eval_full || last_eval_round != round) {
    EvalResult r = evaluate(*global, round, true);
    outcome_.final_accuracy = r.accuracy;
    outcome_.final_loss = r.loss;
  }
  outcome_.rounds = round;
}

}  // namespace flemu

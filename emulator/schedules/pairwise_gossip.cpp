#include "emulator/schedules/pairwise_gossip.hpp"


#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include "algorithms/decentralized/ad_psgd.hpp"
#include "algorithms/decentralized/gossip.hpp"
#include "emulator/core/device_transfer.hpp"
#include "emulator/core/network_graph.hpp"
#include "emulator/schedules/node_models.hpp"
#include "emulator/schedules/run_stop.hpp"
#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

namespace {

/// What the actors of one run share (SimGrid runs one actor at a time: no data races).
struct PairwiseRun {
  PairwiseTrigger trigger = PairwiseTrigger::AfterEachGradient;
  std::vector<std::shared_ptr<const Params>> models;
  std::vector<sg4::MutexPtr> locks;
  std::vector<Rng> picks, clocks;
  std::vector<uint64_t> jobs;  ///< per node: jobs started (their seeds)
  int round = 1;
  int updates_in_round = 0;
  RunStop stop;
};

void emit_message(Federation& fed, int round, int from, int to, double t0, uint64_t bytes, const char* lost) {
  Event g = node_event(fed, EventKind::Gossip, round, from, t0);
  g.peer = to;
  g.count = lost ? 0 : 1;
  if (lost) g.reason = lost;
  if (!lost) g.bytes = static_cast<double>(bytes);
  fed.bus.emit(g);
}

/// Node i averages with a neighbour that is on (uniform choice): both locked (lower index
/// first), one transfer each way at once, both set to the mean when both arrived.
void average_with_neighbour(Federation& fed, PairwiseRun& run, int i) {
  std::vector<int> on;
  for (int j : fed.graph->topology.neighbours[i])
    if (fed.fleet.can_participate(j)) on.push_back(j);
  if (on.empty()) return;
  const int j = on[run.picks[i].below(on.size())];
  const int a = std::min(i, j), b = std::max(i, j);
  run.locks[a]->lock();
  run.locks[b]->lock();
  const double t0 = sg4::Engine::get_clock();
  const uint64_t bytes = static_cast<uint64_t>(fed.trainer.model().bytes);
  const char* lost = nullptr;
  bool stopped = run.stop.stopped();
  if (!stopped && (!fed.fleet.can_participate(i) || !fed.fleet.can_participate(j))) {
    lost = "offline";  // went off while waiting for the locks
  } else if (!stopped) {
    try {
      auto ij = start_peer_flow(i, j, [&] { return sg4::Comm::sendto_async(fed.platform.devices[i], fed.platform.devices[j], bytes); });
      auto ji = start_peer_flow(j, i, [&] { return sg4::Comm::sendto_async(fed.platform.devices[j], fed.platform.devices[i], bytes); });
      stopped = !run.stop.wait({ij, ji});
    } catch (const simgrid::Exception&) {
      lost = "offline";
    }
    peer_flow_ended(i, j);
  }
  if (stopped) {  // the run ended meanwhile: nothing happened
    run.locks[b]->unlock();
    run.locks[a]->unlock();
    return;
  }
  if (!lost) {
    auto mean = std::make_shared<const Params>(pairwise_average(*run.models[i], *run.models[j]));
    run.models[i] = run.models[j] = mean;
  }
  run.locks[b]->unlock();
  run.locks[a]->unlock();
  emit_message(fed, run.round, i, j, t0, bytes, lost);
  emit_message(fed, run.round, j, i, t0, bytes, lost);
}

class Worker {
 public:
  Worker(Federation& fed, std::shared_ptr<PairwiseRun> run, int node) : fed_(fed), run_(std::move(run)), i_(node) {}
  void operator()() {
    PairwiseRun& run = *run_;
    const Scenario& sc = fed_.scenario;
    Trainer& trainer = fed_.trainer;
    while (!run.stop.stopped()) {
      if (!fed_.fleet.can_participate(i_)) {
        run.stop.sleep_for(sc.platform.server.heartbeat_s);
        continue;
      }
      TrainJob job;
      job.client = i_;
      job.round = run.round;
      job.seed = derive_seed(sc.seed, SeedStream::Training, {run.jobs[i_]++, uint64_t(i_)});
      job.start = run.models[i_];
      job.indices = fed_.partitions[i_];
      job.local.steps = sc.algorithm.local_steps > 0 ? sc.algorithm.local_steps : 1;
      job.local.epochs = sc.algorithm.local_epochs;
      job.local.batch_size = sc.algorithm.batch_size;
      job.local.lr = sc.algorithm.lr;
      const double flops = training_flops(trainer.model(), job.local, int64_t(job.indices->size()));
      auto trained = fed_.pool.submit([&trainer, job] { return trainer.train(job); });
      const double t0 = sg4::Engine::get_clock();
      const int cores = fed_.devices[i_].cores;
      bool ok = true;
      try {
        auto exec = sg4::this_actor::exec_init(flops / cores)->set_host(fed_.platform.devices[i_])->set_thread_count(cores);
        exec->start();
        if (fed_.fleet.wants_activity(i_)) fed_.fleet.activity_changed(i_);  // the host's draw goes up
        ok = run.stop.wait(exec);
      } catch (const simgrid::Exception&) {
        ok = false;  // the device went off: the computation is lost
      }
      if (fed_.fleet.wants_activity(i_)) fed_.fleet.activity_changed(i_);
      const TrainResult r = trained.get();
      if (!ok || run.stop.stopped()) continue;
      Event tr = node_event(fed_, EventKind::Train, run.round, i_, t0);
      tr.flops = flops;
      tr.steps = static_cast<int>(r.steps);
      tr.loss = r.mean_loss;
      fed_.bus.emit(tr);
      if (run.trigger == PairwiseTrigger::AfterEachGradient) average_with_neighbour(fed_, run, i_);
      if (run.stop.stopped()) return;
      // The update, from the model that was read, on the model as it is now.
      run.models[i_] = std::make_shared<const Params>(add_update(*run.models[i_], r.params, *job.start));
      run.updates_in_round++;
    }
  }

 private:
  Federation& fed_;
  std::shared_ptr<PairwiseRun> run_;
  int i_;
};

class GossipClock {
 public:
  GossipClock(Federation& fed, std::shared_ptr<PairwiseRun> run, int node) : fed_(fed), run_(std::move(run)), i_(node) {}
  void operator()() {
    const double rate = fed_.scenario.algorithm.decentralized.gossip_rate;
    while (run_->stop.sleep_for(run_->clocks[i_].exponential(1.0 / rate)))
      if (fed_.fleet.can_participate(i_)) average_with_neighbour(fed_, *run_, i_);
  }

 private:
  Federation& fed_;
  std::shared_ptr<PairwiseRun> run_;
  int i_;
};

class PairwiseRounds {
 public:
  PairwiseRounds(Federation& fed, std::shared_ptr<PairwiseRun> run, ServerOutcome& outcome)
      : fed_(fed), run_(std::move(run)), outcome_(outcome) {}
  void operator()() {
    const Scenario& sc = fed_.scenario;
    const int n = fed_.num_devices();
    const auto tested = node_sample(n, sc.algorithm.decentralized.node_evaluation, derive_seed(sc.seed, SeedStream::Gossip));
    StopRule stop(fed_, outcome_);
    std::shared_ptr<const Params> mean = run_->models[0];
    int round = 0;
    for (;;) {
      ++round;
      run_->round = round;
      int on = 0;
      for (int i = 0; i < n; ++i) on += fed_.fleet.can_participate(i);
      Event start = rounds_event(EventKind::RoundStart, round);
      start.count = on;
      fed_.bus.emit(start);
      sg4::this_actor::sleep_for(sc.algorithm.decentralized.round_time_s);
      mean = average_and_report(fed_, round, run_->models);
      if (!tested.empty() && evaluation_due(fed_, round)) test_node_models(fed_, round, tested, run_->models);
      const int updates = run_->updates_in_round;
      run_->updates_in_round = 0;
      if (stop.close_round(round, updates, mean)) break;
    }
    run_->stop.stop();
    stop.finish(round, *mean);
  }

 private:
  Federation& fed_;
  std::shared_ptr<PairwiseRun> run_;
  ServerOutcome& outcome_;
};

}  // namespace

void start_pairwise_gossip(Federation& fed, ServerOutcome& outcome) {
  const Scenario& sc = fed.scenario;
  const int n = fed.num_devices();
  auto run = std::make_shared<PairwiseRun>();
  run->trigger = sc.algorithm.name == "ad-psgd" ? PairwiseTrigger::AfterEachGradient : PairwiseTrigger::PoissonClock;
  auto x0 = std::make_shared<const Params>(fed.trainer.initial_params(derive_seed(sc.seed, SeedStream::ModelInit)));
  run->models.assign(n, x0);
  run->jobs.assign(n, 0);
  for (int i = 0; i < n; ++i) {
    run->locks.push_back(sg4::Mutex::create());
    run->picks.emplace_back(derive_seed(sc.seed, SeedStream::Gossip, {2, uint64_t(i)}));
    run->clocks.emplace_back(derive_seed(sc.seed, SeedStream::Gossip, {3, uint64_t(i)}));
  }
  sg4::Actor::create("server", fed.platform.server, PairwiseRounds(fed, run, outcome));
  for (int i = 0; i < n; ++i) {
    sg4::Actor::create("worker-" + std::to_string(i), fed.platform.server, Worker(fed, run, i));
    if (run->trigger == PairwiseTrigger::PoissonClock)
      sg4::Actor::create("gossip-" + std::to_string(i), fed.platform.server, GossipClock(fed, run, i));
  }
}

}  // namespace flemu

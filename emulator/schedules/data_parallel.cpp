#include "emulator/schedules/data_parallel.hpp"

#include <map>
#include <memory>
#include <mutex>

#include <simgrid/s4u.hpp>

#include "algorithms/cluster/data_parallel.hpp"
#include "emulator/core/comm_lane.hpp"
#include "emulator/schedules/collectives.hpp"
#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {
namespace {

using ParamsPtr = std::shared_ptr<const Params>;
/// A worker's parameters on their way through an all-reduce: empty in analytic runs (only
/// their bytes move); never null.
using Buffer = std::shared_ptr<std::vector<float>>;

/// What the workers and the coordinator of one run share.
class Cluster {
 public:
  Cluster(Federation& fed)
      : fed_(fed),
        spec_(fed.scenario.algorithm),
        method_(make_data_parallel_method(spec_)),
        group_("allreduce", fed.platform.devices, allreduce_algorithm_from_name(spec_.allreduce),
               fed.scenario.platform.cluster ? fed.scenario.platform.cluster->gpus_per_node : 0),
        params_(static_cast<uint64_t>(fed.trainer.model().num_params)),
        bytes_per_param_(static_cast<double>(fed.trainer.model().bytes) / static_cast<double>(params_)),
        mutex_(sg4::Mutex::create()),
        round_done_(sg4::ConditionVariable::create()) {}

  Federation& fed() { return fed_; }
  const AlgorithmSpec& spec() const { return spec_; }
  SyncPoint sync() const { return method_->sync(); }
  int workers() const { return fed_.num_devices(); }

  /// Rank `rank`'s part of one all-reduce (mean) of elements [offset, offset + count) of
  /// `values` (empty: bytes only), as a collective span of round `round`.
  void allreduce(int rank, int round, const Buffer& values, uint64_t offset, uint64_t count) {
    const double t0 = sg4::Engine::get_clock();
    CollectiveBuffer buf =
        CollectiveBuffer::slice(values->empty() ? nullptr : values.get(), offset, count, bytes_per_param_);
    const Traffic traffic = group_.run(rank, buf, ReduceOp::Mean);
    Event e{sg4::Engine::get_clock(), t0, EventKind::Collective, actor(rank), host(rank), round, rank};
    e.bytes = traffic.bytes_sent;
    e.count = traffic.messages_sent;
    e.op = to_string(group_.algorithm());
    fed_.bus.emit(e);
  }
  uint64_t params() const { return params_; }

  /// The common start of round `round` + 1: computed by the first worker to ask (all ask with
  /// the same bits), shared with the others. `average` is null when there is none yet.
  ParamsPtr next_start(int round, const ParamsPtr& start, const Buffer& average, const ParamsPtr& average_start) {
    Slot& slot = slots_[round];
    if (!slot.next)
      slot.next = std::make_shared<const Params>(
          method_->next_start(*start, average.get(), average_start ? average_start.get() : nullptr));
    return slot.next;
  }
  double update_flops() const { return method_->update_flops_per_param() * static_cast<double>(params_); }

  /// A worker finished round `round`.
  void report(int round) {
    std::unique_lock<sg4::Mutex> lock(*mutex_);
    if (++slots_[round].reported == workers()) round_done_->notify_all();
  }
  /// The coordinator: waits for every worker to finish `round`; returns its next start.
  ParamsPtr wait_round(int round) {
    std::unique_lock<sg4::Mutex> lock(*mutex_);
    while (slots_[round].reported < workers()) round_done_->wait(lock);
    ParamsPtr next = slots_[round].next;
    slots_.erase(round);
    return next;
  }

  std::string actor(int rank) const { return "worker-" + std::to_string(rank); }
  const std::string& host(int rank) const { return fed_.devices[rank].name; }

 private:
  struct Slot {
    ParamsPtr next;
    int reported = 0;
  };
  Federation& fed_;
  const AlgorithmSpec& spec_;
  std::unique_ptr<DataParallelMethod> method_;
  AllReduceGroup group_;
  uint64_t params_;
  double bytes_per_param_;
  std::map<int, Slot> slots_;
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr round_done_;
};

/// One worker (rank = device index) for the whole run; a daemon, ended with the run.
class Worker {
 public:
  Worker(std::shared_ptr<Cluster> c, int rank, ParamsPtr initial)
      : keep_(std::move(c)), c_(*keep_), rank_(rank), start_(std::move(initial)) {}

  void operator()() {
    sg4::Actor::self()->daemonize();
    CommLane lane(sg4::this_actor::get_host(), "lane-" + std::to_string(rank_));
    // The all-reduce in flight (Overlapped): its values and the start of its round.
    CommLane::Ticket pending;
    Buffer pending_average;
    ParamsPtr pending_start;
    for (int round = 1;; ++round) {
      ParamsPtr next;
      if (c_.sync() == SyncPoint::EveryStep) {
        next = ddp_round(round, lane);
      } else {
        Buffer local = inner_steps(round, start_, 0, c_.spec().inner_steps);
        auto ticket = lane.launch([this, round, local] { c_.allreduce(rank_, round, local, 0, c_.params()); });
        if (c_.sync() == SyncPoint::EndOfRound) {
          CommLane::wait(ticket);
          next = c_.next_start(round, start_, local, start_);
        } else {
          // One-step stale: use the all-reduce launched at the end of the previous round.
          if (pending) CommLane::wait(pending);
          next = c_.next_start(round, start_, pending ? pending_average : nullptr, pending_start);
          pending = ticket;
          pending_average = local;
          pending_start = start_;
        }
      }
      if (c_.update_flops() > 0) execute(c_.update_flops());
      start_ = next;
      c_.report(round);
    }
  }

 private:
  Federation& fed() { return c_.fed(); }

  void execute(double flops) {
    const int cores = fed().devices[rank_].cores;
    sg4::this_actor::exec_init(flops / cores)->set_thread_count(cores)->wait();
  }

  TrainJob job(int round, int step, const ParamsPtr& from, int steps) {
    TrainJob j;
    j.client = rank_;
    j.round = round;
    j.seed = derive_seed(fed().scenario.seed, SeedStream::Training, {uint64_t(round), uint64_t(rank_), uint64_t(step)});
    j.start = from;
    j.indices = fed().partitions[rank_];
    j.local.steps = steps;
    j.local.batch_size = c_.spec().batch_size;
    j.local.lr = c_.spec().lr;
    return j;
  }

  double step_flops(const TrainJob& j, double per_sample) const {
    return per_sample * static_cast<double>(samples_processed(j.local, static_cast<int64_t>(j.indices->size())));
  }

  /// `steps` local steps from `from` (the round's inner phase), as one training job while the
  /// host executes their flops; returns the end point's values (nullptr in analytic runs).
  Buffer inner_steps(int round, const ParamsPtr& from, int step, int steps) {
    const TrainJob j = job(round, step, from, steps);
    const double flops = step_flops(j, fed().trainer.model().train_flops_per_sample);
    const double t0 = sg4::Engine::get_clock();
    Trainer& trainer = fed().trainer;
    auto future = fed().pool.submit([&trainer, j] { return trainer.train(j); });
    execute(flops);
    TrainResult r = future.get();
    emit_train(round, t0, flops, r.steps);
    return std::make_shared<std::vector<float>>(std::move(r.params));
  }

  /// DDP: inner_steps steps, each ending with the bucketed all-reduce of its result.
  ParamsPtr ddp_round(int round, CommLane& lane) {
    ParamsPtr x = start_;
    const int buckets = c_.spec().buckets;
    const ModelInfo& model = fed().trainer.model();
    for (int s = 0; s < c_.spec().inner_steps; ++s) {
      const TrainJob j = job(round, s, x, 1);
      const double forward = step_flops(j, model.forward_flops_per_sample);
      const double backward = step_flops(j, model.train_flops_per_sample) - forward;
      const double t0 = sg4::Engine::get_clock();
      Trainer& trainer = fed().trainer;
      auto future = fed().pool.submit([&trainer, j] { return trainer.train(j); });
      execute(forward);
      TrainResult r = future.get();
      Buffer values = std::make_shared<std::vector<float>>(std::move(r.params));
      // Backward produces the last layers' gradients first: bucket k is the k-th block from
      // the end of the parameter vector, launched as soon as its share of backward is done.
      for (int k = 0; k < buckets; ++k) {
        execute(backward / buckets);
        const auto [b, e] = block_range(c_.params(), buckets, buckets - 1 - k);
        lane.launch([this, round, values, b = b, e = e] { c_.allreduce(rank_, round, values, b, e - b); });
      }
      emit_train(round, t0, forward + backward, 1);
      lane.drain();
      // Every worker now holds the same average; the round's last one is the round's result.
      x = s + 1 < c_.spec().inner_steps ? std::make_shared<const Params>(*values)
                                         : c_.next_start(round, start_, values, start_);
    }
    return x;
  }

  void emit_train(int round, double t0, double flops, int64_t steps) {
    Event e{sg4::Engine::get_clock(), t0, EventKind::Train, c_.actor(rank_), c_.host(rank_), round, rank_};
    e.flops = flops;
    e.steps = static_cast<int>(steps);
    fed().bus.emit(e);
  }

  std::shared_ptr<Cluster> keep_;
  Cluster& c_;
  int rank_;
  ParamsPtr start_;
};

/// The coordinator: rounds, evaluation, stop (on the server host, which takes no part).
class Coordinator {
 public:
  Coordinator(std::shared_ptr<Cluster> c, ServerOutcome& outcome, ParamsPtr initial)
      : keep_(std::move(c)), c_(*keep_), outcome_(outcome), global_(std::move(initial)) {}
  void operator()() {
    StopRule stop(c_.fed(), outcome_);
    int round = 0;
    for (;;) {
      Event start{sg4::Engine::get_clock(), NAN, EventKind::RoundStart, "server", "server", round + 1};
      start.count = c_.workers();
      c_.fed().bus.emit(start);
      global_ = c_.wait_round(++round);
      if (stop.close_round(round, c_.workers(), global_)) break;
    }
    stop.finish(round, *global_);
  }

 private:
  std::shared_ptr<Cluster> keep_;
  Cluster& c_;
  ServerOutcome& outcome_;
  ParamsPtr global_;
};

}  // namespace

void start_data_parallel(Federation& fed, ServerOutcome& outcome) {
  // Shared by the actors, and held by the federation so that its SimGrid objects go before
  // the engine does.
  auto cluster = std::make_shared<Cluster>(fed);
  fed.schedule_state = cluster;
  auto initial = std::make_shared<const Params>(
      fed.trainer.initial_params(derive_seed(fed.scenario.seed, SeedStream::ModelInit)));
  sg4::Actor::create("server", fed.platform.server, Coordinator(cluster, outcome, initial));
  for (int r = 0; r < fed.num_devices(); ++r)
    sg4::Actor::create("worker-" + std::to_string(r), fed.platform.devices[r], Worker(cluster, r, initial));
}

}  // namespace flemu

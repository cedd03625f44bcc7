#include "emulator/schedules/pipeline.hpp"

#include <map>
#include <memory>
#include <mutex>

#include <simgrid/s4u.hpp>

#include "algorithms/pipeline/staged_network.hpp"
#include "emulator/core/comm_lane.hpp"
#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {
namespace {

/// What travels between two stages: one (micro-)batch's tensors (empty in analytic runs).
struct PipeMessage {
  StageData data;
};

sg4::Mailbox* link_mailbox(int from, int to) {
  return sg4::Mailbox::by_name("pipe:" + std::to_string(from) + ">" + std::to_string(to));
}

/// Receives from one neighbour with one receive always posted ahead (a receive buffer), so a
/// transfer may land while the stage computes.
class Inbox {
 public:
  explicit Inbox(sg4::Mailbox* mailbox) : mailbox_(mailbox) { post(); }
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;
  StageData next() {
    pending_->wait();
    std::unique_ptr<PipeMessage> got(slot_);
    post();
    return got->data;
  }

 private:
  void post() { pending_ = mailbox_->get_async<PipeMessage>(&slot_); }
  sg4::Mailbox* mailbox_;
  sg4::CommPtr pending_;
  PipeMessage* slot_ = nullptr;
};

/// What the stages and the coordinator of one run share.
class Pipeline {
 public:
  explicit Pipeline(Federation& fed)
      : fed_(fed),
        plan_(make_pipeline_plan(fed.scenario.algorithm, fed.num_devices())),
        mutex_(sg4::Mutex::create()),
        epoch_done_(sg4::ConditionVariable::create()) {
    const AlgorithmSpec& a = fed.scenario.algorithm;
    initial_ = fed.trainer.initial_params(derive_seed(fed.scenario.seed, SeedStream::ModelInit));
    if (fed.data)
      net_ = make_torch_staged_network(plan_, initial_, fed.data, a.lr, a.momentum, a.weight_decay,
                                       derive_seed(fed.scenario.seed, SeedStream::ModelInit, {1}));
  }

  Federation& fed() { return fed_; }
  const PipelinePlan& plan() const { return plan_; }
  StagedNetwork* net() { return net_.get(); }
  int stages() const { return static_cast<int>(plan_.stages.size()); }
  const Params& initial() const { return initial_; }

  /// Epoch `epoch`'s minibatches of device 0's samples, shuffled from the seed.
  std::vector<std::vector<int32_t>> minibatches(int epoch) const {
    return epoch_minibatches(*fed_.partitions[0], fed_.scenario.algorithm.batch_size,
                             derive_seed(fed_.scenario.seed, SeedStream::Training, {uint64_t(epoch)}));
  }

  /// Stage `stage` finished epoch `epoch` with these parameters (empty in analytic runs).
  void report(int epoch, int stage, Params params) {
    std::unique_lock<sg4::Mutex> lock(*mutex_);
    Slot& s = slots_[epoch];
    if (s.parts.empty()) s.parts.resize(stages());
    s.parts[stage] = std::move(params);
    if (++s.reported == stages()) epoch_done_->notify_all();
  }
  /// The coordinator: the whole network's parameters at the end of `epoch`, once every stage is
  /// done with it.
  std::shared_ptr<const Params> wait_epoch(int epoch) {
    std::unique_lock<sg4::Mutex> lock(*mutex_);
    while (slots_[epoch].reported < stages()) epoch_done_->wait(lock);
    auto all = std::make_shared<Params>();
    for (const auto& p : slots_[epoch].parts) all->insert(all->end(), p.begin(), p.end());
    slots_.erase(epoch);
    return all;
  }

 private:
  struct Slot {
    std::vector<Params> parts;
    int reported = 0;
  };
  Federation& fed_;
  PipelinePlan plan_;
  Params initial_;
  std::unique_ptr<StagedNetwork> net_;
  std::map<int, Slot> slots_;
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr epoch_done_;
};

/// Device k running stage k for the whole run; a daemon, ended with the run.
class StageActor {
 public:
  StageActor(std::shared_ptr<Pipeline> p, int stage) : keep_(std::move(p)), p_(*keep_), k_(stage) {}

  void operator()() {
    sg4::Actor::self()->daemonize();
    const int last = p_.stages() - 1;
    std::unique_ptr<Inbox> forward_in, backward_in;
    if (k_ > 0) forward_in = std::make_unique<Inbox>(link_mailbox(k_ - 1, k_));
    if (!p_.plan().local && k_ < last) backward_in = std::make_unique<Inbox>(link_mailbox(k_ + 1, k_));
    CommLane lane(sg4::this_actor::get_host(), "sends-" + std::to_string(k_));
    lane_ = &lane;
    const StagePlan& sp = p_.plan().stages[k_];
    for (int epoch = 1;; ++epoch) {
      for (const auto& batch : p_.minibatches(epoch)) {
        const auto b = static_cast<int64_t>(batch.size());
        if (p_.plan().local) {
          StageData in = k_ == 0 ? load(batch) : forward_in->next();
          StageOutput out = compute(epoch, static_cast<double>(b) * sp.train_flops + p_.plan().update_flops(k_), 1,
                                    [this, in](StagedNetwork& net) { return net.local_step(k_, in); });
          if (k_ < last) send(epoch, k_ + 1, "activations", p_.plan().forward_bytes(k_, b), out.data);
          continue;
        }
        const auto micros = micro_batches(batch, p_.plan().micro_batches);
        const int m_count = static_cast<int>(micros.size());
        for (int m = 0; m < m_count; ++m) {
          const auto bm = static_cast<int64_t>(micros[m].size());
          StageData in = k_ == 0 ? load(micros[m]) : forward_in->next();
          StageOutput out = compute(epoch, static_cast<double>(bm) * sp.forward_flops, 0,
                                    [this, in, m](StagedNetwork& net) { return net.forward(k_, m, in); });
          if (k_ < last) send(epoch, k_ + 1, "activations", p_.plan().forward_bytes(k_, bm), out.data);
        }
        for (int m = m_count - 1; m >= 0; --m) {
          const auto bm = static_cast<int64_t>(micros[m].size());
          StageData grad = k_ < last ? backward_in->next() : StageData{};
          StageOutput out = compute(epoch, static_cast<double>(bm) * sp.backward_flops, 0,
                                    [this, grad, m](StagedNetwork& net) { return StageOutput{net.backward(k_, m, grad)}; });
          if (k_ > 0) send(epoch, k_ - 1, "gradients", p_.plan().backward_bytes(k_ - 1, bm), out.data);
        }
        compute(epoch, p_.plan().update_flops(k_), 1, [this](StagedNetwork& net) {
          net.step(k_);
          return StageOutput{};
        });
      }
      p_.report(epoch, k_, p_.net() ? p_.net()->stage_parameters(k_) : Params());
    }
  }

 private:
  Federation& fed() { return p_.fed(); }

  StageData load(const std::vector<int32_t>& indices) { return p_.net() ? p_.net()->batch(indices) : StageData{}; }

  /// The stage's work `work` (a job on the pool, real runs) while the host executes `flops`,
  /// as one train span; `steps` minibatches end with it.
  template <class Work>
  StageOutput compute(int epoch, double flops, int steps, Work work) {
    const double t0 = sg4::Engine::get_clock();
    std::future<StageOutput> job;
    if (StagedNetwork* net = p_.net()) job = fed().pool.submit([net, work] { return work(*net); });
    if (flops > 0) sg4::this_actor::execute(flops);
    StageOutput out = job.valid() ? job.get() : StageOutput{};
    const int k = k_;
    Event e{sg4::Engine::get_clock(), t0, EventKind::Train, "stage-" + std::to_string(k), fed().devices[k].name, epoch, k};
    e.flops = flops;
    e.steps = steps;
    // The network's training loss is the last stage's (the others' are auxiliary losses):
    // bp: each forward gives its micro-batch's; the minibatch's is their mean, reported with
    // its step.
    if (k == p_.stages() - 1 && !std::isnan(out.loss)) {
      loss_sum_ += out.loss;
      losses_++;
    }
    if (steps > 0 && losses_ > 0) {
      e.loss = loss_sum_ / losses_;
      loss_sum_ = 0;
      losses_ = 0;
    }
    fed().bus.emit(e);
    return out;
  }

  /// Sends `data` (`bytes` on the wire) to device `to` on the comm lane, after the previous send.
  void send(int epoch, int to, const char* what, double bytes, StageData data) {
    CommLane::wait(last_send_);
    const int k = k_;
    Federation& f = fed();
    last_send_ = lane_->launch([&f, k, to, what, bytes, data, epoch] {
      const double t0 = sg4::Engine::get_clock();
      link_mailbox(k, to)->put(new PipeMessage{data}, static_cast<uint64_t>(bytes));
      Event e{sg4::Engine::get_clock(), t0, EventKind::Send, "stage-" + std::to_string(k), f.devices[k].name, epoch, k};
      e.bytes = bytes;
      e.op = what;
      e.peer = to;
      f.bus.emit(e);
    });
  }

  std::shared_ptr<Pipeline> keep_;
  Pipeline& p_;
  int k_;
  CommLane* lane_ = nullptr;
  CommLane::Ticket last_send_;
  double loss_sum_ = 0;  ///< the last stage's losses of the minibatch in progress
  int losses_ = 0;
};

/// The coordinator: epochs, evaluation, stop (on the server host, which takes no part).
class Coordinator {
 public:
  Coordinator(std::shared_ptr<Pipeline> p, ServerOutcome& outcome) : keep_(std::move(p)), p_(*keep_), outcome_(outcome) {}
  void operator()() {
    StopRule stop(p_.fed(), outcome_);
    for (int k = 0; k < p_.stages(); ++k)
      outcome_.device_memory_bytes.push_back(
          p_.plan().memory_bytes(k, p_.fed().scenario.algorithm.batch_size));
    std::shared_ptr<const Params> global = std::make_shared<const Params>(p_.initial());
    if (!p_.net()) global = std::make_shared<const Params>();
    int epoch = 0;
    for (;;) {
      Event start{sg4::Engine::get_clock(), NAN, EventKind::RoundStart, "server", "server", epoch + 1};
      start.count = p_.stages();
      p_.fed().bus.emit(start);
      global = p_.wait_epoch(++epoch);
      if (stop.close_round(epoch, p_.stages(), global)) break;
    }
    stop.finish(epoch, *global);
  }

 private:
  std::shared_ptr<Pipeline> keep_;
  Pipeline& p_;
  ServerOutcome& outcome_;
};

}  // namespace

void start_pipeline(Federation& fed, ServerOutcome& outcome) {
  auto pipeline = std::make_shared<Pipeline>(fed);
  fed.schedule_state = pipeline;
  sg4::Actor::create("server", fed.platform.server, Coordinator(pipeline, outcome));
  for (int k = 0; k < pipeline->stages(); ++k)
    sg4::Actor::create("stage-" + std::to_string(k), fed.platform.devices[k], StageActor(pipeline, k));
}

}  // namespace flemu

#include "emulator/schedules/llm_inference.hpp"

#include <algorithm>
#include <deque>
#include <memory>
#include <stdexcept>

#include <simgrid/s4u.hpp>

#include "algorithms/inference/llm_inference.hpp"
#include "emulator/schedules/collectives.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {
namespace {

int g_token = 0;  // the payload of a point-to-point message: only its size matters

/// One device's weights: which blocks are resident, the loader that streams them from disk
/// (memory scheduler) and the memory they take. Blocks are numbered over the whole run: step k
/// is blocks[k % n] of token k / n (the loader runs ahead into the next token, as the code's
/// daemon does).
class DeviceWeights {
 public:
  DeviceWeights(const LlmShape& m, std::vector<WeightBlock> blocks, const DeviceSpec& device, sg4::Host* host,
                bool streamed, int window)
      : shape_(m),
        blocks_(std::move(blocks)),
        host_(host),
        streamed_(streamed),
        window_(window),
        memory_bytes_(device.memory_bytes),
        mutex_(sg4::Mutex::create()),
        changed_(sg4::ConditionVariable::create()) {
    if (!streamed_)
      for (const auto& b : blocks_) resident_bytes_ += b.bytes(shape_);
    peak_ = resident_bytes_;
  }

  const std::vector<WeightBlock>& blocks() const { return blocks_; }
  double peak_bytes() const { return peak_; }
  double memory_bytes() const { return memory_bytes_; }

  /// The loader's body (memory scheduler only): reads blocks from the host's disk in order,
  /// cyclically, while fewer than `window` are resident. A daemon.
  void run_loader(const std::function<void(const Event&)>& emit, const std::string& actor) {
    sg4::Actor::self()->daemonize();
    sg4::Disk* disk = host_->get_disks().at(0);
    for (long long j = 0;; ++j) {
      {
        std::unique_lock<sg4::Mutex> lock(*mutex_);
        while (static_cast<int>(loaded_.size()) + (loading_ ? 1 : 0) >= window_) changed_->wait(lock);
        loading_ = true;
        add_bytes(block(j).bytes(shape_));
      }
      const double t0 = sg4::Engine::get_clock();
      // Asynchronous so that the run's end can cancel it: SimGrid 3.32 aborts when it kills an
      // actor waiting for an I/O (the daemon's fate when the master ends).
      inflight_ = disk->read_async(static_cast<sg_size_t>(std::llround(block(j).bytes(shape_))));
      try {
        inflight_->wait();
      } catch (const simgrid::CancelException&) {
        return;  // the run is over
      }
      inflight_ = nullptr;
      Event e{sg4::Engine::get_clock(), t0, EventKind::DiskRead, actor, host_->get_name(), token_of(j) + 1,
              device_index_};
      e.bytes = block(j).bytes(shape_);
      e.op = block(j).name();
      emit(e);
      std::unique_lock<sg4::Mutex> lock(*mutex_);
      loading_ = false;
      loaded_.push_back(j);
      changed_->notify_all();
    }
  }

  /// The run is over: cancels the read in flight, if any (its loader then returns).
  void stop() {
    if (inflight_) inflight_->cancel();
  }

  /// Blocks until step k's weights are resident.
  void acquire(long long k) {
    if (!streamed_) return;
    std::unique_lock<sg4::Mutex> lock(*mutex_);
    while (std::find(loaded_.begin(), loaded_.end(), k) == loaded_.end()) changed_->wait(lock);
  }
  /// Step k was computed: the code releases every loaded block before it.
  void release_before(long long k) {
    if (!streamed_) return;
    std::unique_lock<sg4::Mutex> lock(*mutex_);
    while (!loaded_.empty() && loaded_.front() < k) {
      add_bytes(-block(loaded_.front()).bytes(shape_));
      loaded_.pop_front();
    }
    changed_->notify_all();
  }
  /// The KV cache grew (or the activations of a step): counted in the device's memory.
  void add_bytes(double bytes) {
    resident_bytes_ += bytes;
    peak_ = std::max(peak_, resident_bytes_);
  }
  void set_device_index(int i) { device_index_ = i; }

 private:
  const WeightBlock& block(long long j) const { return blocks_[static_cast<size_t>(j % static_cast<long long>(blocks_.size()))]; }
  int token_of(long long j) const { return static_cast<int>(j / static_cast<long long>(blocks_.size())); }

  const LlmShape& shape_;
  std::vector<WeightBlock> blocks_;
  sg4::Host* host_;
  bool streamed_;
  int window_;
  double memory_bytes_;
  int device_index_ = 0;
  std::deque<long long> loaded_;
  bool loading_ = false;
  sg4::IoPtr inflight_;  ///< the loader's read in progress
  double resident_bytes_ = 0, peak_ = 0;
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr changed_;
};

/// What the devices of one run share.
class Inference {
 public:
  explicit Inference(Federation& fed)
      : fed_(fed),
        spec_(fed.scenario.algorithm),
        shape_(llm_preset(fed.scenario.workload.llm)),
        tensor_parallel_(spec_.name == "tpi-llm"),
        allreduce_("tp", fed.platform.devices),
        p2p_("p2p", fed.platform.devices) {
    std::vector<double> speeds;
    for (const auto& d : fed.devices) speeds.push_back(d.speed_flops * d.cores);
    const int n = fed.num_devices();
    if (tensor_parallel_) {
      const TensorSplit split = split_tensor_parallel(shape_, speeds, spec_.tensor_split == "equal");
      for (int r = 0; r < n; ++r) add_device(r, tensor_parallel_blocks(shape_, split, r, r == 0));
    } else {
      const std::vector<int64_t> layers = split_layers(shape_, speeds);
      int64_t first = 0;
      for (int r = 0; r < n; ++r) {
        add_device(r, pipeline_blocks(shape_, first, layers[r], r == 0));
        first += layers[r];
      }
    }
  }

  Federation& fed() { return fed_; }
  const AlgorithmSpec& spec() const { return spec_; }
  const LlmShape& shape() const { return shape_; }
  bool tensor_parallel() const { return tensor_parallel_; }
  int devices() const { return fed_.num_devices(); }
  DeviceWeights& weights(int r) { return *weights_[r]; }
  const Communicator& allreduce_comm() const { return allreduce_; }
  const Communicator& p2p() const { return p2p_; }
  std::string actor(int r) const { return r == 0 ? "master" : "worker-" + std::to_string(r); }
  void emit(const Event& e) { fed_.bus.emit(e); }

  /// Positions computed in round `token` (1-based) and the cache length after them.
  int64_t new_positions(int token) const { return token == 1 ? spec_.prompt_length : 1; }
  int64_t kv_length(int token) const { return spec_.prompt_length + token - 1; }

  /// Token completion times at the master (round closes), for the summary.
  std::vector<double> token_times;

 private:
  void add_device(int r, std::vector<WeightBlock> blocks) {
    const bool streamed = spec_.memory_scheduler;
    weights_.push_back(std::make_unique<DeviceWeights>(shape_, std::move(blocks), fed_.devices[r],
                                                       fed_.platform.devices[r], streamed, spec_.memory_window));
    weights_.back()->set_device_index(r);
  }

  Federation& fed_;
  const AlgorithmSpec& spec_;
  LlmShape shape_;
  bool tensor_parallel_;
  Communicator allreduce_, p2p_;
  std::vector<std::unique_ptr<DeviceWeights>> weights_;
};

/// One device's actor: the token loop (the master's also closes rounds and decides the stop).
class DeviceActor {
 public:
  DeviceActor(std::shared_ptr<Inference> s, int rank, ServerOutcome* outcome)
      : keep_(std::move(s)), s_(*keep_), rank_(rank), outcome_(outcome) {}

  void operator()() {
    if (rank_ != 0) sg4::Actor::self()->daemonize();  // workers end with the master
    const DeviceSpec& dev = s_.fed().devices[rank_];
    rate_ = dev.speed_flops * dev.cores;
    memory_bandwidth_ = dev.memory_bytes_per_s;
    cores_ = dev.cores;
    std::unique_ptr<StopRule> stop;
    if (outcome_) stop = std::make_unique<StopRule>(s_.fed(), *outcome_);
    const auto empty = std::make_shared<const Params>();
    for (int token = 1;; ++token) {
      if (rank_ == 0) {
        Event start{sg4::Engine::get_clock(), NAN, EventKind::RoundStart, "server", "server", token};
        start.count = s_.devices();
        s_.emit(start);
      }
      if (s_.tensor_parallel())
        tensor_parallel_token(token);
      else
        pipeline_token(token);
      if (rank_ != 0) continue;
      const bool done = stop->close_round(token, s_.devices(), empty);
      if (done) {
        stop->finish(token, *empty);
        finish_summary(token);
        // Cancel the loaders' reads in flight and let them return before the run ends.
        for (int r = 0; r < s_.devices(); ++r) s_.weights(r).stop();
        sg4::this_actor::yield();
        return;
      }
    }
  }

 private:
  /// Computes the device's next block (waiting for its weights), then releases the ones before.
  void compute_next(int token) {
    DeviceWeights& w = s_.weights(rank_);
    const auto& blocks = w.blocks();
    const WeightBlock& b = blocks[static_cast<size_t>(step_ % static_cast<long long>(blocks.size()))];
    w.acquire(step_);
    const BlockCost cost = block_cost(s_.shape(), b, s_.new_positions(token), s_.kv_length(token));
    // Roofline: the time of the flops or of reading the bytes, whichever is longer.
    double flops = cost.flops;
    if (memory_bandwidth_ > 0) flops = std::max(flops, cost.memory_bytes / memory_bandwidth_ * rate_);
    const double t0 = sg4::Engine::get_clock();
    if (flops > 0) sg4::this_actor::exec_init(flops / cores_)->set_thread_count(cores_)->wait();
    // The cache now holds this token's keys and values.
    w.add_bytes(kv_cache_bytes(s_.shape(), b, s_.kv_length(token)) -
                kv_cache_bytes(s_.shape(), b, s_.kv_length(token) - s_.new_positions(token)));
    Event e{sg4::Engine::get_clock(), t0, EventKind::Train, s_.actor(rank_), host(), token, rank_};
    e.flops = cost.flops;
    e.op = b.name();
    s_.emit(e);
    w.release_before(step_);
    ++step_;
  }

  void allreduce(int token) {
    const double t0 = sg4::Engine::get_clock();
    CollectiveBuffer buf =
        CollectiveBuffer::bytes_only(static_cast<uint64_t>(s_.new_positions(token) * s_.shape().hidden), 4);
    // Concurrent at the hub: the code's master reads its sockets one after another, but the
    // workers' 4qh-byte messages fit the TCP buffers, so they travel at once and a path's
    // latency is paid once per direction, not once per worker (the card's t_AR ~ 13-16 ms on
    // Klonet; sequential rendezvous would pay 2 (N-1) latencies per all-reduce).
    // Ring (tensor_allreduce "ring", Galaxy's choice): reduce-scatter then all-gather along the
    // devices in rank order, 2(N-1) steps each paying a device-to-device path's latency.
    const bool ring = s_.spec().tensor_allreduce == "ring";
    const Traffic t = ring ? ring_allreduce(s_.allreduce_comm(), rank_, buf, ReduceOp::Sum)
                           : star_allreduce(s_.allreduce_comm(), rank_, 0, buf, ReduceOp::Sum, HubOrder::Concurrent);
    Event e{sg4::Engine::get_clock(), t0, EventKind::Collective, s_.actor(rank_), host(), token, rank_};
    e.bytes = t.bytes_sent;
    e.count = t.messages_sent;
    e.op = ring ? "ring-allreduce" : "star-allreduce";
    s_.emit(e);
  }

  void send(int to, double bytes, int token, const char* what) {
    const double t0 = sg4::Engine::get_clock();
    s_.p2p().mailbox(rank_, to)->put(&g_token, static_cast<uint64_t>(std::llround(bytes)));
    Event e{sg4::Engine::get_clock(), t0, EventKind::Send, s_.actor(rank_), host(), token, rank_};
    e.bytes = bytes;
    e.peer = to;
    e.op = what;
    s_.emit(e);
  }
  void receive(int from) { s_.p2p().mailbox(from, rank_)->get<int>(); }

  void tensor_parallel_token(int token) {
    const int n = s_.devices();
    const int64_t q = s_.new_positions(token);
    if (rank_ == 0) {
      compute_next(token);  // input: the embedding
      for (int w = 1; w < n; ++w) send(w, token_broadcast_bytes(s_.shape(), q, s_.kv_length(token)), token, "token-inputs");
    } else {
      receive(0);
    }
    for (int64_t l = 0; l < s_.shape().layers; ++l) {
      compute_next(token);  // attention on its heads
      if (n > 1) allreduce(token);
      compute_next(token);  // MLP on its columns
      if (n > 1) allreduce(token);
    }
    if (rank_ == 0) {
      compute_next(token);  // output: norm, lm_head, sampling
      s_.token_times.push_back(sg4::Engine::get_clock());  // the token is out
      for (int w = 1; w < n; ++w) send(w, kFinishedFlagBytes, token, "flag");
    } else {
      receive(0);
    }
  }

  void pipeline_token(int token) {
    const int n = s_.devices();
    const double hidden = hidden_state_bytes(s_.shape(), s_.new_positions(token));
    const size_t layer_blocks = s_.weights(rank_).blocks().size() - (rank_ == 0 ? 2 : 0);
    if (rank_ == 0)
      compute_next(token);  // input
    else
      receive(rank_ - 1);
    for (size_t k = 0; k < layer_blocks; ++k) compute_next(token);
    if (n > 1) send((rank_ + 1) % n, hidden, token, "hidden");
    if (rank_ == 0) {
      if (n > 1) receive(n - 1);
      compute_next(token);  // output
      s_.token_times.push_back(sg4::Engine::get_clock());
    }
  }

  void finish_summary(int tokens) {
    nlohmann::json j;
    const auto& times = s_.token_times;
    j["model"] = s_.shape().name;
    j["params"] = s_.shape().params();
    j["tokens"] = tokens;
    j["prompt_length"] = s_.spec().prompt_length;
    j["time_to_first_token_s"] = times.front();
    if (times.size() > 1) j["token_latency_s"] = (times.back() - times.front()) / static_cast<double>(times.size() - 1);
    nlohmann::json peaks = nlohmann::json::array(), fits = nlohmann::json::array();
    for (int r = 0; r < s_.devices(); ++r) {
      const DeviceWeights& w = s_.weights(r);
      peaks.push_back(w.peak_bytes());
      outcome_->device_memory_bytes.push_back(w.peak_bytes());
      fits.push_back(w.memory_bytes() <= 0 || w.peak_bytes() <= w.memory_bytes());
    }
    j["peak_memory_bytes"] = peaks;
    j["fits_memory"] = fits;
    outcome_->schedule_summary = {{"inference", j}};
  }

  const std::string& host() const { return s_.fed().devices[rank_].name; }

  std::shared_ptr<Inference> keep_;
  Inference& s_;
  int rank_;
  ServerOutcome* outcome_;
  long long step_ = 0;  ///< the device's next block, counted over the run
  double rate_ = 1, memory_bandwidth_ = 0;
  int cores_ = 1;
};

}  // namespace

void start_llm_inference(Federation& fed, ServerOutcome& outcome) {
  auto state = std::make_shared<Inference>(fed);
  fed.schedule_state = state;
  for (int r = 0; r < fed.num_devices(); ++r) {
    if (fed.scenario.algorithm.memory_scheduler) {
      if (fed.platform.devices[r]->get_disks().empty())
        throw std::logic_error("memory scheduler on a device without a disk (the loader checks disk_read)");
      sg4::Actor::create("loader-" + std::to_string(r), fed.platform.devices[r], [state, r] {
        state->weights(r).run_loader([state](const Event& e) { state->emit(e); }, "loader-" + std::to_string(r));
      });
    }
    sg4::Actor::create(state->actor(r), fed.platform.devices[r], DeviceActor(state, r, r == 0 ? &outcome : nullptr));
  }
}

}  // namespace flemu

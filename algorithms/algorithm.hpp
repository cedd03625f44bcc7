// What an FL method decides, independent of how the emulator moves bytes and spends time.
//
// The emulator's server actor (emulator/schedules/sync_server.cpp) runs the round protocol: it asks the
// algorithm whom to select and what local work to order, moves models through SimGrid, runs
// the training jobs, and hands the updates that arrived back to the algorithm to aggregate.
// Algorithms never see SimGrid; their maths lives in pure functions (aggregation.hpp).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/algorithm_spec.hpp"
#include "workloads/models/trainer.hpp"

namespace flemu {

struct SplitPlan;  // algorithms/llm/split_learning.hpp

/// What a client sends when an algorithm does not send its parameters as they are (sparse
/// deltas, seed coefficients, adapters): the algorithm's own type, derived from this, and the
/// length of its serialized form, which sets the upload's transfer time.
struct UpdatePayload {
  virtual ~UpdatePayload() = default;
  uint64_t wire_bytes = 0;   ///< bytes on the wire, headers included
  double device_flops = 0;   ///< what encoding it cost the device (e.g. projections), flops
};

/// An update as it reached the server.
struct ClientUpdate {
  int client = 0;
  int round = 0;                ///< round the client was engaged for
  int base_version = 0;         ///< global model version the client started from
  std::shared_ptr<const Params> start;   ///< the parameters it started from
  std::shared_ptr<const Params> params;  ///< the client's new parameters
  int64_t num_samples = 0;      ///< size of the client's training set
  int local_steps = 0;          ///< SGD steps it took
  double local_lr = 0;          ///< its local learning rate
  double train_loss = 0;
  std::shared_ptr<const UpdatePayload> payload;  ///< set when the algorithm encodes updates
};

/// The client-side half of an algorithm whose clients send something else than their
/// parameters.
class UpdateEncoder {
 public:
  virtual ~UpdateEncoder() = default;
  /// Runs after local training, on a worker thread: must be pure and thread-safe.
  virtual std::shared_ptr<const UpdatePayload> encode_update(const TrainJob& job, const TrainResult& trained) const = 0;
};

/// What the server sends one client at the start of a round.
struct Download {
  std::shared_ptr<const Params> start;  ///< the parameters the client starts from
  uint64_t bytes = 0;                   ///< bytes on the wire
  double device_flops = 0;              ///< what unpacking it costs the device (e.g. replaying seeds), flops
};

class SyncAlgorithm {
 public:
  explicit SyncAlgorithm(const AlgorithmSpec& spec) : spec_(spec) {}
  virtual ~SyncAlgorithm() = default;
  virtual std::string name() const = 0;
  const AlgorithmSpec& spec() const { return spec_; }
  /// `count` clients to train in `round`, drawn from `candidates` (sorted device indices)
  /// with `seed`. Default: a uniform sample (FedAvg's S_t).
  virtual std::vector<int> select_clients(int round, const std::vector<int>& candidates, int count,
                                          uint64_t seed) const;
  /// The local work ordered from `client` in `round`.
  virtual LocalTrainingSpec local_training(int client, int round) const = 0;
  /// The next global model from the current one and the updates that arrived (non-empty).
  virtual Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) = 0;
  /// What `client` downloads in `round` when the global model is `global`. Default: the
  /// global model itself, all of it (model.bytes).
  virtual Download download(int round, int client, const std::shared_ptr<const Params>& global, const ModelInfo& model);
  /// The client-side encoder, or nullptr when clients upload their parameters (model.bytes).
  virtual const UpdateEncoder* encoder() const { return nullptr; }
  /// Split learning: how a client's training is cut between device and server (the client
  /// then runs the split protocol, emulator/schedules/split_client.hpp); nullptr otherwise.
  virtual const SplitPlan* split_plan() const { return nullptr; }

 protected:
  AlgorithmSpec spec_;
};

/// Uniform sample of k distinct items of `candidates` (all of them if k >= size), sorted.
std::vector<int> sample_without_replacement(const std::vector<int>& candidates, int k, uint64_t seed);

/// The algorithm named in `spec` for a model described by `model` (the language-model methods
/// read its layout), with the run's seed (shared seeds of Ferret and FedKSeed). Throws
/// std::invalid_argument for an unknown name.
std::unique_ptr<SyncAlgorithm> make_sync_algorithm(const AlgorithmSpec& spec, const ModelInfo& model = {},
                                                   uint64_t run_seed = 0);

}  // namespace flemu

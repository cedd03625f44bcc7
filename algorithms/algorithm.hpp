// What an FL method decides, independent of how the emulator moves bytes and spends time.
//
// The emulator's server actor (emulator/schedules/sync_server.cpp) runs the round protocol: it asks the
// algorithm whom to select and what each client runs (its local step rule, the vectors it
// reads, what travels on the wire), moves the bytes through SimGrid, runs the training jobs,
// and hands the updates that arrived back to the algorithm to aggregate. Algorithms never see
// SimGrid; their maths lives in pure functions (aggregation.hpp). How a new method plugs in:
// docs/local-rules.md.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/algorithm_spec.hpp"
#include "algorithms/client_state.hpp"
#include "algorithms/wire.hpp"
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
  std::shared_ptr<const Params> momentum;    ///< its final local momentum buffer, if the plan asked for it
  std::shared_ptr<const Params> ascent_sum;  ///< Σe of its ascent steps (ascent_feedback), else null
  std::shared_ptr<const Params> gate_state;     ///< its personal gate after training (plans with a gate)
  std::shared_ptr<const Params> gate_momentum;  ///< the gate optimizer's momentum after training
  std::shared_ptr<const UpdatePayload> payload;  ///< set when the algorithm encodes updates (encoder())
};

/// The client-side half of an algorithm whose clients send something else than their
/// parameters.
class UpdateEncoder {
 public:
  virtual ~UpdateEncoder() = default;
  /// Runs after local training, on a worker thread: must be pure and thread-safe.
  virtual std::shared_ptr<const UpdatePayload> encode_update(const TrainJob& job, const TrainResult& trained) const = 0;
};

/// What an algorithm knows of the run besides its spec.
struct AlgorithmContext {
  int num_clients = 0;       ///< N: the platform's devices (FedDyn/FedSpeed average duals over all N)
  int64_t model_params = 0;  ///< d
  int64_t model_bytes = 0;   ///< float32 parameters, bytes on the wire
  ModelInfo model;           ///< the whole description (block gates are cut from its layers; the language-model methods read its layout)
  std::vector<std::string> client_classes;  ///< per client: its device class name ("" if none)
  int64_t total_samples = 0; ///< training samples of all clients together
  uint64_t seed = 0;         ///< the scenario's seed (per-client initial state; shared seeds of Ferret and FedKSeed)
};

/// A client's own model, for per-client evaluation: the global parameters (params null) or its
/// own, with its personal gate (pFedGate) if any.
struct PersonalModel {
  std::shared_ptr<const Params> params;
  std::shared_ptr<const GateJob> gate;
};

/// A client's part of one round, as the algorithm orders it: the local work (with the step
/// rule and the vectors it reads) and what travels each way.
struct ClientPlan {
  LocalTrainingSpec local;
  /// What travels. With an encoder(), the upload's size is the payload's (wire_bytes), known
  /// once the client has trained (Ferret's seed counts depend on its update).
  Wire wire;
  /// What the client starts from when it is not the global model itself (null: `global`).
  std::shared_ptr<const Params> start;
  double download_flops = 0;  ///< device work to unpack the download (e.g. replaying seeds), flops
};

/// A synchronous FL method: who trains, what each client runs, how the server combines.
///
/// The server actor (emulator/schedules/sync_server.cpp) calls select_clients, then plan()
/// for each selected client (in client order), runs the jobs and moves plan.wire's bytes,
/// then aggregate() with the updates that arrived, sorted by client. Algorithms never see
/// SimGrid; their maths lives in pure functions (aggregation.hpp, algorithms/fl/*.hpp).
class SyncAlgorithm {
 public:
  SyncAlgorithm(const AlgorithmSpec& spec, const AlgorithmContext& context, std::vector<std::string> client_slots = {})
      : spec_(spec), context_(context), clients_(std::move(client_slots)) {}
  virtual ~SyncAlgorithm() = default;
  virtual std::string name() const = 0;
  const AlgorithmSpec& spec() const { return spec_; }
  /// Clients to train in `round`, drawn from `candidates` (sorted device indices) with
  /// `seed`: `count` of them uniformly (FedAvg's S_t), or with participation "bernoulli" each
  /// one with probability active_ratio (FL-Simulator; redrawn if nobody). Sorted.
  virtual std::vector<int> select_clients(int round, const std::vector<int>& candidates, int count,
                                          uint64_t seed) const;
  /// What `client` receives and runs in `round`, starting from `global`.
  virtual ClientPlan plan(int client, int round, const std::shared_ptr<const Params>& global) = 0;
  /// The next global model from the current one and the updates that arrived (non-empty,
  /// sorted by client). Commits the senders' client state (client_state.hpp).
  virtual Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates) = 0;
  /// Memory held across rounds (summary.json "state").
  virtual StateFootprint footprint() const;
  /// The client-side encoder, or nullptr when clients upload what wire.up declares.
  virtual const UpdateEncoder* encoder() const { return nullptr; }
  /// Split learning: how a client's training is cut between device and server (the client
  /// then runs the split protocol, emulator/schedules/split_client.hpp); nullptr otherwise.
  virtual const SplitPlan* split_plan() const { return nullptr; }
  /// Whether clients have personal models (then per-client evaluation scores them too).
  virtual bool personalizes() const { return false; }
  /// Client `client`'s personal model (methods that have them).
  virtual PersonalModel personal_model(int) const { return {}; }

 protected:
  /// The server's own vectors, bytes (c, Σh, m, v, ...).
  virtual int64_t server_state_bytes() const { return 0; }
  AlgorithmSpec spec_;
  AlgorithmContext context_;
  ClientStateStore clients_;
};

/// Uniform sample of k distinct items of `candidates` (all of them if k >= size), sorted.
std::vector<int> sample_without_replacement(const std::vector<int>& candidates, int k, uint64_t seed);

/// Each candidate independently with probability p (FL-Simulator's active_ratio), drawn again
/// with a derived seed while nobody is drawn (after 10,000 empty draws: one uniform pick).
/// Sorted. Empty only if `candidates` is.
std::vector<int> bernoulli_sample(const std::vector<int>& candidates, double p, uint64_t seed);

/// The algorithm named in `spec` (throws std::invalid_argument for an unknown name).
std::unique_ptr<SyncAlgorithm> make_sync_algorithm(const AlgorithmSpec& spec, const AlgorithmContext& context);

}  // namespace flemu

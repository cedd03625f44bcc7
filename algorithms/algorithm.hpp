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

 protected:
  AlgorithmSpec spec_;
};

/// Uniform sample of k distinct items of `candidates` (all of them if k >= size), sorted.
std::vector<int> sample_without_replacement(const std::vector<int>& candidates, int k, uint64_t seed);

/// The algorithm named in `spec` (throws std::invalid_argument for an unknown name).
std::unique_ptr<SyncAlgorithm> make_sync_algorithm(const AlgorithmSpec& spec);

}  // namespace flemu

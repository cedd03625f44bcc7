// DDP — synchronous data parallelism (Li et al., "PyTorch Distributed: Experiences on
// Accelerating Data Parallel Training", VLDB 2020): every step, each worker computes the
// gradient of its own minibatch and an all-reduce averages the gradients before the step.
//
// With plain SGD, averaging the gradients and stepping equals averaging the workers'
// parameters after one local step (x - lr mean(g_i) = mean(x - lr g_i), up to float rounding),
// so the emulator runs one-step jobs and all-reduces their results. The all-reduce is cut into
// `buckets` pieces launched as the backward pass produces them (PyTorch's 25 MB buckets), so
// that communication overlaps the rest of the backward pass: the schedule does that timing.
#pragma once
#include "algorithms/cluster/data_parallel.hpp"

namespace flemu {

class Ddp final : public DataParallelMethod {
 public:
  explicit Ddp(const AlgorithmSpec&) {}
  std::string name() const override { return "ddp"; }
  SyncPoint sync() const override { return SyncPoint::EveryStep; }
  /// The next step starts from the average of the workers' one-step results.
  Params next_start(const Params&, const Params* average, const Params*) override { return *average; }
};

}  // namespace flemu

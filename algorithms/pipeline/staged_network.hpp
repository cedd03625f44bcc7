// A network split into stages over a chain of devices, as the pipeline schedule drives it:
// every call is one stage's work on one batch (or micro-batch), a pure function of the
// stage's own state and its inputs. Calls on one stage must come one at a time and in the
// pipeline's order; calls on different stages may run at once, on any threads. Hence a
// pipelined run (stages concurrent) and a sequential one (train_sequentially) produce the same
// bits.
//
// Torch-free: tensors cross this interface as opaque StageData. The LibTorch implementation is
// algorithms/pipeline/torch_local_learning.cpp.
#pragma once
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "algorithms/pipeline/stage_plan.hpp"
#include "workloads/models/trainer.hpp"

namespace flemu {

struct TrainTest;

/// One batch's tensors between two stages (activations with their labels, or gradients).
struct StageData {
  std::shared_ptr<const void> tensors;
  explicit operator bool() const { return static_cast<bool>(tensors); }
};

struct StageOutput {
  StageData data;   ///< what goes to the next stage (empty from the last one)
  double loss = NAN;  ///< the stage's training loss on the batch (auglocal: its last layer's)
};

class StagedNetwork {
 public:
  virtual ~StagedNetwork() = default;
  virtual int stages() const = 0;
  /// The input of stage 0: the training samples `indices` (images and labels).
  virtual StageData batch(const std::vector<int32_t>& indices) const = 0;

  // auglocal
  /// Trains each layer of `stage` on `in` with its local loss and steps its optimiser;
  /// returns the stage's output, detached.
  virtual StageOutput local_step(int stage, const StageData& in) = 0;

  // bp-pipeline (GPipe): forward every micro-batch, backward them in reverse, then step.
  /// Forward of micro-batch `micro`; the stage keeps what its backward needs. The last stage
  /// computes the loss (divided by the number of micro-batches) and returns no data.
  virtual StageOutput forward(int stage, int micro, const StageData& in) = 0;
  /// Backward of micro-batch `micro` from the gradient of the stage's output (ignored by the
  /// last stage, which starts from its loss); returns the gradient of the stage's input
  /// (empty for stage 0). Gradients accumulate until step().
  virtual StageData backward(int stage, int micro, const StageData& output_gradient) = 0;
  /// One optimiser step of the stage over the accumulated gradients, then zeroes them.
  virtual void step(int stage) = 0;

  /// The stage's layers' parameters (and the head's, last stage), flat, in the model's
  /// order; the stages' vectors concatenated are the whole network (not the auxiliary nets).
  virtual Params stage_parameters(int stage) const = 0;
};

/// The cnn5 network of `plan` in LibTorch, starting from `initial` (the whole network's flat
/// parameters, Trainer::initial_params); auxiliary networks are initialised from `seed`.
/// Optimiser: SGD with `lr`, Nesterov `momentum` and `weight_decay` per stage (auglocal: per
/// layer with its auxiliary net). Sets LibTorch to one intra-op thread (determinism).
std::unique_ptr<StagedNetwork> make_torch_staged_network(const PipelinePlan& plan, const Params& initial,
                                                         std::shared_ptr<const TrainTest> data, double lr,
                                                         double momentum, double weight_decay, uint64_t seed);

/// An epoch's minibatches: `samples` shuffled with a generator seeded by `seed`, cut into
/// batches of `batch_size` (the last one short). What device 0 of a pipeline feeds.
std::vector<std::vector<int32_t>> epoch_minibatches(std::vector<int32_t> samples, int batch_size, uint64_t seed);

/// Splits a minibatch into `parts` micro-batches of (nearly) equal size, in order.
std::vector<std::vector<int32_t>> micro_batches(const std::vector<int32_t>& batch, int parts);

/// The same training as a pipelined run, one call after another in one thread: for each
/// minibatch, stage 0 to the last (auglocal); or every micro-batch forward through all stages,
/// then every micro-batch backward (last first) through all stages, then every stage's step
/// (bp). The oracle of the pipeline schedule. Returns the final stage_parameters, concatenated.
Params train_sequentially(StagedNetwork& net, const PipelinePlan& plan,
                          const std::vector<std::vector<int32_t>>& minibatches);

}  // namespace flemu

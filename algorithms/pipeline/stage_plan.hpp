// What each device of a pipeline holds and costs, torch-free: the network's layers split into
// contiguous stages (one per device, in chain order), each stage's flops per sample, the
// bytes it sends, and its memory. The pipeline schedule (emulator/schedules/pipeline.cpp)
// times it; workloads/models/torch_local_learning.cpp builds the same networks in LibTorch.
//
// Flops per sample (multiply-add = 2, cnn5.hpp), for a layer of forward cost F:
//   bp-pipeline   forward F; backward 2F (weights and input), F for the first layer (no input
//                 gradient); the head (pool + linear) likewise.
//   auglocal      forward F; backward F (weights only: the layer's input is detached); its
//                 auxiliary network A: forward A, backward 2A (its gradient flows into the layer).
// Messages per batch of b samples (fp32 activations, int64 labels):
//   forward       b x (floats of the stage's output) x 4 + b x 8 bytes, to the next device
//   backward      b x (floats of the stage's output) x 4 bytes, to this device from the next (bp only)
// Memory per device, bytes (peak, analytic; the card: "parameters + optimizer state +
// activations x batches in flight"):
//   4 x parameters x (weights + gradients + momentum if any)
// + 4 x activations kept for backward: each layer keeps its input and output, each auxiliary
//   layer too. auglocal frees a layer's graph after its local backward, so the peak is the
//   largest layer (with its auxiliary net) of the batch; bp keeps every layer of the stage
//   for every micro-batch until their backward, i.e. the whole minibatch
// + 4 x message buffers: the batch being received and the one being sent (and, for bp, the
//   gradients both ways).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/algorithm_spec.hpp"
#include "algorithms/pipeline/auglocal.hpp"
#include "workloads/models/cnn5.hpp"

namespace flemu {

/// An auxiliary network (auglocal): fresh convolutions, pool, optional BatchNorm1d, linear.
struct AuxNetSpec {
  std::vector<ConvSpec> convs;
  bool batch_norm = false;
  int64_t features = 0;  ///< width entering the linear layer
  int64_t params() const;
  double forward_flops() const;        ///< per sample
  int64_t activation_floats() const;   ///< per sample, kept for backward
};

struct StagePlan {
  int first_layer = 0, layers = 0;  ///< the stage holds layers [first_layer, first_layer + layers)
  bool has_head = false;            ///< the last stage: pool + linear + the loss
  std::vector<AuxNetSpec> aux;      ///< auglocal: per layer of the stage that is not the last layer
  int64_t params = 0;               ///< layers, auxiliary nets and head
  double forward_flops = 0;         ///< per sample: what a forward pass costs (bp)
  double backward_flops = 0;        ///< per sample: what the backward pass costs (bp)
  double train_flops = 0;           ///< per sample: everything (auglocal: the local step)
  int64_t input_floats = 0;         ///< per sample, the stage's input
  int64_t output_floats = 0;        ///< per sample, what it sends on (0 for the last stage)
  int64_t kept_floats = 0;          ///< per sample, activations kept for backward (see above)
};

struct PipelinePlan {
  bool local = false;     ///< auglocal (true) or backpropagation (false)
  int micro_batches = 1;  ///< bp: micro-batches per minibatch
  bool momentum = true;   ///< the optimiser keeps a momentum buffer
  std::vector<StagePlan> stages;

  /// Bytes of the forward message of stage k for a batch of b samples (0 for the last stage).
  double forward_bytes(int k, int64_t b) const;
  /// Bytes of the gradient stage k + 1 sends back to stage k (bp; 0 otherwise).
  double backward_bytes(int k, int64_t b) const;
  /// Peak memory of the device running stage k with minibatches of b samples, bytes.
  double memory_bytes(int k, int64_t b) const;
  /// Flops of the optimiser step of stage k (6 per parameter: decay, momentum, Nesterov, step).
  double update_flops(int k) const { return 6.0 * static_cast<double>(stages[k].params); }
};

/// The cnn5 plan for `algorithm` (auglocal or bp-pipeline) over `devices` devices; layer_split
/// empty = the contiguous split minimising the largest stage's training flops (first such split
/// on ties). Throws std::invalid_argument when the split does not fit.
PipelinePlan make_pipeline_plan(const AlgorithmSpec& algorithm, int devices);

/// The auxiliary network of layer `layer` of cnn5 at depth `depth` (auglocal).
AuxNetSpec cnn5_aux_net(int layer, int depth);

}  // namespace flemu

// What the emulator needs to know about a model without seeing LibTorch: its size on the wire
// and the flops of training and evaluating it, counted analytically from the layer shapes
// (LibTorch 1.13 has no flop counter).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/models/transformer.hpp"
#include "workloads/workload_spec.hpp"

namespace flemu {

/// One weight layer, as far as flop counting cares. Conv2d has padding (k-1)/2 ("same") and
/// is followed by a 2x2 max-pool in both of our CNNs.
struct LayerShape {
  enum Kind { Linear, Conv2d } kind;
  int64_t in = 0, out = 0;     ///< features (Linear) or channels (Conv2d)
  int64_t kernel = 0;          ///< Conv2d kernel side
  int64_t out_h = 0, out_w = 0;///< Conv2d output size (before pooling)
};

struct ModelInfo {
  ModelKind kind = ModelKind::Mlp;
  std::string name;
  std::vector<LayerShape> layers;
  int64_t num_params = 0;
  int64_t bytes = 0;                  ///< float32 parameters on the wire
  double forward_flops_per_sample = 0;
  double train_flops_per_sample = 0;  ///< forward + backward
  /// Named tensors of the flat parameter vector with trainable flags (the transformer's;
  /// empty for the MLP and CNN, whose every parameter trains).
  std::vector<TensorSlot> tensors;
  int64_t trainable_params = 0;       ///< parameters a job changes
  int64_t tokens_per_sample = 0;      ///< language models: target tokens per sample (window)
  /// Language models (kind Transformer): the architecture and what the method trains.
  TransformerSpec transformer;
  FineTuneSpec fine_tune;
};

/// Architecture facts for `kind`. Flops count multiply-adds as 2 and ignore biases and
/// activations (they are <0.1%): Linear forward 2*in*out; Conv2d forward
/// 2*Cout*Hout*Wout*Cin*k*k; backward is 2x forward (input + weight gradients), except the
/// first layer, which needs no input gradient (1x).
ModelInfo describe_model(ModelKind kind);
/// The workload's model: describe_model(kind), or the custom model's size and costs (no layers).
ModelInfo describe_model(const WorkloadSpec& workload);

/// Training flops from the layer list, per sample (exposed for tests).
double train_flops_per_sample(const std::vector<LayerShape>& layers);
double forward_flops_per_sample(const std::vector<LayerShape>& layers);

std::string to_string(ModelKind kind);

}  // namespace flemu

namespace flemu {
/// Initial parameters for `info`, drawn from `seed` alone with LibTorch's default layer
/// initialisation law (weights and biases ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))). Our own
/// generator rather than torch's process-wide one: model creation then never races with
/// training jobs (../shared/FACTS.md, "Determinism"). Order: per layer, weight then bias.
std::vector<float> initial_parameters(const ModelInfo& info, uint64_t seed);
}  // namespace flemu

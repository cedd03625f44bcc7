// The network the pipeline algorithms split layer by layer (../shared/cards/systems.md §4(e)):
// on 1x28x28 Fashion-MNIST images, five 3x3 convolutions with padding 1, each followed by a
// ReLU, widths 16-16-32-32-64 with stride 2 where the width doubles (28 -> 14 -> 7), then a
// global average pool and a linear layer to the 10 classes (the head). No batch norm: stages
// of a pipeline then never depend on another stage's batch statistics.
//
// Torch-free facts (shapes, flops, bytes); the LibTorch modules live in
// workloads/models/torch_local_learning.cpp.
#pragma once
#include <cstdint>
#include <vector>

namespace flemu {

constexpr int kCnn5Classes = 10;

/// One 3x3 convolution of cnn5 (or of an auxiliary network): channels, stride, sides.
struct ConvSpec {
  int64_t in = 0, out = 0;
  int stride = 1;
  int64_t in_side = 0, out_side = 0;  ///< square feature maps
  int64_t params() const { return out * in * 9 + out; }
  double forward_flops() const { return 2.0 * out * out_side * out_side * in * 9; }  ///< per sample
  int64_t output_floats() const { return out * out_side * out_side; }               ///< per sample
};

/// The five layers, in order.
const std::vector<ConvSpec>& cnn5_layers();
inline int cnn5_layer_count() { return 5; }

}  // namespace flemu

// Peak memory a method needs on a device to fine-tune the transformer: an estimate from the
// shapes (float32 everywhere), to compare with a device class's memory before a run starts.
//
//   parameters   what the device holds: the whole model, or for split learning the head and
//                tail (and the soft prompt)
//   activations  what one training batch keeps for its backward pass
//                (activation_bytes_per_window x batch; zeroth-order steps keep none)
//   gradients    one value per trainable parameter the device holds
//   optimizer    the client optimizer's state: none (plain SGD, as every method here)
//   buffers      the method's own: a copy of the starting point to form the update (FedAvg's
//                proximal anchor, Ferret, FLASC), Ferret's basis vector, FedKSeed's direction
//                and unperturbed copy, split learning's received activations
// LibTorch's allocator, the code and the OS come on top: a lower bound to compare with, not
// a measurement.
#pragma once
#include <string>

#include "algorithms/algorithm_spec.hpp"
#include "workloads/models/model_info.hpp"

namespace flemu {

struct DeviceMemory {
  double parameters = 0, activations = 0, gradients = 0, optimizer = 0, buffers = 0;  ///< bytes
  double total() const { return parameters + activations + gradients + optimizer + buffers; }
};

/// The estimate for `algorithm` training `model` (ModelInfo of the transformer, as the trainer
/// describes it) with batches of algorithm.batch_size windows.
DeviceMemory estimate_device_memory(const ModelInfo& model, const AlgorithmSpec& algorithm);

/// "1.9 MB" style.
std::string format_bytes(double bytes);

}  // namespace flemu

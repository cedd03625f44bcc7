// The trainable part of a parameter vector (ModelInfo::tensors' trainable flags): what
// parameter-efficient methods send and average. Pure functions; a model without a tensor
// list (MLP, CNN) is all trainable.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "algorithms/algorithm.hpp"

namespace flemu {

/// The trainable entries of `p`, concatenated in layout order.
std::vector<float> gather_trainable(const ModelInfo& model, const Params& p);
/// Writes `values` (gather_trainable's order) into the trainable entries of `p`.
void scatter_trainable(const ModelInfo& model, const std::vector<float>& values, Params& p);
/// (offset, count) ranges of the trainable entries, in layout order, adjacent ones merged.
std::vector<std::pair<int64_t, int64_t>> trainable_ranges(const ModelInfo& model);

/// FedAvg (sample-weighted) over the trainable entries; frozen entries are `global`'s.
Params average_trainable(const ModelInfo& model, const Params& global, const std::vector<ClientUpdate>& updates,
                         double server_lr);

/// Bytes of the trainable entries sent dense (float32, no header: like model.bytes).
uint64_t dense_trainable_bytes(const ModelInfo& model);

/// The exchange of a method that sends its trainable entries as they are (LoRA adapters, a
/// soft prompt and tail), as the part `what`, both ways: the server reads them from
/// ClientUpdate::params.
Wire trainable_both_ways(const std::string& what, const ModelInfo& model);

}  // namespace flemu

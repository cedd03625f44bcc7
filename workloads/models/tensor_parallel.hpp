// Tensor-parallel inference of the small transformer (transformer.hpp), TPI-LLM's cut at small
// scale (Li et al., arXiv:2410.00531, §3.1; card ../shared/cards/systems.md §2(e)): real
// computation that checks the cut the inference schedule times (algorithms/inference/
// llm_inference.hpp) computes the same function as the unsplit network. Torch-free header; the
// LibTorch code is in workloads/models/torch_lm_trainer.cpp, beside the network it splits.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "workloads/models/trainer.hpp"
#include "workloads/models/transformer.hpp"

namespace flemu {

/// How the layers are cut over devices, as TPI-LLM cuts them (split_tensor_parallel gives the
/// counts): device i computes the next heads[i] attention heads (rows of q, k, v and the same
/// columns of o; every head is its own KV group in this model, so "KV heads" = heads) and the
/// next mlp_columns[i] MLP units (rows of fc, columns of proj), in device order. LayerNorms are
/// replicated; the embeddings, ln_f and the LM head live on the master (device 0).
struct TensorParallelCut {
  std::vector<int64_t> heads;        ///< per device, >= 1, summing to spec.heads
  std::vector<int64_t> mlp_columns;  ///< per device, >= 1, summing to spec.mlp_hidden
};

/// Sums the devices' partial outputs (one flat float vector per device, all of one size) in an
/// all-reduce's own order: e.g. star_allreduce_reference or ring_allreduce_reference of
/// emulator/schedules/collectives.hpp, which the emulator's collectives are held to.
using PartialSum = std::function<std::vector<float>(const std::vector<std::vector<float>>&)>;

/// Logits [T, V] (row-major) of the unsplit network `base` on `tokens` (T <= context):
/// row t predicts the token after tokens[0..t].
std::vector<float> transformer_logits(const TransformerSpec& spec, const Params& base,
                                      const std::vector<int32_t>& tokens);

/// The same logits computed tensor-parallel, as TPI-LLM serves them: the master embeds; every
/// device runs its heads' attention (keeping its own KV cache) and its MLP columns, each a
/// partial [q, d] output (o and proj without their bias); `sum` adds the partials, twice per
/// layer; the bias and the residual are added to the sum on every device (they all hold it);
/// the master applies ln_f and the head. The first `prompt` tokens are one prefill round, each
/// later token one decode round that reuses the caches. Returns [T, V]: the prefill's rows,
/// then one row per decode round. Throws std::invalid_argument when the cut does not add up,
/// `prompt` is not in [1, T] or T exceeds the context.
std::vector<float> tensor_parallel_logits(const TransformerSpec& spec, const Params& base, const TensorParallelCut& cut,
                                          const PartialSum& sum, int prompt, const std::vector<int32_t>& tokens);

}  // namespace flemu

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

// --- the card's Llama-style tiny decoder, with grouped-query attention ----------------------
// The small transformer above has one KV head per query head; TPI-LLM's cut of a Llama groups
// a / b query heads on each KV head (GQA) and gives device i k_i whole KV groups. This decoder
// has that shape (card §2(e): h 64, a 8 heads, b 2 KV heads, MLP 172, 2 layers, vocabulary 100):
// learned token and position embeddings, pre-RMSNorm blocks, GQA causal attention without
// biases, SwiGLU MLP (down(silu(gate x) * up x)), final RMSNorm, untied head. Flat layout:
//   tok_emb [V, d], pos_emb [C, d], per layer: norm1 [d], q [a dh, d], k [b dh, d], v [b dh, d],
//   o [d, a dh], norm2 [d], gate [s, d], up [s, d], down [d, s]; norm_f [d], head [V, d].
struct GqaDecoderSpec {
  int vocab = 100, context = 32, d_model = 64, layers = 2, heads = 8, kv_heads = 2, mlp_hidden = 172;
};
/// Values in the flat layout of `spec`.
int64_t gqa_decoder_size(const GqaDecoderSpec& spec);

/// Logits [T, V] of the unsplit decoder (every KV head repeated for its a / b query heads).
std::vector<float> gqa_decoder_logits(const GqaDecoderSpec& spec, const Params& params,
                                      const std::vector<int32_t>& tokens);

/// The same, tensor-parallel as tensor_parallel_logits, with `cut.heads` counting KV heads (each
/// device computes the a / b query heads of each of its KV groups) summing to spec.kv_heads.
std::vector<float> gqa_tensor_parallel_logits(const GqaDecoderSpec& spec, const Params& params,
                                              const TensorParallelCut& cut, const PartialSum& sum, int prompt,
                                              const std::vector<int32_t>& tokens);

}  // namespace flemu

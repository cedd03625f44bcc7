// The shape of a Llama-style decoder-only language model, and the shapes of the models the
// distributed-inference papers serve (TPI-LLM: ../shared/cards/systems.md §2). Sizes only:
// flemu never holds such weights; its inference schedules turn the shape into bytes and flops
// (algorithms/inference/llm_inference.hpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace flemu {

/// A Llama-style decoder: h hidden, L layers, a query heads, b KV heads (GQA when b < a),
/// s MLP intermediate size, v vocabulary. Weights are fp32 on the devices (TPI-LLM casts them).
struct LlmShape {
  std::string name;
  int64_t hidden = 0;        ///< h
  int64_t layers = 0;        ///< L
  int64_t heads = 0;         ///< a (query heads)
  int64_t kv_heads = 0;      ///< b (key/value heads), divides a
  int64_t intermediate = 0;  ///< s (MLP)
  int64_t vocab = 0;         ///< v
  double bytes_per_param = 4;
  int64_t head_dim() const { return hidden / heads; }
  /// All parameters: embedding, L x (attention + MLP + 2 norms), final norm, lm_head.
  double params() const;
};

/// Llama-2 3B (OpenLLaMA 3B shape), 7B, 13B, 70B, Llama-3.1 8B and 70B, Yi-34B; throws
/// std::invalid_argument naming the known ones for another name.
LlmShape llm_preset(const std::string& name);
std::vector<std::string> llm_preset_names();

}  // namespace flemu

// Distributed inference of a decoder-only language model (Llama family) on a few edge devices:
// the model's shape, how its weights are cut over the devices, what each piece costs, and the
// sliding-window memory scheduler. Pure functions (no SimGrid, no I/O): the emulator's schedule
// (emulator/schedules/llm_inference.cpp) moves the bytes and spends the time.
//
// TPI-LLM (Li, Feng, Guizani, Yu, arXiv:2410.00531, Algorithms 1-2, §3.1-3.3; card:
// ../shared/cards/systems.md §2): tensor parallelism. Every transformer layer is cut by
// attention heads (by KV group: device i gets k_i KV heads and k_i a/b query heads, the matching
// rows of Wq, Wk, Wv and columns of Wo) and by MLP columns (rows of gate/up, columns of down);
// each device computes a partial output, and a star all-reduce through the master sums them,
// twice per layer per token. The embedding and the final norm + lm_head live only on the master.
//   - split "proportional" (the paper, default): KV heads and MLP columns in proportion to the
//     devices' speeds;
//   - split "equal" (the public code): KV heads split equally with the remainder to the last
//     devices, MLP columns likewise (the code ignores its ratio for the MLP).
// The sliding-window memory scheduler (the code's mem_manager.py, which the paper's §3.3
// describes): the blocks of a device (the master: input, then per layer attention and MLP, then
// output; the others: the layers' attention and MLP) are loaded from disk in order, cyclically,
// by a daemon that waits while `window` blocks are loaded; computing block b waits for its load,
// then releases every loaded block before b. Hence with w = 2 a load overlaps only the
// all-reduce that follows the previous block; with w >= 3 it also overlaps compute.
//
// Pipeline baseline (Galaxy / HF Accelerate "model parallelism"): contiguous ranges of whole
// layers per device in proportion to speed, the master also holding input and output; the
// hidden state travels device to device once per token and back to the master.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/models/llm_shape.hpp"

namespace flemu {

/// How a layer is cut over the devices (tensor parallelism).
struct TensorSplit {
  std::vector<int64_t> kv_heads;     ///< per device, >= 1, summing to b
  std::vector<int64_t> mlp_columns;  ///< per device, summing to s
};

/// Integer shares of `units` over devices with weights `weights` (> 0): largest remainders of
/// the proportional shares, ties to the later device, at least `minimum` each. `equal` ignores
/// the weights and gives the remainder of units / n to the last devices (TPI-LLM's code).
std::vector<int64_t> apportion(int64_t units, const std::vector<double>& weights, bool equal, int64_t minimum);

/// TPI-LLM's cut: needs 1 <= devices <= kv_heads (std::invalid_argument otherwise).
TensorSplit split_tensor_parallel(const LlmShape& m, const std::vector<double>& speeds, bool equal);

/// Pipeline baseline: layers per device (contiguous, in device order), in proportion to speed
/// (at least one each; std::invalid_argument when there are more devices than layers).
std::vector<int64_t> split_layers(const LlmShape& m, const std::vector<double>& speeds);

/// One unit of the memory scheduler: a piece of weights that is loaded, computed and released
/// as a whole.
struct WeightBlock {
  enum class Kind { Input, Attention, Mlp, Output };
  Kind kind = Kind::Attention;
  int layer = -1;          ///< transformer layer, -1 for input / output
  double params = 0;       ///< parameters held by this device for this block
  int64_t q_heads = 0;     ///< attention: query heads computed here
  int64_t kv_heads = 0;    ///< attention: KV heads (and KV cache) held here
  int64_t columns = 0;     ///< MLP: intermediate columns computed here
  std::string name() const;  ///< "input", "attn.3", "mlp.3", "output"
  double bytes(const LlmShape& m) const { return params * m.bytes_per_param; }
};

/// The blocks of a device in execution order. TPI-LLM: device `device` of the split, the master
/// (`master`) also holding input and output. Pipeline: the layers [first, first + count) whole.
std::vector<WeightBlock> tensor_parallel_blocks(const LlmShape& m, const TensorSplit& split, int device, bool master);
std::vector<WeightBlock> pipeline_blocks(const LlmShape& m, int64_t first_layer, int64_t layer_count, bool master);

/// What computing a block for `q` new tokens with `kv_len` positions in the cache costs:
/// multiply-adds of the matmuls and of attention (2 flops each), and the bytes the device reads
/// from memory (all of the block's weights; the embedding only its q rows). The lm_head runs on
/// the last position only.
struct BlockCost {
  double flops = 0;
  double memory_bytes = 0;
};
BlockCost block_cost(const LlmShape& m, const WeightBlock& b, int64_t q, int64_t kv_len);

/// KV cache bytes a block holds after `kv_len` positions (attention blocks; fp32 K and V).
double kv_cache_bytes(const LlmShape& m, const WeightBlock& b, int64_t kv_len);

/// Bytes of one all-reduce message (the [1, q, h] fp32 hidden state) and of the master's
/// per-token broadcast to each worker (inputs_embeds, RoPE cos and sin, cache positions as
/// int64, the fp32 causal mask [q, kv_len]), as TPI-LLM's code sends them.
double hidden_state_bytes(const LlmShape& m, int64_t q);
double token_broadcast_bytes(const LlmShape& m, int64_t q, int64_t kv_len);
constexpr double kFinishedFlagBytes = 8;  ///< the master's "unfinished" flag, once per token

// --- the sliding-window memory scheduler, on one device, as a pure timeline ---------------

/// Block k of a device's cyclic schedule (k counts over tokens: block k is blocks[k % n]):
/// compute time, the time after its compute before the next block may start (its all-reduce,
/// or 0), and its load time from disk.
struct WindowStep {
  double compute_s = 0;
  double after_s = 0;
  double load_s = 0;
  double bytes = 0;
};
struct WindowTimeline {
  std::vector<double> load_start, load_end, compute_start, compute_end;
  std::vector<double> stall;  ///< compute_start - (end of the previous step's after_s)
  double peak_bytes = 0;      ///< the most bytes loaded (or being loaded) at once
};
/// The code's rules: the loader loads blocks one after another, starting block j once fewer
/// than `window` blocks are resident (block j - window has been released); computing block k
/// waits for its load and, once done, releases every block before k. Needs window >= 2 (with
/// 1 the block being computed would wait for its own release).
WindowTimeline simulate_memory_window(const std::vector<WindowStep>& steps, int window);

}  // namespace flemu

// A small decoder-only transformer (GPT-2 shape: pre-LayerNorm blocks of causal multi-head
// self-attention and a GELU MLP, learned token and position embeddings, untied LM head), as
// the emulator sees it: shapes, parameter layout, flops and bytes, without LibTorch. The
// LibTorch module that computes it is workloads/models/torch_lm_trainer.cpp.
//
// Parameter layout (the flat Params order, which is also LibTorch's registration order):
//   tok_emb [V, d], pos_emb [C, d],
//   per block i: blocks.i.ln1.{weight,bias} [d], blocks.i.attn.{q,k,v,o}.{weight [d, d], bias [d]},
//                blocks.i.ln2.{weight,bias} [d], blocks.i.mlp.fc.{weight [h, d], bias [h]},
//                blocks.i.mlp.proj.{weight [d, h], bias [d]},
//   ln_f.{weight,bias} [d], head.weight [V, d];
// then what a fine-tuning method adds (FineTuneSpec):
//   LoRA, per block and target module t in the order q, k, v, o, fc, proj:
//        blocks.i.lora.t.A [r, in_t], blocks.i.lora.t.B [out_t, r]
//   soft prompt: prompt [P, d].
// Attention head j of a block owns rows [j*d/H, (j+1)*d/H) of q, k and v and the same columns
// of o: a tensor-parallel split by heads (TPI-LLM) cuts these tensors along those ranges.
//
// Flop counts: multiply-adds count 2; LayerNorm, softmax, GELU, biases and residual adds are
// left out (well under 1% here), as for the MLP and CNN (model_info.hpp). Per sequence of T
// positions (T = context + prompt tokens), per block: q, k, v, o projections 4 * 2*T*d^2;
// scores Q K^T and the weighted sum A V 2 * 2*T^2*d (the full T x T products are computed, the
// causal mask only hides half); MLP 2 * 2*T*d*h. LM head: 2*C*d*V (only the context positions
// are scored). Backward: a weight gradient costs what the forward product cost, an input
// gradient too; an input gradient is computed only where something trainable lies upstream
// (closer to the input), a weight gradient only for trainable weights. Full training is thus
// 3x forward, and a method whose trainable parameters sit late in the network pays less.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace flemu {

struct TransformerSpec {
  int vocab = 257;      ///< tokens (byte tokens: 256 bytes + end-of-text)
  int context = 64;     ///< tokens per training window, C
  int d_model = 128;    ///< width d
  int layers = 2;       ///< transformer blocks L
  int heads = 4;        ///< attention heads H (d_model % heads == 0)
  int mlp_hidden = 512; ///< MLP width h
};

/// The modules LoRA may adapt, in layout order.
inline const std::vector<std::string>& lora_module_names() {
  static const std::vector<std::string> names = {"q", "k", "v", "o", "fc", "proj"};
  return names;
}

struct LoraSpec {
  int rank = 8;                                ///< r
  double alpha = 16;                           ///< scale alpha / r on B A
  std::vector<std::string> targets = {"q", "v"};  ///< of lora_module_names()
};

/// Which parameters a method trains (the others stay at their pretrained values).
enum class Trainable {
  All,         ///< full fine-tuning (FedAvg, Ferret, FedKSeed, split learning)
  Lora,        ///< only the LoRA adapters (LoRA, FLASC)
  PromptTail,  ///< only the soft prompt and the tail blocks, LayerNorm and head (SFPrompt)
};

/// Where a split-learning method cuts the network: the device runs the head (embeddings and
/// the first head_layers blocks) and the tail (the last tail_layers blocks, ln_f and the LM
/// head); the server runs the body (the blocks between).
struct SplitPoints {
  int head_layers = 0;
  int tail_layers = 0;
};

struct FineTuneSpec {
  Trainable trainable = Trainable::All;
  LoraSpec lora;          ///< Trainable::Lora
  int prompt_tokens = 0;  ///< soft prompt positions prepended to every sequence (P)
  SplitPoints split;      ///< split-learning methods
};

/// One named tensor of the flat parameter vector.
struct TensorSlot {
  std::string name;
  std::vector<int64_t> shape;
  int64_t offset = 0;   ///< into the flat Params
  int64_t numel = 0;
  bool trainable = true;
  int block = -1;       ///< transformer block it belongs to, -1 for embeddings / final layers / prompt
};

/// The flat layout of `spec` with `ft`'s additions and trainable flags.
std::vector<TensorSlot> transformer_layout(const TransformerSpec& spec, const FineTuneSpec& ft = {});

/// Flop counts of one sequence (a window of `context` tokens, plus the prompt).
struct TransformerFlops {
  double forward = 0;         ///< whole network
  double train = 0;           ///< forward + backward for `ft`'s trainable set
  double head_forward = 0;    ///< split: device's head (embeddings + first head_layers blocks)
  double body_forward = 0;    ///< split: server's blocks
  double tail_forward = 0;    ///< split: device's tail (last tail_layers blocks, ln_f, LM head)
  double head_backward = 0;   ///< split, for `ft`: gradients through the head
  double body_backward = 0;   ///< split, for `ft`: input gradients through the (frozen or not) body
  double tail_backward = 0;   ///< split, for `ft`
};
TransformerFlops transformer_flops(const TransformerSpec& spec, const FineTuneSpec& ft = {});

/// Bytes of activations one training window keeps for the backward pass (float32), counting
/// only the stages a backward pass goes through for `ft` (a frozen prefix keeps nothing), in
/// blocks [from, to), plus the final LayerNorm and LM head when `with_head`. Per block:
/// T (8 d + 2 h) + H T^2 values (LayerNorm inputs and outputs, q, k, v, the attention output,
/// the residual, the MLP's hidden before and after GELU, the attention probabilities); head:
/// T d + C d + C V (LayerNorm input and output, log-probabilities).
double activation_bytes_per_window(const TransformerSpec& spec, const FineTuneSpec& ft, int from, int to,
                                   bool with_head);

/// Forward flops of one block on a sequence of T positions.
double block_forward_flops(const TransformerSpec& spec, int64_t T);

/// Throws std::invalid_argument when `spec` or `ft` is inconsistent (d_model % heads, split
/// points beyond the layers, unknown LoRA targets, rank < 1, ...).
void check_transformer(const TransformerSpec& spec, const FineTuneSpec& ft = {});

}  // namespace flemu

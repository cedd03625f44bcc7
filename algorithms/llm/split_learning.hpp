// Split learning of the small transformer: what the device and the server each compute per
// window, and the size of what crosses between them. Shared by SFPrompt (sfprompt.hpp) and
// plain split learning (sfl.hpp); the protocol that spends these flops and bytes in simulated
// time is emulator/schedules/split_client.cpp, the real computation the language-model
// trainer's split step (workloads/models/torch_lm_trainer.cpp).
//
// U-shaped split (card ../shared/cards/systems.md §5): the device holds the head (embeddings,
// the soft prompt and the first head_layers blocks) and the tail (the last tail_layers
// blocks, the final LayerNorm and the LM head); the server holds the body. Per batch of b
// windows, four messages of b x T x d float32 each (T = context + prompt tokens): the head's
// activations up, the body's output down, the gradient of the body's output up, the gradient
// of the head's output down. The tail scores every position and the prompt reaches every
// later position through attention, so no row can be left out (the card's CLS-only shortcut
// does not apply to a language model).
#pragma once
#include <cstdint>

#include "algorithms/llm/llm_params.hpp"
#include "workloads/models/model_info.hpp"

namespace flemu {

struct SplitPlan {
  // Phase C (split training), per window:
  double head_forward = 0, head_backward = 0;  ///< device
  double tail_forward = 0, tail_backward = 0;  ///< device
  double body_forward = 0, body_backward = 0;  ///< server
  uint64_t message_bytes_per_window = 0;       ///< each of the four messages: T x d x 4
  // SFPrompt's local phases (0 epochs and keep_fraction 1: none):
  int local_loss_passes = 0;        ///< phase A passes, each the round's local work (samples_processed)
  double local_loss_per_window = 0; ///< phase A device flops: head and tail, forward and backward, no body
  double keep_fraction = 1;         ///< phase B keeps this share (EL2N)
  double prune_per_window = 0;      ///< phase B device flops: head and tail forward
  bool prunes() const { return keep_fraction < 1; }
};

/// The plan of `model` (ModelInfo::transformer / fine_tune) cut at `params.points`;
/// `local_phases` adds SFPrompt's phases A and B.
SplitPlan make_split_plan(const ModelInfo& model, const SplitParams& params, bool local_phases);

/// Parameters of the device's part (head and tail, with the prompt): what plain split
/// learning sends for FedAvg.
int64_t device_part_params(const ModelInfo& model);

}  // namespace flemu

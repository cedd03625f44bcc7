#include "algorithms/llm/split_learning.hpp"

#include <stdexcept>

namespace flemu {

SplitPlan make_split_plan(const ModelInfo& model, const SplitParams& params, bool local_phases) {
  if (model.kind != ModelKind::Transformer) throw std::invalid_argument("split learning needs the transformer model");
  FineTuneSpec ft = model.fine_tune;
  ft.split = params.points;
  const TransformerFlops f = transformer_flops(model.transformer, ft);
  SplitPlan p;
  p.head_forward = f.head_forward;
  p.head_backward = f.head_backward;
  p.tail_forward = f.tail_forward;
  p.tail_backward = f.tail_backward;
  p.body_forward = f.body_forward;
  p.body_backward = f.body_backward;
  const int64_t T = model.transformer.context + ft.prompt_tokens;
  p.message_bytes_per_window = 4ull * static_cast<uint64_t>(T) * static_cast<uint64_t>(model.transformer.d_model);
  if (local_phases) {
    p.local_loss_passes = params.local_loss_passes;
    p.local_loss_per_window = f.head_forward + f.head_backward + f.tail_forward + f.tail_backward;
    p.keep_fraction = params.keep_fraction;
    p.prune_per_window = f.head_forward + f.tail_forward;
  }
  return p;
}

int64_t device_part_params(const ModelInfo& model) {
  const int L = model.transformer.layers;
  const int head_to = model.fine_tune.split.head_layers, tail_from = L - model.fine_tune.split.tail_layers;
  int64_t n = 0;
  for (const auto& t : model.tensors)
    if (t.block < head_to || t.block >= tail_from) n += t.numel;
  return n;
}

}  // namespace flemu

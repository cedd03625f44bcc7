#include "workloads/models/transformer.hpp"

#include <algorithm>
#include <stdexcept>

namespace flemu {

namespace {

bool is_target(const FineTuneSpec& ft, const std::string& module) {
  return ft.trainable == Trainable::Lora &&
         std::find(ft.lora.targets.begin(), ft.lora.targets.end(), module) != ft.lora.targets.end();
}

/// in and out features of a LoRA-able module.
std::pair<int64_t, int64_t> module_dims(const TransformerSpec& s, const std::string& m) {
  if (m == "fc") return {s.d_model, s.mlp_hidden};
  if (m == "proj") return {s.mlp_hidden, s.d_model};
  return {s.d_model, s.d_model};
}

bool in_tail(const TransformerSpec& s, const FineTuneSpec& ft, int block) {
  return block >= s.layers - ft.split.tail_layers;
}

/// One step of the forward pass, as far as flops and gradients care.
struct Op {
  int stage;                  ///< -1 embeddings, 0..L-1 blocks, L final layers
  double forward = 0;         ///< base computation
  double lora_in = 0, lora_out = 0;  ///< adapter: 2*T*in*r (A) and 2*T*r*out (B)
  bool weights = false;       ///< the base computation has weights (a linear layer)
  bool base_trainable = false;
  bool params_trainable = false;  ///< any trainable parameter in this op (base, LoRA, LN, prompt)
  double input_grad_factor = 1;   ///< input-gradient cost / forward (2 for the attention core)
};

std::vector<Op> ops_of(const TransformerSpec& s, const FineTuneSpec& ft) {
  const int64_t C = s.context, P = ft.prompt_tokens, T = C + P, d = s.d_model, h = s.mlp_hidden;
  const bool all = ft.trainable == Trainable::All;
  const bool prompt_tail = ft.trainable == Trainable::PromptTail;
  const int64_t r = ft.lora.rank;
  std::vector<Op> ops;
  Op emb{-1};
  emb.params_trainable = all || (prompt_tail && P > 0);
  ops.push_back(emb);
  auto linear = [&](int block, std::vector<std::string> modules, int64_t in, int64_t out) {
    Op op{block};
    op.forward = 2.0 * T * in * out * static_cast<double>(modules.size());
    op.weights = true;
    op.base_trainable = all || (prompt_tail && in_tail(s, ft, block));
    op.params_trainable = op.base_trainable;
    for (const auto& m : modules) {
      if (!is_target(ft, m)) continue;
      op.lora_in += 2.0 * T * in * r;
      op.lora_out += 2.0 * T * r * out;
      op.params_trainable = true;
    }
    ops.push_back(op);
  };
  for (int b = 0; b < s.layers; ++b) {
    const bool block_trainable = all || (prompt_tail && in_tail(s, ft, b));
    Op ln1{b};
    ln1.params_trainable = block_trainable;
    ops.push_back(ln1);
    linear(b, {"q", "k", "v"}, d, d);
    Op core{b};
    core.forward = 2.0 * 2.0 * T * T * d;
    core.input_grad_factor = 2;
    ops.push_back(core);
    linear(b, {"o"}, d, d);
    Op ln2{b};
    ln2.params_trainable = block_trainable;
    ops.push_back(ln2);
    linear(b, {"fc"}, d, h);
    linear(b, {"proj"}, h, d);
  }
  Op head{s.layers};
  head.forward = 2.0 * C * d * s.vocab;
  head.weights = true;
  head.base_trainable = all || prompt_tail;
  head.params_trainable = head.base_trainable;  // ln_f goes with the head
  ops.push_back(head);
  return ops;
}

struct Cost {
  double forward = 0, backward = 0;
};

/// Forward and backward flops of each op, backward following the trainable set.
std::vector<Cost> costs_of(const std::vector<Op>& ops) {
  std::vector<Cost> out;
  bool upstream = false;  // something trainable before this op
  for (const auto& op : ops) {
    Cost c;
    c.forward = op.forward + op.lora_in + op.lora_out;
    if (op.base_trainable && op.weights) c.backward += op.forward;  // weight gradient
    if (op.lora_in + op.lora_out > 0) {
      c.backward += op.lora_in + op.lora_out;  // dA, dB
      c.backward += op.lora_out;               // gradient into A's output, for dA
    }
    if (upstream) {
      c.backward += op.input_grad_factor * op.forward;  // gradient to the input
      c.backward += op.lora_in;                         // ... through the adapter too
    }
    upstream = upstream || op.params_trainable;
    out.push_back(c);
  }
  return out;
}

}  // namespace

void check_transformer(const TransformerSpec& s, const FineTuneSpec& ft) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("transformer: " + what); };
  if (s.vocab < 2 || s.context < 1 || s.d_model < 1 || s.layers < 1 || s.heads < 1 || s.mlp_hidden < 1)
    fail("vocab >= 2 and context, d_model, layers, heads, mlp_hidden >= 1");
  if (s.d_model % s.heads != 0)
    fail("d_model (" + std::to_string(s.d_model) + ") divisible by heads (" + std::to_string(s.heads) + ")");
  if (ft.prompt_tokens < 0) fail("prompt_tokens >= 0");
  if (ft.trainable == Trainable::Lora) {
    if (ft.lora.rank < 1) fail("LoRA rank >= 1");
    if (ft.lora.targets.empty()) fail("at least one LoRA target module");
    for (const auto& t : ft.lora.targets) {
      const auto& names = lora_module_names();
      if (std::find(names.begin(), names.end(), t) == names.end())
        fail("LoRA targets among q, k, v, o, fc, proj (not \"" + t + "\")");
    }
  }
  if (ft.split.head_layers < 0 || ft.split.tail_layers < 0 ||
      ft.split.head_layers + ft.split.tail_layers > s.layers)
    fail("split points with head_layers + tail_layers <= layers (" + std::to_string(s.layers) + ")");
}

std::vector<TensorSlot> transformer_layout(const TransformerSpec& s, const FineTuneSpec& ft) {
  check_transformer(s, ft);
  std::vector<TensorSlot> out;
  int64_t offset = 0;
  auto add = [&](std::string name, std::vector<int64_t> shape, bool trainable, int block) {
    int64_t n = 1;
    for (auto x : shape) n *= x;
    out.push_back({std::move(name), std::move(shape), offset, n, trainable, block});
    offset += n;
  };
  const int64_t V = s.vocab, C = s.context, d = s.d_model, h = s.mlp_hidden;
  const bool all = ft.trainable == Trainable::All;
  const bool prompt_tail = ft.trainable == Trainable::PromptTail;
  add("tok_emb", {V, d}, all, -1);
  add("pos_emb", {C, d}, all, -1);
  for (int b = 0; b < s.layers; ++b) {
    const bool t = all || (prompt_tail && in_tail(s, ft, b));
    const std::string p = "blocks." + std::to_string(b) + ".";
    add(p + "ln1.weight", {d}, t, b);
    add(p + "ln1.bias", {d}, t, b);
    for (const char* m : {"q", "k", "v", "o"}) {
      add(p + "attn." + m + ".weight", {d, d}, t, b);
      add(p + "attn." + m + ".bias", {d}, t, b);
    }
    add(p + "ln2.weight", {d}, t, b);
    add(p + "ln2.bias", {d}, t, b);
    add(p + "mlp.fc.weight", {h, d}, t, b);
    add(p + "mlp.fc.bias", {h}, t, b);
    add(p + "mlp.proj.weight", {d, h}, t, b);
    add(p + "mlp.proj.bias", {d}, t, b);
  }
  add("ln_f.weight", {d}, all || prompt_tail, s.layers);
  add("ln_f.bias", {d}, all || prompt_tail, s.layers);
  add("head.weight", {V, d}, all || prompt_tail, s.layers);
  if (ft.trainable == Trainable::Lora) {
    for (int b = 0; b < s.layers; ++b)
      for (const auto& m : lora_module_names()) {
        if (!is_target(ft, m)) continue;
        const auto [in, outf] = module_dims(s, m);
        const std::string p = "blocks." + std::to_string(b) + ".lora." + m + ".";
        add(p + "A", {ft.lora.rank, in}, true, b);
        add(p + "B", {outf, ft.lora.rank}, true, b);
      }
  }
  if (ft.prompt_tokens > 0) add("prompt", {ft.prompt_tokens, d}, prompt_tail, -1);
  return out;
}

double activation_bytes_per_window(const TransformerSpec& s, const FineTuneSpec& ft, int from, int to,
                                   bool with_head) {
  const auto ops = ops_of(s, ft);
  // A stage keeps activations when a backward pass runs through it: something trainable in it
  // or before it.
  std::vector<bool> backward(static_cast<size_t>(s.layers) + 2, false);  // stages -1..L
  bool upstream = false;
  int stage = -2;
  for (const auto& op : ops) {
    if (op.stage != stage) stage = op.stage;
    upstream = upstream || op.params_trainable;
    if (upstream) backward[static_cast<size_t>(op.stage + 1)] = true;
  }
  const double T = s.context + ft.prompt_tokens, C = s.context, d = s.d_model, h = s.mlp_hidden;
  double values = 0;
  for (int b = std::max(from, 0); b < std::min(to, s.layers); ++b)
    if (backward[static_cast<size_t>(b + 1)]) values += T * (8 * d + 2 * h) + s.heads * T * T;
  if (with_head && backward[static_cast<size_t>(s.layers + 1)]) values += T * d + C * d + C * s.vocab;
  return 4 * values;
}

double block_forward_flops(const TransformerSpec& s, int64_t T) {
  const double d = s.d_model, h = s.mlp_hidden;
  return 4 * 2.0 * T * d * d + 2 * 2.0 * T * T * d + 2 * 2.0 * T * d * h;
}

TransformerFlops transformer_flops(const TransformerSpec& s, const FineTuneSpec& ft) {
  check_transformer(s, ft);
  const auto ops = ops_of(s, ft);
  const auto costs = costs_of(ops);
  TransformerFlops f;
  const int body_end = s.layers - ft.split.tail_layers;
  for (size_t i = 0; i < ops.size(); ++i) {
    const int st = ops[i].stage;
    f.forward += costs[i].forward;
    f.train += costs[i].forward + costs[i].backward;
    double* fwd = st < ft.split.head_layers ? &f.head_forward : st < body_end ? &f.body_forward : &f.tail_forward;
    double* bwd = st < ft.split.head_layers ? &f.head_backward : st < body_end ? &f.body_backward : &f.tail_backward;
    *fwd += costs[i].forward;
    *bwd += costs[i].backward;
  }
  return f;
}

}  // namespace flemu

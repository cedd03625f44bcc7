// TPI-LLM's tensor-parallel cut computed for real at small scale (card systems.md §2(e)): the
// small transformer's layers split by attention heads (each head its own KV group here) and MLP
// columns over 2, 3 and 4 devices, with the counts the tpi-llm schedule uses
// (split_tensor_parallel, proportional and equal), each device's partial attention and MLP
// outputs summed in the star all-reduce's order (and the ring's), prefill then decode rounds
// with per-device KV caches: the logits equal the unsplit network's to 1e-5 (relative). Then the
// same for the card's Llama-style decoder with grouped-query attention (whole KV groups per
// device, b = 2 and 4).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "algorithms/inference/llm_inference.hpp"
#include "emulator/schedules/collectives.hpp"
#include "workloads/models/tensor_parallel.hpp"
#include "workloads/rng.hpp"

using namespace flemu;

namespace {

/// The card's tiny decoder: h 64, 8 heads, MLP 172, 2 layers, vocabulary 100; context 32.
TransformerSpec tiny_decoder() {
  TransformerSpec s;
  s.vocab = 100;
  s.context = 32;
  s.d_model = 64;
  s.layers = 2;
  s.heads = 8;
  s.mlp_hidden = 172;
  return s;
}

/// Random weights large enough that attention is far from uniform and every bias and gain
/// matters (GPT-2's 0.02 initialisation would leave the blocks close to the identity).
Params random_weights(const TransformerSpec& spec, uint64_t seed) {
  const auto layout = transformer_layout(spec);
  Params p(static_cast<size_t>(layout.back().offset + layout.back().numel));
  Rng rng(seed);
  for (const auto& slot : layout) {
    const bool gain = slot.name.find("ln") != std::string::npos && slot.name.find("weight") != std::string::npos;
    const bool matrix = slot.shape.size() == 2;
    const double scale = matrix ? 1.5 / std::sqrt(static_cast<double>(slot.shape[1])) : 0.3;
    for (int64_t i = 0; i < slot.numel; ++i)
      p[static_cast<size_t>(slot.offset + i)] =
          static_cast<float>((gain ? 1.0 : 0.0) + scale * rng.uniform(-1.7320508, 1.7320508));
  }
  return p;
}

/// The model as algorithms/inference sees a Llama: heads = KV heads (no GQA), MLP = s.
LlmShape shape_of(const TransformerSpec& s) {
  LlmShape m;
  m.name = "tiny";
  m.hidden = s.d_model, m.layers = s.layers, m.heads = s.heads, m.kv_heads = s.heads;
  m.intermediate = s.mlp_hidden, m.vocab = s.vocab;
  return m;
}

TensorParallelCut cut_of(const TensorSplit& split) { return {split.kv_heads, split.mlp_columns}; }

PartialSum star_sum() {
  return [](const std::vector<std::vector<float>>& in) { return star_allreduce_reference(in, 0, ReduceOp::Sum); };
}
PartialSum ring_sum() {
  return [](const std::vector<std::vector<float>>& in) { return ring_allreduce_reference(in, ReduceOp::Sum); };
}

/// max |a - b| / max |b|.
double relative_gap(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double gap = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    gap = std::max(gap, std::abs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return gap / scale;
}

std::vector<int32_t> token_ids(int count, uint64_t seed, int vocab) {
  Rng rng(seed);
  std::vector<int32_t> t;
  for (int i = 0; i < count; ++i) t.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(vocab))));
  return t;
}

}  // namespace

TEST_CASE("tensor parallel = unsplit: heads and MLP columns over 2, 3, 4 devices, star and ring sums",
          "[inference][transformer][split]") {
  const TransformerSpec spec = tiny_decoder();
  const Params base = random_weights(spec, 17);
  const auto tokens = token_ids(22, 5, spec.vocab);  // a 12-token prompt, then 10 decode rounds
  const int prompt = 12;
  const std::vector<float> reference = transformer_logits(spec, base, tokens);
  REQUIRE(reference.size() == tokens.size() * static_cast<size_t>(spec.vocab));
  // The network is not trivial: the predictions differ from position to position.
  CHECK(std::abs(reference[0] - reference[static_cast<size_t>(spec.vocab)]) > 1e-2);

  const LlmShape m = shape_of(spec);
  const std::vector<std::vector<double>> speeds = {{1, 3}, {1, 2, 3}, {2, 1, 1, 4}};
  for (const auto& sp : speeds) {
    for (bool equal : {false, true}) {
      const TensorSplit split = split_tensor_parallel(m, sp, equal);
      CAPTURE(sp.size(), equal, split.kv_heads, split.mlp_columns);
      for (const char* order : {"star", "ring"}) {
        CAPTURE(order);
        const auto logits = tensor_parallel_logits(spec, base, cut_of(split),
                                                   std::string(order) == "star" ? star_sum() : ring_sum(), prompt, tokens);
        CHECK(relative_gap(logits, reference) < 1e-5);
      }
    }
  }
  // The cuts used are the schedule's: proportional to speed, and the code's equal split.
  CHECK(split_tensor_parallel(m, {1, 3}, false).kv_heads == std::vector<int64_t>{2, 6});
  CHECK(split_tensor_parallel(m, {1, 3}, false).mlp_columns == std::vector<int64_t>{43, 129});
  CHECK(split_tensor_parallel(m, {1, 2, 3}, true).kv_heads == std::vector<int64_t>{2, 3, 3});
  CHECK(split_tensor_parallel(m, {1, 2, 3}, true).mlp_columns == std::vector<int64_t>{57, 57, 58});
}

TEST_CASE("tensor parallel: every device's partial counts, and a bad cut is refused", "[inference][transformer][split]") {
  const TransformerSpec spec = tiny_decoder();
  const Params base = random_weights(spec, 17);
  const auto tokens = token_ids(14, 6, spec.vocab);
  const auto reference = transformer_logits(spec, base, tokens);
  const TensorParallelCut cut = cut_of(split_tensor_parallel(shape_of(spec), {1, 1, 1}, false));
  // Dropping the last device's partials (a sum over the others only) changes the logits.
  const PartialSum without_last = [](const std::vector<std::vector<float>>& in) {
    return star_allreduce_reference({in.begin(), in.end() - 1}, 0, ReduceOp::Sum);
  };
  CHECK(relative_gap(tensor_parallel_logits(spec, base, cut, without_last, 10, tokens), reference) > 1e-2);
  CHECK(relative_gap(tensor_parallel_logits(spec, base, cut, star_sum(), 10, tokens), reference) < 1e-5);
  // Prefill of everything (no decode round) and one-token prefill (all decode) agree too.
  CHECK(relative_gap(tensor_parallel_logits(spec, base, cut, star_sum(), 14, tokens), reference) < 1e-5);
  CHECK(relative_gap(tensor_parallel_logits(spec, base, cut, star_sum(), 1, tokens), reference) < 1e-5);
  // Heads and columns must add up; TPI-LLM cuts by KV group, so at most b devices.
  CHECK_THROWS_AS(tensor_parallel_logits(spec, base, {{4, 3}, {86, 86}}, star_sum(), 10, tokens), std::invalid_argument);
  CHECK_THROWS_AS(tensor_parallel_logits(spec, base, {{4, 4}, {172, 0}}, star_sum(), 10, tokens), std::invalid_argument);
  CHECK_THROWS_AS(tensor_parallel_logits(spec, base, cut, star_sum(), 0, tokens), std::invalid_argument);
  CHECK_THROWS_AS(split_tensor_parallel(shape_of(spec), std::vector<double>(9, 1.0), false), std::invalid_argument);
}

TEST_CASE("tensor parallel with grouped-query attention: whole KV groups per device = unsplit (card §2(e))",
          "[inference][transformer][split]") {
  // The card's decoder: h 64, 8 query heads, 2 KV heads (4 query heads per group), MLP 172.
  for (int kv_heads : {2, 4}) {
    GqaDecoderSpec spec;
    spec.kv_heads = kv_heads;
    Params params(static_cast<size_t>(gqa_decoder_size(spec)));
    Rng rng(23 + kv_heads);
    for (auto& p : params) p = static_cast<float>(rng.uniform(-0.3, 0.3));
    const auto tokens = token_ids(22, 7, spec.vocab);
    const auto reference = gqa_decoder_logits(spec, params, tokens);
    LlmShape m;
    m.name = "tiny-gqa";
    m.hidden = spec.d_model, m.layers = spec.layers, m.heads = spec.heads, m.kv_heads = kv_heads;
    m.intermediate = spec.mlp_hidden, m.vocab = spec.vocab;
    std::vector<std::vector<double>> speeds = {{1, 1}};
    if (kv_heads == 4) speeds = {{1, 3}, {1, 1, 2}, {1, 1, 1, 1}};
    for (const auto& sp : speeds) {
      const TensorSplit split = split_tensor_parallel(m, sp, false);
      CAPTURE(kv_heads, split.kv_heads, split.mlp_columns);
      for (const PartialSum& sum : {star_sum(), ring_sum()})
        CHECK(relative_gap(gqa_tensor_parallel_logits(spec, params, cut_of(split), sum, 12, tokens), reference) < 1e-5);
    }
    if (kv_heads == 2) {
      // The card's split: 1 KV head (4 query heads) and 86 MLP columns each.
      CHECK(split_tensor_parallel(m, {1, 1}, false).kv_heads == std::vector<int64_t>{1, 1});
      CHECK(split_tensor_parallel(m, {1, 1}, false).mlp_columns == std::vector<int64_t>{86, 86});
      // At most b = 2 devices: TPI-LLM asserts num_key_value_heads >= world_size.
      CHECK_THROWS_AS(split_tensor_parallel(m, {1, 1, 1}, false), std::invalid_argument);
      // A device with half a KV group is not a cut.
      CHECK_THROWS_AS(gqa_tensor_parallel_logits(spec, params, {{1, 1, 0}, {60, 60, 52}}, star_sum(), 12, tokens),
                      std::invalid_argument);
    } else {
      CHECK(split_tensor_parallel(m, {1, 3}, false).kv_heads == std::vector<int64_t>{1, 3});  // the card's [1, 3]
      // Without the last device's partials the logits move: every KV group counts.
      const PartialSum without_last = [](const std::vector<std::vector<float>>& in) {
        return star_allreduce_reference({in.begin(), in.end() - 1}, 0, ReduceOp::Sum);
      };
      const auto cut = cut_of(split_tensor_parallel(m, {1, 1, 1, 1}, false));
      CHECK(relative_gap(gqa_tensor_parallel_logits(spec, params, cut, without_last, 12, tokens), reference) > 1e-2);
    }
  }
}

// The torch-free part of lm_trainer.hpp: model description and initial parameters.
#include "workloads/models/lm_trainer.hpp"

#include <cmath>
#include <stdexcept>

#include "workloads/rng.hpp"

namespace flemu {

ModelInfo describe_lm(const LmJobSpec& spec) {
  ModelInfo m;
  m.kind = ModelKind::Transformer;
  m.name = "transformer";
  m.tensors = transformer_layout(spec.model, spec.fine_tune);
  for (const auto& t : m.tensors) {
    m.num_params += t.numel;
    if (t.trainable) m.trainable_params += t.numel;
  }
  m.bytes = 4 * m.num_params;
  const TransformerFlops f = transformer_flops(spec.model, spec.fine_tune);
  m.forward_flops_per_sample = f.forward;
  m.train_flops_per_sample = spec.procedure == LocalProcedure::ZerothOrder ? 2 * f.forward : f.train;
  m.tokens_per_sample = spec.model.context;
  m.transformer = spec.model;
  m.fine_tune = spec.fine_tune;
  return m;
}

int64_t split_prompt_kept(double keep_fraction, int64_t n) {
  if (n <= 0) return 0;
  const auto k = static_cast<int64_t>(std::floor(keep_fraction * static_cast<double>(n) + 1e-9));
  return std::min(n, std::max<int64_t>(1, k));
}

Params transformer_initial_base(const TransformerSpec& spec, uint64_t seed) {
  const auto layout = transformer_layout(spec);
  Params p(static_cast<size_t>(layout.back().offset + layout.back().numel), 0.f);
  Rng rng(seed);
  const double proj_std = 0.02 / std::sqrt(2.0 * spec.layers);
  for (const auto& t : layout) {
    const auto ends_with = [&](const std::string& suffix) {
      return t.name.size() >= suffix.size() && t.name.compare(t.name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    float* out = p.data() + t.offset;
    if (ends_with(".bias")) continue;  // zeros
    if (t.name.find("ln") != std::string::npos) {  // LayerNorm gain
      for (int64_t i = 0; i < t.numel; ++i) out[i] = 1.f;
      continue;
    }
    const double sd = ends_with("attn.o.weight") || ends_with("mlp.proj.weight") ? proj_std : 0.02;
    for (int64_t i = 0; i < t.numel; ++i) out[i] = static_cast<float>(sd * rng.normal());
  }
  return p;
}

Params merge_lora(const TransformerSpec& spec, const FineTuneSpec& ft, const Params& params) {
  const auto layout = transformer_layout(spec, ft);
  const auto base_layout = transformer_layout(spec);
  const int64_t base_size = base_layout.back().offset + base_layout.back().numel;
  if (static_cast<int64_t>(params.size()) != layout.back().offset + layout.back().numel)
    throw std::invalid_argument("merge_lora: parameters do not match the layout");
  Params out(params.begin(), params.begin() + base_size);
  auto find = [&](const std::string& name) -> const TensorSlot& {
    for (const auto& t : layout)
      if (t.name == name) return t;
    throw std::logic_error("merge_lora: no tensor " + name);
  };
  const double scale = ft.lora.alpha / ft.lora.rank;
  for (const auto& t : layout) {
    if (t.name.size() < 2 || t.name.compare(t.name.size() - 2, 2, ".A") != 0) continue;
    // blocks.<i>.lora.<m>.A -> blocks.<i>.attn.<m>.weight or blocks.<i>.mlp.<m>.weight
    const std::string prefix = t.name.substr(0, t.name.find(".lora."));
    const std::string module = t.name.substr(prefix.size() + 6, t.name.size() - prefix.size() - 8);
    const bool mlp = module == "fc" || module == "proj";
    const TensorSlot& w = find(prefix + (mlp ? ".mlp." : ".attn.") + module + ".weight");
    const TensorSlot& b = find(prefix + ".lora." + module + ".B");
    const int64_t r = t.shape[0], in = t.shape[1], outf = b.shape[0];
    for (int64_t o = 0; o < outf; ++o)
      for (int64_t i = 0; i < in; ++i) {
        double ba = 0;
        for (int64_t k = 0; k < r; ++k) ba += double(params[b.offset + o * r + k]) * params[t.offset + k * in + i];
        float& x = out[w.offset + o * in + i];
        x = static_cast<float>(x + scale * ba);
      }
  }
  return out;
}

Params with_fine_tune_params(const TransformerSpec& spec, const FineTuneSpec& ft, const Params& base, uint64_t seed) {
  const auto base_layout = transformer_layout(spec);
  const int64_t base_size = base_layout.back().offset + base_layout.back().numel;
  if (static_cast<int64_t>(base.size()) != base_size)
    throw std::invalid_argument("transformer: base has " + std::to_string(base.size()) + " parameters, expected " +
                                std::to_string(base_size));
  const auto layout = transformer_layout(spec, ft);
  Params p(static_cast<size_t>(layout.back().offset + layout.back().numel), 0.f);
  std::copy(base.begin(), base.end(), p.begin());
  Rng rng(seed);
  for (const auto& t : layout) {
    if (t.offset < base_size) continue;
    float* out = p.data() + t.offset;
    const bool lora_a = t.name.size() > 2 && t.name.compare(t.name.size() - 2, 2, ".A") == 0;
    if (lora_a) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(t.shape[1]));
      for (int64_t i = 0; i < t.numel; ++i) out[i] = static_cast<float>(rng.uniform(-bound, bound));
    } else if (t.name == "prompt") {
      const int64_t d = spec.d_model;
      for (int64_t row = 0; row < t.shape[0]; ++row) {
        const int64_t token = static_cast<int64_t>(rng.below(static_cast<uint64_t>(spec.vocab - 1)));
        std::copy(base.begin() + token * d, base.begin() + (token + 1) * d, out + row * d);  // tok_emb row
      }
    }  // LoRA B stays 0
  }
  return p;
}

}  // namespace flemu

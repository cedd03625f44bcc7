#include "workloads/models/gating.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "workloads/rng.hpp"

namespace flemu {

namespace {

struct TensorShape {
  int64_t numel;
  bool linear_weight;
  int layer;
};

/// The model's parameter tensors in flat order: per layer, weight then bias.
std::vector<TensorShape> tensors_of(const ModelInfo& m) {
  std::vector<TensorShape> t;
  for (size_t l = 0; l < m.layers.size(); ++l) {
    const auto& L = m.layers[l];
    const int64_t w = L.kind == LayerShape::Linear ? L.in * L.out : L.out * L.in * L.kernel * L.kernel;
    t.push_back({w, L.kind == LayerShape::Linear, static_cast<int>(l)});
    t.push_back({L.out, false, static_cast<int>(l)});
  }
  return t;
}

}  // namespace

int64_t gate_input_size(const ModelInfo& m) {
  const auto& first = m.layers.front();
  return first.kind == LayerShape::Linear ? first.in : first.in * 28 * 28;
}

BlockLayout gate_blocks(const ModelInfo& model, int split) {
  if (split < 1) throw std::invalid_argument("gate_blocks: split must be >= 1");
  BlockLayout b;
  b.split = split;
  int64_t off = 0;
  const auto tensors = tensors_of(model);
  for (size_t t = 0; t < tensors.size(); ++t) {
    const int64_t n = tensors[t].numel, k = std::min<int64_t>(split, n);
    // k contiguous sub-blocks, sizes differing by at most one (the larger ones first).
    for (int64_t i = 0; i < k; ++i) {
      const int64_t sz = n / k + (i < n % k ? 1 : 0);
      b.offset.push_back(off);
      b.size.push_back(sz);
      b.tensor.push_back(static_cast<int>(t));
      b.group.push_back(tensors[t].linear_weight ? 0 : 1);
      b.first.push_back(i == 0);
      off += sz;
    }
  }
  return b;
}

int64_t gate_trainable_size(const ModelInfo& model, int split) {
  const int64_t blocks = gate_blocks(model, split).num_blocks();
  return blocks * gate_input_size(model) + blocks + 2 * blocks;
}

int64_t gate_state_size(const ModelInfo& model, int split) {
  return gate_trainable_size(model, split) + 2 * gate_blocks(model, split).num_blocks();
}

Params initial_gate_state(const ModelInfo& model, int split, uint64_t seed) {
  const int64_t blocks = gate_blocks(model, split).num_blocks(), in = gate_input_size(model);
  Params p;
  p.reserve(gate_state_size(model, split));
  Rng rng(seed);
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  for (int64_t i = 0; i < blocks * in + blocks; ++i) p.push_back(static_cast<float>(rng.uniform(-bound, bound)));
  p.insert(p.end(), blocks, 1.0f);  // BatchNorm weight
  p.insert(p.end(), blocks, 0.0f);  // BatchNorm bias
  p.insert(p.end(), blocks, 0.0f);  // running mean
  p.insert(p.end(), blocks, 1.0f);  // running variance
  return p;
}

double gate_min_score(int split, double sparsity) {
  return std::min(std::max(1.0 / split, 0.1), sparsity);
}

std::vector<uint8_t> select_blocks(const std::vector<double>& a, const BlockLayout& layout, double sparsity) {
  const int n = layout.num_blocks();
  if (static_cast<int>(a.size()) != n)
    throw std::invalid_argument("select_blocks: " + std::to_string(a.size()) + " scores for " + std::to_string(n) +
                                " blocks");
  if (sparsity >= 1.0) return std::vector<uint8_t>(n, 1);  // s = 1: nothing pruned, blocks only scaled
  const double s_min = gate_min_score(layout.split, sparsity);
  std::vector<uint8_t> keep(n, 0);
  for (int g = 0; g < 2; ++g) {
    std::vector<int> eligible;
    int64_t eligible_size = 0;
    for (int b = 0; b < n; ++b) {
      if (layout.group[b] != g) continue;
      if (layout.first[b]) {
        keep[b] = 1;
      } else {
        eligible.push_back(b);
        eligible_size += layout.size[b];
      }
    }
    int64_t capacity = std::llround((sparsity - s_min) * static_cast<double>(eligible_size));
    auto value = [&](int b) { return std::lround(10.0 * std::max(a[b], s_min)); };
    std::stable_sort(eligible.begin(), eligible.end(), [&](int x, int y) { return value(x) > value(y); });
    for (int b : eligible)
      if (layout.size[b] <= capacity) {
        keep[b] = 1;
        capacity -= layout.size[b];
      }
  }
  return keep;
}

double gated_train_flops_per_sample(const ModelInfo& model, const BlockLayout& layout,
                                    const std::vector<uint8_t>& mask) {
  const auto tensors = tensors_of(model);
  std::vector<int64_t> kept(tensors.size(), 0);
  for (int b = 0; b < layout.num_blocks(); ++b)
    if (mask.at(b)) kept[layout.tensor[b]] += layout.size[b];
  double flops = 0;
  for (size_t l = 0; l < model.layers.size(); ++l) {
    const auto& L = model.layers[l];
    const double dense = L.kind == LayerShape::Linear ? 2.0 * L.in * L.out
                                                      : 2.0 * L.out * L.out_h * L.out_w * L.in * L.kernel * L.kernel;
    const double share = static_cast<double>(kept[2 * l]) / tensors[2 * l].numel;  // the layer's weight
    flops += dense * share * (l == 0 ? 2.0 : 3.0);
  }
  flops += 4.0 * static_cast<double>(gate_input_size(model)) * layout.num_blocks();
  return flops;
}

double gated_min_train_flops_per_sample(const ModelInfo& model, const BlockLayout& layout) {
  std::vector<uint8_t> firsts(layout.num_blocks());
  for (int b = 0; b < layout.num_blocks(); ++b) firsts[b] = layout.first[b];
  return gated_train_flops_per_sample(model, layout, firsts);
}

std::vector<uint8_t> typical_mask(const BlockLayout& layout, double sparsity) {
  return select_blocks(std::vector<double>(layout.num_blocks(), 0.5), layout, sparsity);
}

double gate_kept_share(const BlockLayout& layout, double sparsity) {
  if (sparsity >= 1.0) return 1.0;
  const double s_min = gate_min_score(layout.split, sparsity);
  int64_t total = 0, kept = 0;
  for (int g = 0; g < 2; ++g) {
    int64_t firsts = 0, others = 0;
    for (int b = 0; b < layout.num_blocks(); ++b) {
      if (layout.group[b] != g) continue;
      (layout.first[b] ? firsts : others) += layout.size[b];
    }
    total += firsts + others;
    kept += firsts + std::llround((sparsity - s_min) * static_cast<double>(others));
  }
  return total ? static_cast<double>(kept) / total : 1.0;
}

}  // namespace flemu

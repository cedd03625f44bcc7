#include "algorithms/inference/llm_inference.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

namespace flemu {

std::vector<int64_t> apportion(int64_t units, const std::vector<double>& weights, bool equal, int64_t minimum) {
  const int64_t n = static_cast<int64_t>(weights.size());
  if (n == 0) throw std::invalid_argument("apportion: no device");
  if (units < minimum * n)
    throw std::invalid_argument("apportion: " + std::to_string(units) + " units for " + std::to_string(n) +
                                " devices of at least " + std::to_string(minimum));
  std::vector<int64_t> a(n);
  if (equal) {
    const int64_t base = units / n, extra = units % n;
    for (int64_t i = 0; i < n; ++i) a[i] = base + (i >= n - extra ? 1 : 0);
    return a;
  }
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<double> share(n);
  int64_t used = 0;
  for (int64_t i = 0; i < n; ++i) {
    share[i] = static_cast<double>(units) * weights[i] / total;
    a[i] = std::max<int64_t>(minimum, static_cast<int64_t>(std::floor(share[i])));
    used += a[i];
  }
  // Hand out what is left by largest remainder (ties to the later device), or take back what
  // the minimum over-gave from the most over-served.
  while (used < units) {
    int64_t best = -1;
    for (int64_t i = 0; i < n; ++i)
      if (best < 0 || share[i] - a[i] >= share[best] - a[best]) best = i;
    ++a[best], ++used;
  }
  while (used > units) {
    int64_t best = -1;
    for (int64_t i = 0; i < n; ++i)
      if (a[i] > minimum && (best < 0 || a[i] - share[i] > a[best] - share[best])) best = i;
    --a[best], --used;
  }
  return a;
}

TensorSplit split_tensor_parallel(const LlmShape& m, const std::vector<double>& speeds, bool equal) {
  const int64_t n = static_cast<int64_t>(speeds.size());
  if (n < 1 || n > m.kv_heads)
    throw std::invalid_argument("tensor parallelism splits attention by KV head: " + m.name + " has " +
                                std::to_string(m.kv_heads) + " KV heads, so 1 to " + std::to_string(m.kv_heads) +
                                " devices, not " + std::to_string(n));
  return {apportion(m.kv_heads, speeds, equal, 1), apportion(m.intermediate, speeds, equal, 1)};
}

std::vector<int64_t> split_layers(const LlmShape& m, const std::vector<double>& speeds) {
  if (static_cast<int64_t>(speeds.size()) > m.layers)
    throw std::invalid_argument("a pipeline of " + m.name + " has " + std::to_string(m.layers) +
                                " layers, fewer than the " + std::to_string(speeds.size()) + " devices");
  return apportion(m.layers, speeds, false, 1);
}

std::string WeightBlock::name() const {
  switch (kind) {
    case Kind::Input: return "input";
    case Kind::Output: return "output";
    case Kind::Attention: return "attn." + std::to_string(layer);
    case Kind::Mlp: return "mlp." + std::to_string(layer);
  }
  return "?";
}

namespace {

WeightBlock attention_block(const LlmShape& m, int layer, int64_t kv) {
  WeightBlock b;
  b.kind = WeightBlock::Kind::Attention;
  b.layer = layer;
  b.kv_heads = kv;
  b.q_heads = kv * (m.heads / m.kv_heads);
  const double h = static_cast<double>(m.hidden), d = static_cast<double>(m.head_dim());
  // Wq rows and Wo columns of its query heads, Wk and Wv rows of its KV heads, the norm.
  b.params = 2 * static_cast<double>(b.q_heads) * d * h + 2 * static_cast<double>(kv) * d * h + h;
  return b;
}

WeightBlock mlp_block(const LlmShape& m, int layer, int64_t columns) {
  WeightBlock b;
  b.kind = WeightBlock::Kind::Mlp;
  b.layer = layer;
  b.columns = columns;
  const double h = static_cast<double>(m.hidden);
  b.params = 3 * h * static_cast<double>(columns) + h;  // gate and up rows, down columns, the norm
  return b;
}

WeightBlock input_block(const LlmShape& m) {
  WeightBlock b;
  b.kind = WeightBlock::Kind::Input;
  b.params = static_cast<double>(m.vocab) * static_cast<double>(m.hidden);
  return b;
}

WeightBlock output_block(const LlmShape& m) {
  WeightBlock b;
  b.kind = WeightBlock::Kind::Output;
  b.params = static_cast<double>(m.vocab) * static_cast<double>(m.hidden) + static_cast<double>(m.hidden);
  return b;
}

}  // namespace

std::vector<WeightBlock> tensor_parallel_blocks(const LlmShape& m, const TensorSplit& split, int device, bool master) {
  std::vector<WeightBlock> blocks;
  if (master) blocks.push_back(input_block(m));
  for (int l = 0; l < m.layers; ++l) {
    blocks.push_back(attention_block(m, l, split.kv_heads.at(device)));
    blocks.push_back(mlp_block(m, l, split.mlp_columns.at(device)));
  }
  if (master) blocks.push_back(output_block(m));
  return blocks;
}

std::vector<WeightBlock> pipeline_blocks(const LlmShape& m, int64_t first_layer, int64_t layer_count, bool master) {
  std::vector<WeightBlock> blocks;
  if (master) blocks.push_back(input_block(m));
  for (int64_t l = first_layer; l < first_layer + layer_count; ++l) {
    blocks.push_back(attention_block(m, static_cast<int>(l), m.kv_heads));
    blocks.push_back(mlp_block(m, static_cast<int>(l), m.intermediate));
  }
  if (master) blocks.push_back(output_block(m));
  return blocks;
}

double kv_cache_bytes(const LlmShape& m, const WeightBlock& b, int64_t kv_len) {
  if (b.kind != WeightBlock::Kind::Attention) return 0;
  return 2.0 * static_cast<double>(kv_len) * static_cast<double>(b.kv_heads) * static_cast<double>(m.head_dim()) * 4;
}

BlockCost block_cost(const LlmShape& m, const WeightBlock& b, int64_t q, int64_t kv_len) {
  const double h = static_cast<double>(m.hidden), d = static_cast<double>(m.head_dim());
  const double qd = static_cast<double>(q), kv = static_cast<double>(kv_len);
  BlockCost c;
  switch (b.kind) {
    case WeightBlock::Kind::Input:
      c.memory_bytes = qd * h * m.bytes_per_param;  // q rows of the embedding
      break;
    case WeightBlock::Kind::Attention: {
      const double qh = static_cast<double>(b.q_heads), kh = static_cast<double>(b.kv_heads);
      c.flops = 2 * qd * h * (qh + 2 * kh) * d  // Q, K, V projections
                + 2 * qd * qh * d * h           // o_proj (partial)
                + 4 * qd * kv * d * qh;         // scores and weighted values
      c.memory_bytes = b.bytes(m) + kv_cache_bytes(m, b, kv_len);
      break;
    }
    case WeightBlock::Kind::Mlp:
      c.flops = 6 * qd * h * static_cast<double>(b.columns);
      c.memory_bytes = b.bytes(m);
      break;
    case WeightBlock::Kind::Output:
      c.flops = 2 * h * static_cast<double>(m.vocab);  // lm_head on the last position
      c.memory_bytes = b.bytes(m);
      break;
  }
  return c;
}

double hidden_state_bytes(const LlmShape& m, int64_t q) { return 4.0 * static_cast<double>(q) * static_cast<double>(m.hidden); }

double token_broadcast_bytes(const LlmShape& m, int64_t q, int64_t kv_len) {
  const double qd = static_cast<double>(q);
  return hidden_state_bytes(m, q) + 2 * 4 * qd * static_cast<double>(m.head_dim()) + 8 * qd +
         4 * qd * static_cast<double>(kv_len);
}

WindowTimeline simulate_memory_window(const std::vector<WindowStep>& steps, int window) {
  if (window < 2) throw std::invalid_argument("memory window: at least 2 blocks, not " + std::to_string(window));
  const size_t n = steps.size();
  WindowTimeline t;
  t.load_start.assign(n, 0), t.load_end.assign(n, 0), t.compute_start.assign(n, 0), t.compute_end.assign(n, 0);
  t.stall.assign(n, 0);
  const size_t w = static_cast<size_t>(window);
  // Load j needs block j - w released, which happens when block j - w + 1 is computed; that is
  // at most block j - 1, so loads and computes can be filled in one pass in block order.
  auto load = [&](size_t j) {
    double start = j > 0 ? t.load_end[j - 1] : 0;
    if (j >= w) start = std::max(start, t.compute_end[j - w + 1]);
    t.load_start[j] = start;
    t.load_end[j] = start + steps[j].load_s;
  };
  double ready = 0;
  for (size_t k = 0; k < n; ++k) {
    load(k);
    t.compute_start[k] = std::max(ready, t.load_end[k]);
    t.stall[k] = t.compute_start[k] - ready;
    t.compute_end[k] = t.compute_start[k] + steps[k].compute_s;
    ready = t.compute_end[k] + steps[k].after_s;
  }
  // Resident when load j starts: j itself and the blocks before it not yet released (block i
  // goes when block i + 1 has been computed).
  for (size_t j = 0; j < n; ++j) {
    double bytes = steps[j].bytes;
    for (size_t i = j >= w ? j - w + 1 : 0; i < j; ++i)
      if (t.compute_end[i + 1] > t.load_start[j]) bytes += steps[i].bytes;
    t.peak_bytes = std::max(t.peak_bytes, bytes);
  }
  return t;
}

}  // namespace flemu

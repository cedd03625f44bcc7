#include "algorithms/llm/trainable.hpp"

#include <stdexcept>

namespace flemu {

std::vector<std::pair<int64_t, int64_t>> trainable_ranges(const ModelInfo& model) {
  std::vector<std::pair<int64_t, int64_t>> ranges;
  if (model.tensors.empty()) return {{0, model.num_params}};
  for (const auto& t : model.tensors) {
    if (!t.trainable) continue;
    if (!ranges.empty() && ranges.back().first + ranges.back().second == t.offset)
      ranges.back().second += t.numel;
    else
      ranges.emplace_back(t.offset, t.numel);
  }
  return ranges;
}

std::vector<float> gather_trainable(const ModelInfo& model, const Params& p) {
  if (static_cast<int64_t>(p.size()) != model.num_params)
    throw std::invalid_argument("gather_trainable: " + std::to_string(p.size()) + " values for a model of " +
                                std::to_string(model.num_params));
  std::vector<float> out;
  out.reserve(static_cast<size_t>(model.trainable_params));
  for (const auto& [off, n] : trainable_ranges(model)) out.insert(out.end(), p.begin() + off, p.begin() + off + n);
  return out;
}

void scatter_trainable(const ModelInfo& model, const std::vector<float>& values, Params& p) {
  if (static_cast<int64_t>(values.size()) != model.trainable_params ||
      static_cast<int64_t>(p.size()) != model.num_params)
    throw std::invalid_argument("scatter_trainable: sizes do not match the model");
  size_t k = 0;
  for (const auto& [off, n] : trainable_ranges(model)) {
    std::copy(values.begin() + static_cast<int64_t>(k), values.begin() + static_cast<int64_t>(k) + n, p.begin() + off);
    k += static_cast<size_t>(n);
  }
}

Params average_trainable(const ModelInfo& model, const Params& global, const std::vector<ClientUpdate>& updates,
                         double server_lr) {
  if (updates.empty()) throw std::invalid_argument("average_trainable: no updates");
  if (global.empty()) return global;  // analytic training: no parameters
  double total = 0;
  for (const auto& u : updates) total += static_cast<double>(u.num_samples);
  if (!(total > 0)) throw std::invalid_argument("average_trainable: total weight must be positive");
  Params out = global;
  for (const auto& [off, n] : trainable_ranges(model)) {
    std::vector<double> acc(static_cast<size_t>(n), 0.0);
    for (const auto& u : updates) {  // in the updates' order: a fixed summation order
      const double w = static_cast<double>(u.num_samples) / total;
      const float* x = u.params->data() + off;
      for (int64_t j = 0; j < n; ++j) acc[j] += w * x[j];
    }
    for (int64_t j = 0; j < n; ++j)
      out[off + j] = server_lr == 1.0 ? static_cast<float>(acc[j])
                                      : static_cast<float>(global[off + j] + server_lr * (acc[j] - global[off + j]));
  }
  return out;
}

uint64_t dense_trainable_bytes(const ModelInfo& model) { return 4ull * static_cast<uint64_t>(model.trainable_params); }

Wire trainable_both_ways(const std::string& what, const ModelInfo& model) {
  const auto bytes = static_cast<int64_t>(dense_trainable_bytes(model));
  return {{{{what, bytes}}}, {{{what, bytes}}}};
}

}  // namespace flemu

#include "algorithms/llm/device_memory.hpp"

#include <algorithm>
#include <cstdio>

#include "algorithms/llm/ferret.hpp"
#include "algorithms/llm/split_learning.hpp"

namespace flemu {

DeviceMemory estimate_device_memory(const ModelInfo& model, const AlgorithmSpec& a) {
  DeviceMemory m;
  const TransformerSpec& s = model.transformer;
  const FineTuneSpec& ft = model.fine_tune;
  const double b = a.batch_size;
  const double trainable = 4.0 * static_cast<double>(model.trainable_params);
  const bool split = a.name == "sfprompt" || a.name == "sfl";
  if (split) {
    const int head_to = ft.split.head_layers, tail_from = s.layers - ft.split.tail_layers;
    m.parameters = 4.0 * static_cast<double>(device_part_params(model));
    m.activations = b * (activation_bytes_per_window(s, ft, 0, head_to, false) +
                         activation_bytes_per_window(s, ft, tail_from, s.layers, true));
    double device_trainable = 0;
    for (const auto& t : model.tensors)
      if (t.trainable && (t.block < head_to || t.block >= tail_from)) device_trainable += 4.0 * t.numel;
    m.gradients = device_trainable;
    // The body's output and the head output's gradient as they arrive: b x T x d each.
    m.buffers = 2 * b * (s.context + ft.prompt_tokens) * s.d_model * 4.0;
    return m;
  }
  m.parameters = 4.0 * static_cast<double>(model.num_params);
  if (a.name == "fedkseed") {
    m.buffers = 2 * trainable;  // the direction z and the unperturbed parameters
    return m;
  }
  m.activations = b * activation_bytes_per_window(s, ft, 0, s.layers, true);
  m.gradients = trainable;
  if (a.name == "fedprox" || a.name == "flasc") m.buffers = trainable;
  if (a.name == "ferret") {
    int64_t largest = 0;
    for (const auto& g : ferret_groups(model)) largest = std::max(largest, g.size);
    m.buffers = trainable + 4.0 * static_cast<double>(largest);
  }
  return m;
}

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) bytes /= 1000, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.3g %s", bytes, units[u]);
  return buf;
}

}  // namespace flemu

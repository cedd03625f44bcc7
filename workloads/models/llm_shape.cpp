#include "workloads/models/llm_shape.hpp"

#include <map>
#include <stdexcept>

namespace flemu {

double LlmShape::params() const {
  const double h = static_cast<double>(hidden), d = static_cast<double>(head_dim());
  const double attention = 2 * h * d * static_cast<double>(heads) + 2 * h * d * static_cast<double>(kv_heads) + h;
  const double mlp = 3 * h * static_cast<double>(intermediate) + h;
  return 2 * static_cast<double>(vocab) * h + h + static_cast<double>(layers) * (attention + mlp);
}

namespace {

const std::map<std::string, LlmShape>& presets() {
  // name, h, L, a, b, s, v: the models' config.json files.
  static const std::map<std::string, LlmShape> table = {
      {"llama-2-3b", {"llama-2-3b", 3200, 26, 32, 32, 8640, 32000}},  // OpenLLaMA 3B, the paper's "Llama 2-3B"
      {"llama-2-7b", {"llama-2-7b", 4096, 32, 32, 32, 11008, 32000}},
      {"llama-2-13b", {"llama-2-13b", 5120, 40, 40, 40, 13824, 32000}},
      {"llama-2-70b", {"llama-2-70b", 8192, 80, 64, 8, 28672, 32000}},
      {"llama-3.1-8b", {"llama-3.1-8b", 4096, 32, 32, 8, 14336, 128256}},
      {"llama-3.1-70b", {"llama-3.1-70b", 8192, 80, 64, 8, 28672, 128256}},
      {"yi-34b", {"yi-34b", 7168, 60, 56, 8, 20480, 64000}},
  };
  return table;
}

}  // namespace

std::vector<std::string> llm_preset_names() {
  std::vector<std::string> names;
  for (const auto& [name, _] : presets()) names.push_back(name);
  return names;
}

LlmShape llm_preset(const std::string& name) {
  auto it = presets().find(name);
  if (it == presets().end()) {
    std::string known;
    for (const auto& n : llm_preset_names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown language model \"" + name + "\" (known: " + known + ")");
  }
  return it->second;
}

}  // namespace flemu

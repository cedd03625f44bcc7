#include "algorithms/pipeline/auglocal.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace flemu {

std::vector<int> auglocal_aux_depths(int layers, const AugLocalParams& p) {
  if (layers < 2) throw std::invalid_argument("auglocal: a network of at least 2 layers");
  std::vector<int> depths;
  for (int l = 0; l + 1 < layers; ++l) {
    const double r = layers > 2 ? l * p.pyramid / (layers - 2) : 0.0;
    depths.push_back(std::max(1, static_cast<int>(std::nearbyint(p.aux_depth * (1 - r) + r))));
  }
  return depths;
}

std::vector<int> auglocal_aux_layers(int layer, int layers, int depth) {
  std::vector<int> out;
  if (depth >= layers - 1 - layer) {
    for (int j = layer + 1; j < layers; ++j) out.push_back(j);
    return out;
  }
  for (int i = 1; i <= depth; ++i)
    out.push_back(static_cast<int>(std::nearbyint(layer + static_cast<double>(layers - layer - 1) * i / depth)));
  return out;
}

}  // namespace flemu

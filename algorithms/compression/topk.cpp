#include "algorithms/compression/topk.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace flemu {

int64_t top_k_count(double density, int64_t n) {
  if (n <= 0 || density <= 0) return 0;
  const auto k = static_cast<int64_t>(std::floor(density * static_cast<double>(n) + 1e-9));
  return std::clamp<int64_t>(k, 1, n);
}

SparseVector top_k(const float* x, int64_t n, int64_t k) {
  SparseVector s;
  s.size = n;
  k = std::clamp<int64_t>(k, 0, n);
  std::vector<uint32_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0u);
  if (k < n) {
    auto larger = [x](uint32_t a, uint32_t b) {
      const float fa = std::fabs(x[a]), fb = std::fabs(x[b]);
      return fa > fb || (fa == fb && a < b);
    };
    std::nth_element(order.begin(), order.begin() + k, order.end(), larger);
    order.resize(static_cast<size_t>(k));
    std::sort(order.begin(), order.end());
  }
  s.indices = std::move(order);
  s.values.reserve(s.indices.size());
  for (uint32_t i : s.indices) s.values.push_back(x[i]);
  return s;
}

std::vector<float> densify(const SparseVector& s) {
  std::vector<float> out(static_cast<size_t>(s.size), 0.f);
  for (size_t j = 0; j < s.indices.size(); ++j) out[s.indices[j]] = s.values[j];
  return out;
}

uint64_t sparse_wire_bytes(int64_t n, int64_t k) {
  const uint64_t index_list = 4ull * static_cast<uint64_t>(k);
  const uint64_t bitmap = (static_cast<uint64_t>(n) + 7) / 8;
  return 4 + std::min(index_list, bitmap) + 4ull * static_cast<uint64_t>(k);
}

}  // namespace flemu

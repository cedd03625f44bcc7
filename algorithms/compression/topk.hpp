// Top-k sparsification as a pure function over a float vector, and the byte size of its
// serialized form. FLASC (algorithms/llm/flasc.hpp) uses it for both directions; a codec of
// the compression room can wrap it (the selection rule and the wire size are separate calls).
#pragma once
#include <cstdint>
#include <vector>

namespace flemu {

/// k = floor(density * n) (FLASC's int(P * rho)), at least 1 when n > 0 and density > 0.
int64_t top_k_count(double density, int64_t n);

/// The k entries of largest magnitude, as (sorted) indices and their values. Ties are broken
/// by the lower index, so the result is a pure function of the values. k >= n keeps all.
struct SparseVector {
  int64_t size = 0;               ///< length of the dense vector
  std::vector<uint32_t> indices;  ///< ascending
  std::vector<float> values;
};
SparseVector top_k(const float* x, int64_t n, int64_t k);
inline SparseVector top_k(const std::vector<float>& x, int64_t k) {
  return top_k(x.data(), static_cast<int64_t>(x.size()), k);
}

/// The dense vector of `s` (zeros elsewhere).
std::vector<float> densify(const SparseVector& s);

/// Serialized size of k of n values: a 4-byte count, then either k int32 indices or an
/// n-bit bitmap, whichever is smaller, then k float32 values
/// (../shared/cards/compression.md §4.3: min(k (4 + 4), ceil(n/8) + 4k) + block header).
uint64_t sparse_wire_bytes(int64_t n, int64_t k);

}  // namespace flemu

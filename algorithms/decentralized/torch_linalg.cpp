// LAPACK through LibTorch for algorithms/decentralized/linalg.hpp (one of the few torch TUs):
// the symmetric eigensolver for matrices beyond the Jacobi method's size.
#include <torch/torch.h>

#include <mutex>

#include "algorithms/decentralized/linalg.hpp"

namespace flemu {

namespace {

torch::Tensor as_tensor(const std::vector<double>& a, int n) {
  if (static_cast<int64_t>(a.size()) != int64_t(n) * n) throw std::invalid_argument("matrix size is not n x n");
  // One intra-op thread, as the trainer sets it: the same bits whatever else runs.
  static std::once_flag once;
  std::call_once(once, [] { torch::set_num_threads(1); });
  return torch::from_blob(const_cast<double*>(a.data()), {n, n}, torch::kDouble).clone();
}

std::vector<double> to_vector(const torch::Tensor& t) {
  auto c = t.contiguous().to(torch::kDouble);
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace

std::vector<double> lapack_symmetric_eigenvalues(const std::vector<double>& a, int n, std::vector<double>* vectors) {
  if (n == 0) return {};
  auto [values, vecs] = torch::linalg::eigh(as_tensor(a, n), "L");
  if (vectors) *vectors = to_vector(vecs);
  return to_vector(values);
}

}  // namespace flemu

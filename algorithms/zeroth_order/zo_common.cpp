#include "algorithms/zeroth_order/zo_common.hpp"

#include <stdexcept>

namespace flemu::zo {

Vec average_step(const Vec& x, const std::vector<Vec>& locals, double eta) {
  if (locals.empty()) throw std::invalid_argument("average_step: no local model");
  Vec out = x;
  const double w = 1.0 / static_cast<double>(locals.size());
  for (const auto& xi : locals)
    for (size_t j = 0; j < x.size(); ++j) out[j] -= eta * w * (x[j] - xi[j]);
  return out;
}

}  // namespace flemu::zo

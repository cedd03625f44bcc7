#include "algorithms/aggregation.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace flemu {

Params weighted_sum(const std::vector<const Params*>& xs, const std::vector<double>& weights) {
  if (xs.empty()) throw std::invalid_argument("weighted_sum: no inputs");
  if (xs.size() != weights.size()) throw std::invalid_argument("weighted_sum: inputs and weights differ in count");
  const size_t n = xs[0]->size();
  // Accumulate in double: sums of many float vectors stay exact to float precision.
  std::vector<double> acc(n, 0.0);
  for (size_t i = 0; i < xs.size(); ++i) {
    if (xs[i]->size() != n)
      throw std::invalid_argument("weighted_sum: input " + std::to_string(i) + " has " +
                                  std::to_string(xs[i]->size()) + " values, expected " + std::to_string(n));
    const float* x = xs[i]->data();
    for (size_t j = 0; j < n; ++j) acc[j] += weights[i] * x[j];
  }
  return Params(acc.begin(), acc.end());
}

Params weighted_average(const std::vector<const Params*>& xs, const std::vector<double>& weights) {
  double total = 0;
  for (double w : weights) total += w;
  if (xs.empty()) throw std::invalid_argument("weighted_average: no inputs");
  if (!(total > 0)) throw std::invalid_argument("weighted_average: total weight must be positive");
  std::vector<double> normalised;
  for (double w : weights) normalised.push_back(w / total);
  return weighted_sum(xs, normalised);
}

Params server_step(const Params& global, const Params& target, double server_lr) {
  if (global.size() != target.size()) throw std::invalid_argument("server_step: size mismatch");
  if (server_lr == 1.0) return target;
  Params out(global.size());
  for (size_t j = 0; j < global.size(); ++j)
    out[j] = static_cast<float>(global[j] + server_lr * (double(target[j]) - global[j]));
  return out;
}

Params mix(const Params& global, const Params& x, double alpha) {
  if (global.size() != x.size()) throw std::invalid_argument("mix: size mismatch");
  Params out(global.size());
  for (size_t j = 0; j < global.size(); ++j) out[j] = static_cast<float>((1.0 - alpha) * global[j] + alpha * x[j]);
  return out;
}

Params add_scaled(const Params* y, double a, const Params& x) {
  if (y && y->size() != x.size())
    throw std::invalid_argument("add_scaled: " + std::to_string(y->size()) + " values and " +
                                std::to_string(x.size()));
  Params out(x.size());
  for (size_t j = 0; j < x.size(); ++j) out[j] = static_cast<float>((y ? double((*y)[j]) : 0.0) + a * x[j]);
  return out;
}

Params difference(const Params& a, const Params& b) {
  if (a.size() != b.size()) throw std::invalid_argument("difference: size mismatch");
  Params out(a.size());
  for (size_t j = 0; j < a.size(); ++j) out[j] = a[j] - b[j];
  return out;
}

double l2_norm(const Params& x) {
  double s = 0;
  for (float v : x) s += double(v) * v;
  return std::sqrt(s);
}

}  // namespace flemu

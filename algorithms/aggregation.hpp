// Aggregation maths as pure functions over flat parameter vectors: no SimGrid, no I/O.
// Summation runs in a fixed order (the order of the inputs), so results are bit-reproducible.
#pragma once
#include <vector>

#include "workloads/models/trainer.hpp"

namespace flemu {

/// sum_i w_i * x_i, accumulated in double. Throws std::invalid_argument on empty input or
/// size mismatch.
Params weighted_sum(const std::vector<const Params*>& xs, const std::vector<double>& weights);

/// sum_i w_i * x_i / sum_i w_i. Throws std::invalid_argument on empty input, size mismatch
/// or non-positive total weight.
Params weighted_average(const std::vector<const Params*>& xs, const std::vector<double>& weights);

/// global + server_lr * (target - global): a server step towards `target` (FedAvg with a
/// server learning rate; server_lr == 1 returns target).
Params server_step(const Params& global, const Params& target, double server_lr);

/// (1 - alpha) * global + alpha * x (FedAsync's mixing).
Params mix(const Params& global, const Params& x, double alpha);

/// y + a * x elementwise (computed in double, rounded once); a null `y` is the zero vector.
/// Throws std::invalid_argument on size mismatch.
Params add_scaled(const Params* y, double a, const Params& x);

/// a - b elementwise. Throws std::invalid_argument on size mismatch.
Params difference(const Params& a, const Params& b);

/// Euclidean norm, accumulated in double.
double l2_norm(const Params& x);

}  // namespace flemu

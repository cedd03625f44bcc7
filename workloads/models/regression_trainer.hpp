// The trainer of the synthetic regression workload (workloads/data/synthetic_regression.hpp):
// a linear model x in R^d without bias, device i's job being plain minibatch SGD on its own
// f_i(x) = (1/m) sum_j (a_j^T x - b_j)^2 (TrainJob::client = worker, indices = sample indices).
// Torch-free and cheap; float parameters like every trainer (DADAO keeps its own float64
// state and uses only model() and evaluate()).
//
// evaluate(x): loss = (1/n) sum_i f_i(x) - (1/n) sum_i f_i(x*), the suboptimality (0 at the
// optimum); accuracy NaN (a regression has none); samples = n m.
// On the wire a model is d float64 values (8 d bytes, as the authors' code sends them).
#pragma once
#include <memory>

#include "workloads/data/synthetic_regression.hpp"
#include "workloads/models/trainer.hpp"

namespace flemu {

/// ModelInfo of the linear model in dimension `features`.
ModelInfo linear_model_info(int features);

std::unique_ptr<Trainer> make_regression_trainer(std::shared_ptr<const RegressionProblem> problem);

}  // namespace flemu

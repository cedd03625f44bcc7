#include "workloads/models/regression_trainer.hpp"

#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "workloads/rng.hpp"

namespace flemu {

ModelInfo linear_model_info(int features) {
  ModelInfo m;
  m.kind = ModelKind::Linear;
  m.name = "linear";
  m.layers = {{LayerShape::Linear, features, 1}};
  m.num_params = features;
  m.bytes = 8 * int64_t(features);
  m.forward_flops_per_sample = 2.0 * features;
  m.train_flops_per_sample = 4.0 * features;  // residual a^T x - b, then its multiple of a
  return m;
}

namespace {

class RegressionTrainer final : public Trainer {
 public:
  explicit RegressionTrainer(std::shared_ptr<const RegressionProblem> p)
      : p_(std::move(p)), info_(linear_model_info(p_->dim)) {}
  const ModelInfo& model() const override { return info_; }
  Params initial_params(uint64_t seed) override {
    Rng rng(seed);
    Params x(p_->dim);
    for (auto& v : x) v = static_cast<float>(rng.normal());
    return x;
  }
  TrainResult train(const TrainJob& job) override {
    if (!job.local.rule.is_plain_sgd())
      throw std::invalid_argument("the synthetic regression trains with plain SGD only (no SAM, momentum, weight "
                                  "decay, clipping or proximal term)");
    const int w = job.client;
    std::vector<double> x(job.start->begin(), job.start->end());
    std::vector<int32_t> order(*job.indices);
    const int64_t n = static_cast<int64_t>(order.size());
    const int64_t steps = steps_taken(job.local, n);
    Rng rng(job.seed);
    int64_t pos = n;
    double loss_sum = 0;
    const int d = p_->dim;
    for (int64_t s = 0; s < steps; ++s) {
      if (pos >= n) {
        rng.shuffle(order);
        pos = 0;
      }
      const int64_t end = std::min<int64_t>(pos + job.local.batch_size, n);
      std::vector<double> g(d, 0.0);
      double loss = 0;
      for (int64_t k = pos; k < end; ++k) {
        const double* a = &p_->a[w][size_t(order[k]) * d];
        double r = -p_->b[w][order[k]];
        for (int q = 0; q < d; ++q) r += a[q] * x[q];
        loss += r * r;
        for (int q = 0; q < d; ++q) g[q] += 2 * r * a[q];
      }
      const double b = static_cast<double>(end - pos);
      for (int q = 0; q < d; ++q) x[q] -= job.local.lr * g[q] / b;
      loss_sum += loss / b;
      pos = end;
    }
    TrainResult r;
    r.params.assign(x.begin(), x.end());
    r.steps = steps;
    r.samples = samples_processed(job.local, n);
    r.flops = training_flops(info_, job.local, n);
    r.mean_loss = steps > 0 ? loss_sum / steps : std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  EvalResult evaluate(const Params& params, const std::vector<int32_t>*) override {
    const std::vector<double> x(params.begin(), params.end());
    return {std::numeric_limits<double>::quiet_NaN(), p_->mean_loss(x) - p_->optimal_value,
            int64_t(p_->workers) * p_->samples};
  }
  std::string device() const override { return "cpu"; }
  bool learns() const override { return true; }

 private:
  std::shared_ptr<const RegressionProblem> p_;
  ModelInfo info_;
};

}  // namespace

std::unique_ptr<Trainer> make_regression_trainer(std::shared_ptr<const RegressionProblem> problem) {
  return std::make_unique<RegressionTrainer>(std::move(problem));
}

}  // namespace flemu

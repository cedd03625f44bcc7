// The analytic trainer: same job interface, no learning. Used for time/energy/bytes what-if
// studies at scales where real training is not the question (100k+ devices).
#include <cmath>
#include <limits>

#include "workloads/models/trainer.hpp"

namespace flemu {

int64_t steps_taken(const LocalTrainingSpec& spec, int64_t n) {
  if (spec.steps > 0) return spec.steps;
  const int64_t per_epoch = (n + spec.batch_size - 1) / spec.batch_size;
  return per_epoch * spec.epochs;
}

int64_t samples_processed(const LocalTrainingSpec& spec, int64_t n) {
  if (spec.steps > 0) {
    // Steps cycle through the client's data in batches; the last batch of a pass may be short.
    const int64_t per_epoch = (n + spec.batch_size - 1) / spec.batch_size;
    const int64_t full_passes = spec.steps / per_epoch, rest = spec.steps % per_epoch;
    return full_passes * n + std::min<int64_t>(rest * spec.batch_size, n);
  }
  return n * spec.epochs;
}

double training_flops(const ModelInfo& model, const LocalTrainingSpec& spec, int64_t n) {
  const double per_sample = spec.gate ? gated_min_train_flops_per_sample(model, gate_blocks(model, spec.gate->spec.split))
                                      : model.train_flops_per_sample;
  return per_sample * static_cast<double>(samples_processed(spec, n)) * spec.rule.gradient_evaluations();
}

namespace {
class AnalyticTrainer final : public Trainer {
 public:
  explicit AnalyticTrainer(ModelInfo model) : model_(std::move(model)) {}
  const ModelInfo& model() const override { return model_; }
  // No parameters at all: bytes on the wire come from model().bytes, and the aggregation
  // maths works on empty vectors. A real-size vector per client in flight cost N x 0.8 MB
  // (10k devices: 7.9 GB) for numbers nobody reads.
  Params initial_params(uint64_t) override { return Params(); }
  TrainResult train(const TrainJob& job) override {
    TrainResult r;
    r.params = *job.start;
    r.mean_loss = std::numeric_limits<double>::quiet_NaN();
    r.samples = samples_processed(job.local, static_cast<int64_t>(job.indices->size()));
    r.steps = steps_taken(job.local, static_cast<int64_t>(job.indices->size()));
    r.flops = training_flops(model_, job.local, static_cast<int64_t>(job.indices->size()));
    if (job.local.gate) {
      // No scores to choose blocks with: the sub-model of equal scores, filled to its budget.
      const BlockLayout layout = gate_blocks(model_, job.local.gate->spec.split);
      r.flops = gated_train_flops_per_sample(model_, layout, typical_mask(layout, job.local.gate->spec.sparsity)) *
                static_cast<double>(r.samples);
      if (job.local.gate->state) r.gate_state = *job.local.gate->state;
    }
    return r;
  }
  EvalResult evaluate(const Params&, const std::vector<int32_t>* subset) override {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, nan, subset ? static_cast<int64_t>(subset->size()) : 0};
  }
  std::string device() const override { return "none"; }
  bool learns() const override { return false; }

 private:
  ModelInfo model_;
};
}  // namespace

std::unique_ptr<Trainer> make_analytic_trainer(ModelKind kind) {
  return std::make_unique<AnalyticTrainer>(describe_model(kind));
}
std::unique_ptr<Trainer> make_analytic_trainer(const ModelInfo& model) { return std::make_unique<AnalyticTrainer>(model); }

}  // namespace flemu

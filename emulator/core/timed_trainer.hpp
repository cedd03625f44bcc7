// A Trainer decorator that measures where a run's wall-clock time goes: real training jobs,
// real evaluation jobs, and the time during which at least one job was running. run_scenario
// subtracts the latter from the engine's wall time to get the emulation's own cost
// (summary.json "wall_breakdown"). Wall-clock only: nothing here reaches the trace.
// Thread-safe like the trainer it wraps; it adds two clock reads and a mutex per job.
#pragma once
#include <chrono>
#include <memory>
#include <mutex>

#include "workloads/models/trainer.hpp"

namespace flemu {

class TimedTrainer final : public Trainer {
 public:
  struct Totals {
    double training_s = 0;    ///< sum of train() wall times (job-seconds: parallel jobs add up)
    double evaluation_s = 0;  ///< sum of evaluate() wall times
    double busy_s = 0;        ///< wall time with at least one job running (union of job intervals)
    int64_t samples = 0;      ///< samples the train() jobs processed
  };

  explicit TimedTrainer(std::unique_ptr<Trainer> inner) : inner_(std::move(inner)) {}

  const ModelInfo& model() const override { return inner_->model(); }
  Params initial_params(uint64_t seed) override { return inner_->initial_params(seed); }
  std::string device() const override { return inner_->device(); }
  bool learns() const override { return inner_->learns(); }
  TrainResult train(const TrainJob& job) override {
    TrainResult r;
    {
      Span span(*this, totals_.training_s);
      r = inner_->train(job);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    totals_.samples += r.samples;
    return r;
  }
  std::vector<TrainResult> train_group(const std::vector<TrainJob>& jobs) override {
    Span span(*this, totals_.training_s);
    return inner_->train_group(jobs);
  }
  bool prefers_groups() const override { return inner_->prefers_groups(); }
  EvalResult evaluate(const Params& params, const std::vector<int32_t>* subset) override {
    Span span(*this, totals_.evaluation_s);
    return inner_->evaluate(params, subset);
  }
  ClassCounts evaluate_samples(const Params& params, const std::vector<int32_t>& indices, const GateJob* gate,
                               int batch) override {
    Span span(*this, totals_.evaluation_s);
    return inner_->evaluate_samples(params, indices, gate, batch);
  }

  Totals totals() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return totals_;
  }

 private:
  using Clock = std::chrono::steady_clock;
  static double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

  /// Times one job into `sum` and maintains the union of busy intervals.
  class Span {
   public:
    Span(TimedTrainer& t, double& sum) : t_(t), sum_(sum), start_(Clock::now()) {
      std::lock_guard<std::mutex> lock(t_.mutex_);
      if (t_.running_++ == 0) t_.busy_since_ = start_;
    }
    ~Span() {
      const auto end = Clock::now();
      std::lock_guard<std::mutex> lock(t_.mutex_);
      sum_ += seconds(end - start_);
      if (--t_.running_ == 0) t_.totals_.busy_s += seconds(end - t_.busy_since_);
    }

   private:
    TimedTrainer& t_;
    double& sum_;
    Clock::time_point start_;
  };

  std::unique_ptr<Trainer> inner_;
  mutable std::mutex mutex_;
  Totals totals_;
  int running_ = 0;
  Clock::time_point busy_since_;
};

}  // namespace flemu

// The training-job interface between the emulator and the learning code.
//
// A job is a pure function (start parameters, client's sample indices, local hyper-parameters,
// seed) -> new parameters: it touches no global state, so jobs may run in any order, in
// parallel, on any worker, and give the same bits (one intra-op thread per job, per-job
// generators; see ../shared/FACTS.md). Implementations must be thread-safe.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "workloads/models/gating.hpp"
#include "workloads/models/local_step.hpp"
#include "workloads/models/model_info.hpp"

namespace flemu {

/// The local work of one job: how much, at what learning rate, with which step rule.
struct LocalTrainingSpec {
  int epochs = 1;         ///< passes over the client's data, used when steps == 0
  int steps = 0;          ///< > 0: exactly this many minibatch steps (cycling through the data)
  int batch_size = 32;
  double lr = 0.05;       ///< local learning rate η of this job
  LocalStep rule;         ///< what one step does (local_step.hpp); default plain SGD
  StepInputs inputs;      ///< the vectors the rule reads (correction, ascent offset, momentum)
  /// A personal block gate trained with the model (pFedGate, gating.hpp); null: none. The
  /// job then trains the gated sub-model and reports the flops its masks really cost.
  std::shared_ptr<const GateJob> gate;
};

/// Samples a job processes: what the emulator turns into simulated flops before it runs.
int64_t samples_processed(const LocalTrainingSpec& spec, int64_t client_samples);
/// Minibatch steps a job takes.
int64_t steps_taken(const LocalTrainingSpec& spec, int64_t client_samples);
/// Simulated flops of a job: forward + backward of every sample at every gradient evaluation
/// (a SAM-type step evaluates the gradient twice). With a gate: the smallest sub-model its rule
/// can choose (the job reports what its masks really cost, never less).
double training_flops(const ModelInfo& model, const LocalTrainingSpec& spec, int64_t client_samples);

struct TrainJob {
  int client = 0;
  int round = 0;
  uint64_t seed = 0;                            ///< the job's own generator seed
  std::shared_ptr<const Params> start;          ///< parameters the client starts from
  std::shared_ptr<const std::vector<int32_t>> indices;  ///< the client's training samples
  LocalTrainingSpec local;
};

struct TrainResult {
  Params params;
  double mean_loss = 0;        ///< mean minibatch loss at w over the job (NaN in analytic mode)
  int64_t samples = 0;         ///< samples processed
  int64_t steps = 0;
  double flops = 0;            ///< flops the job did (training_flops of its spec)
  Params momentum;             ///< final momentum buffer, when the inputs asked for it
  Params ascent_sum;           ///< Σ_k e_k of the ascent steps, with ascent_feedback
  /// Zeroth-order jobs (FedKSeed): for each candidate seed the job stepped along, the sum of
  /// its steps' projected gradients, by seed index ascending. Empty otherwise.
  std::vector<std::pair<uint32_t, float>> seed_scalars;
  Params gate_state;           ///< the gate after the job (with a gate)
  Params gate_momentum;        ///< its optimizer's momentum after the job (with a gate)
};

struct EvalResult {
  double accuracy = 0;  ///< in [0,1] (NaN in analytic mode)
  double loss = 0;      ///< mean cross-entropy (NaN in analytic mode)
  int64_t samples = 0;
};

/// Per-class counts of an evaluation on some training-set samples (a client's held-out split).
struct ClassCounts {
  std::vector<int64_t> correct, total;  ///< per class (empty in analytic mode)
  int64_t samples() const {
    int64_t n = 0;
    for (auto t : total) n += t;
    return n;
  }
  int64_t hits() const {
    int64_t n = 0;
    for (auto c : correct) n += c;
    return n;
  }
};

class Trainer {
 public:
  virtual ~Trainer() = default;
  virtual const ModelInfo& model() const = 0;
  /// Initial global parameters, from `seed` alone.
  virtual Params initial_params(uint64_t seed) = 0;
  virtual TrainResult train(const TrainJob& job) = 0;
  /// Several jobs at once; results in the jobs' order, each equal to train(job) up to float
  /// rounding. Default: one after another. A GPU trainer stacks clients of one architecture
  /// into batched matrix products (a small model leaves a GPU idle between tiny kernels).
  virtual std::vector<TrainResult> train_group(const std::vector<TrainJob>& jobs) {
    std::vector<TrainResult> out;
    for (const auto& j : jobs) out.push_back(train(j));
    return out;
  }
  /// Whether callers should hand over whole groups of jobs (true where train_group stacks).
  virtual bool prefers_groups() const { return false; }
  /// Accuracy and loss on the test set, or on the given subset of test indices.
  virtual EvalResult evaluate(const Params& params, const std::vector<int32_t>* subset) = 0;
  /// Per-class hits of `params` (with `gate`, the client's personal gate in eval mode, if not
  /// null) on the TRAINING-set samples `indices`, in batches of `batch` in the given order (a
  /// gate's mask is per batch). Default (trainers that measure no accuracy): empty counts.
  virtual ClassCounts evaluate_samples(const Params&, const std::vector<int32_t>&, const GateJob*, int) {
    return {};
  }
  /// "cpu" or "cuda".
  virtual std::string device() const = 0;
  /// Whether results carry learning (false for the analytic trainer).
  virtual bool learns() const = 0;
};

struct TrainTest;

/// Real LibTorch training on `data` (shared, read-only). `device`: "auto" | "cpu" | "cuda";
/// throws std::runtime_error if "cuda" is asked for and LibTorch has no CUDA.
/// Sets LibTorch to one intra-op thread, process-wide (see FACTS: determinism).
/// `stack_clients`: train groups of MLP clients as stacked batched products (default: only on
/// CUDA; on CPU it gains nothing, threads do better, but tests force it to check equality).
std::unique_ptr<Trainer> make_torch_trainer(ModelKind kind, std::shared_ptr<const TrainTest> data,
                                            const std::string& device, int stack_clients = -1);

/// Flop/byte model only: parameters never change, accuracy and loss are NaN.
std::unique_ptr<Trainer> make_analytic_trainer(ModelKind kind);
/// The same for a model described by `model` (a custom model, or the transformer: describe_lm).
std::unique_ptr<Trainer> make_analytic_trainer(const ModelInfo& model);

}  // namespace flemu

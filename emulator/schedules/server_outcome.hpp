// What every server actor shares: how a run ended, and the evaluation and stop rules.
#pragma once
#include <cmath>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <simgrid/s4u.hpp>

#include "algorithms/algorithm.hpp"
#include "algorithms/client_state.hpp"
#include "emulator/core/per_client_metrics.hpp"
#include "emulator/core/federation.hpp"

namespace flemu {

struct ServerOutcome {
  int rounds = 0;  ///< rounds (sync) or model versions (async, anarchic)
  double final_accuracy = NAN, final_loss = NAN;
  /// The best accuracy of any evaluation and its round (FL-Simulator reports this one).
  double best_accuracy = NAN;
  int best_round = -1;
  std::string stop_reason;  ///< rounds | time | target_accuracy | no_devices
  std::shared_ptr<const Params> final_model;  ///< the global model the run ended with
  std::string error;        ///< set when the run failed (see run_guarded): its outputs are void
  StateFootprint state;     ///< what the algorithm keeps across rounds
  std::shared_ptr<const PerClientReport> per_client;  ///< evaluation.per_client's report, if asked for
  /// xxh64 (hex) of the final global parameters' bytes; "" when there are none (analytic).
  std::string params_hash;
  /// Peak memory per device, bytes, where the schedule accounts for it (pipelines); else empty.
  std::vector<double> device_memory_bytes;
  /// Sections the schedule adds to summary.json (inference: {"inference": {...}}); else null.
  nlohmann::json schedule_summary;
};

/// Training that diverged: a loss or a parameter that is not a finite number.
struct DivergenceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Throws DivergenceError naming the round, the client and the learning rate when client
/// update `u` carries a non-finite loss (real training) or parameter.
void check_update(const Federation& fed, const ClientUpdate& u);
/// Throws DivergenceError when the model aggregated in `round` has a non-finite parameter.
void check_model(const Federation& fed, const Params& global, int round);

/// Runs a server actor's body. A failure (training that diverged, a job that threw, a client
/// that reported one) must not escape the actor (SimGrid aborts on that): it is recorded in
/// outcome.error, every actor is stopped, and run_scenario reports it and writes nothing.
template <class Body>
void run_guarded(ServerOutcome& outcome, Body&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    outcome.error = e.what();
    simgrid::s4u::Actor::kill_all();
  }
}

/// Evaluates `global` on the job pool (full test set, or the fixed subset) and emits the
/// Evaluate event for `round`. No simulated time passes.
EvalResult evaluate_global(Federation& fed, const Params& global, int round, bool full);

/// The end-of-round bookkeeping every schedule shares: evaluate when due, decide whether to
/// stop, and make sure the last evaluation is on the full test set.
///
/// Evaluation does not stall the next round: when no stop decision depends on it (no target
/// accuracy, not the last round), the evaluation job runs on the pool while the next round's
/// clients train, and its Evaluate event (with the time the model was made) is emitted when
/// the next round closes. Where that happens is fixed by the schedule, so traces stay
/// deterministic.
class StopRule {
 public:
  StopRule(Federation& fed, ServerOutcome& outcome) : fed_(fed), outcome_(outcome) {}
  /// Round/version `round` produced `global` from `updates` updates: emits Aggregate,
  /// evaluates when due, emits RoundEnd. Returns true to stop.
  bool close_round(int round, int updates, const std::shared_ptr<const Params>& global);
  /// The server found nothing to do at `now`: true (stop reason set) once the time budget is
  /// spent or nothing has progressed for a week of simulated time.
  bool idle(double now);
  /// When idle() turns true if nothing happens meanwhile: what an idle server waits for.
  double idle_until() const;
  /// Whether the time budget (stop.time) is spent at `now`.
  bool time_up(double now) const;
  /// The server made progress now (restarts the week of idle()).
  void busy();
  /// Call once when the loop ended (also after a stop for lack of devices).
  void finish(int round, const Params& global);

 private:
  Federation& fed_;
  ServerOutcome& outcome_;
  bool evaluate_and_check(int round, const std::shared_ptr<const Params>& global);
  /// Keeps the best accuracy seen (outcome's best_accuracy, best_round).
  void note_best(const EvalResult& r, int round);
  /// Emits the Evaluate event of the evaluation running in the background, if any.
  void collect_pending();

  struct PendingEval {
    int round;
    double time;
    std::shared_ptr<const Params> model;  // kept alive while the job reads it
    std::future<EvalResult> result;
  };
  std::unique_ptr<PendingEval> pending_;
  int last_eval_round_ = -1;
  bool last_eval_full_ = false;
  double last_busy_ = 0;
};

}  // namespace flemu

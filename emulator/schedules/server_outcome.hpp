// What every server actor shares: how a run ended, and the evaluation and stop rules.
#pragma once
#include <cmath>
#include <future>
#include <memory>
#include <string>

#include "emulator/core/federation.hpp"

namespace flemu {

struct ServerOutcome {
  int rounds = 0;  ///< rounds (sync) or model versions (async, anarchic)
  double final_accuracy = NAN, final_loss = NAN;
  std::string stop_reason;  ///< rounds | time | target_accuracy | no_devices
  std::shared_ptr<const Params> final_model;  ///< the global model the run ended with
};

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
  /// spent or no device has been available for a week of simulated time.
  bool idle(double now);
  /// The server is working again (resets idle()).
  void busy() { idle_since_ = -1; }
  /// Call once when the loop ended (also after a stop for lack of devices).
  void finish(int round, const Params& global);

 private:
  Federation& fed_;
  ServerOutcome& outcome_;
  bool evaluate_and_check(int round, const std::shared_ptr<const Params>& global);
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
  double idle_since_ = -1;
};

}  // namespace flemu

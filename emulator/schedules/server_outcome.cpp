#include "emulator/schedules/server_outcome.hpp"

#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace flemu {

namespace {

std::future<EvalResult> submit_evaluation(Federation& fed, const Params& global, bool full) {
  const std::vector<int32_t>* subset = (full || fed.eval_subset.empty()) ? nullptr : &fed.eval_subset;
  Trainer& trainer = fed.trainer;
  return fed.pool.submit([&trainer, &global, subset] { return trainer.evaluate(global, subset); });
}

void emit_evaluation(Federation& fed, const EvalResult& r, int round, double time) {
  Event e{time, NAN, EventKind::Evaluate, "server", "server", round};
  e.accuracy = r.accuracy;
  e.loss = r.loss;
  e.count = static_cast<int>(r.samples);
  fed.bus.emit(e);
}

}  // namespace

EvalResult evaluate_global(Federation& fed, const Params& global, int round, bool full) {
  EvalResult r = submit_evaluation(fed, global, full).get();
  emit_evaluation(fed, r, round, sg4::Engine::get_clock());
  return r;
}

void StopRule::collect_pending() {
  if (!pending_) return;
  const EvalResult r = pending_->result.get();
  emit_evaluation(fed_, r, pending_->round, pending_->time);
  outcome_.final_accuracy = r.accuracy;
  outcome_.final_loss = r.loss;
  pending_.reset();
}

bool StopRule::close_round(int round, int updates, const std::shared_ptr<const Params>& global) {
  collect_pending();
  Event agg{sg4::Engine::get_clock(), NAN, EventKind::Aggregate, "server", "server", round};
  agg.count = updates;
  fed_.bus.emit(agg);
  const bool done = evaluate_and_check(round, global);
  Event end{sg4::Engine::get_clock(), NAN, EventKind::RoundEnd, "server", "server", round};
  end.count = updates;
  fed_.bus.emit(end);
  return done;
}

bool StopRule::idle(double now) {
  constexpr double kMaxIdleWait = 7 * 86400.0;
  if (idle_since_ < 0) idle_since_ = now;
  const bool time_done = fed_.scenario.stop.max_time_s > 0 && now >= fed_.scenario.stop.max_time_s;
  if (!time_done && now - idle_since_ <= kMaxIdleWait) return false;
  outcome_.stop_reason = time_done ? "time" : "no_devices";
  return true;
}

bool StopRule::evaluate_and_check(int round, const std::shared_ptr<const Params>& global) {
  const StopSpec& stop = fed_.scenario.stop;
  const bool rounds_done = stop.max_rounds > 0 && round >= stop.max_rounds;
  const bool time_done = stop.max_time_s > 0 && sg4::Engine::get_clock() >= stop.max_time_s;
  bool target_done = false;
  if (round % fed_.scenario.evaluation.every_rounds == 0 || rounds_done || time_done) {
    const bool full = rounds_done || time_done;  // the last evaluation is on the full test set
    if (!full && stop.target_accuracy < 0) {
      // Nothing waits for this number: let it run beside the next round.
      pending_ = std::make_unique<PendingEval>(
          PendingEval{round, sg4::Engine::get_clock(), global, submit_evaluation(fed_, *global, false)});
      last_eval_round_ = round;
      last_eval_full_ = fed_.eval_subset.empty();
      return false;
    }
    EvalResult r = evaluate_global(fed_, *global, round, full);
    last_eval_round_ = round;
    last_eval_full_ = full || fed_.eval_subset.empty();
    outcome_.final_accuracy = r.accuracy;
    outcome_.final_loss = r.loss;
    target_done = stop.target_accuracy >= 0 && r.accuracy >= stop.target_accuracy;
  }
  if (rounds_done || time_done || target_done) {
    outcome_.stop_reason = rounds_done ? "rounds" : time_done ? "time" : "target_accuracy";
    return true;
  }
  return false;
}

void StopRule::finish(int round, const Params& global) {
  collect_pending();
  if (!last_eval_full_ || last_eval_round_ != round) {
    EvalResult r = evaluate_global(fed_, global, round, true);
    outcome_.final_accuracy = r.accuracy;
    outcome_.final_loss = r.loss;
  }
  outcome_.rounds = round;
  outcome_.final_model = std::make_shared<const Params>(global);
}

}  // namespace flemu

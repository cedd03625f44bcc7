#include "emulator/server_outcome.hpp"

#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace flemu {

EvalResult evaluate_global(Federation& fed, const Params& global, int round, bool full) {
  const std::vector<int32_t>* subset = (full || fed.eval_subset.empty()) ? nullptr : &fed.eval_subset;
  Trainer& trainer = fed.trainer;
  EvalResult r = fed.pool.submit([&trainer, &global, subset] { return trainer.evaluate(global, subset); }).get();
  Event e{sg4::Engine::get_clock(), NAN, EventKind::Evaluate, "server", "server", round};
  e.accuracy = r.accuracy;
  e.loss = r.loss;
  e.count = static_cast<int>(r.samples);
  fed.bus.emit(e);
  return r;
}

bool StopRule::after_round(int round, const Params& global) {
  const StopSpec& stop = fed_.scenario.stop;
  const bool rounds_done = stop.max_rounds > 0 && round >= stop.max_rounds;
  const bool time_done = stop.max_time_s > 0 && sg4::Engine::get_clock() >= stop.max_time_s;
  bool target_done = false;
  if (round % fed_.scenario.evaluation.every_rounds == 0 || rounds_done || time_done) {
    const bool full = rounds_done || time_done;  // the last evaluation is on the full test set
    EvalResult r = evaluate_global(fed_, global, round, full);
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
  if (!last_eval_full_ || last_eval_round_ != round) {
    EvalResult r = evaluate_global(fed_, global, round, true);
    outcome_.final_accuracy = r.accuracy;
    outcome_.final_loss = r.loss;
  }
  outcome_.rounds = round;
}

}  // namespace flemu

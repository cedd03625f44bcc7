#include "emulator/schedules/server_outcome.hpp"

#include <algorithm>

#include <fmt/format.h>

#include <simgrid/s4u.hpp>
#include <xxhash.h>

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

namespace {

bool all_finite(const Params& p) {
  return std::all_of(p.begin(), p.end(), [](float x) { return std::isfinite(x); });
}

std::string number(double x) { return std::isnan(x) ? "NaN" : std::isinf(x) ? (x > 0 ? "+inf" : "-inf") : fmt::format("{}", x); }

std::string lr_hint(const Federation& fed) {
  return fmt::format("lower /algorithm/lr (now {}) or check the data", fed.scenario.algorithm.lr);
}

}  // namespace

void check_update(const Federation& fed, const ClientUpdate& u) {
  const std::string who = fmt::format("client {} ({})", u.client, fed.devices[u.client].name);
  if (fed.scenario.training == TrainingMode::Real && !std::isfinite(u.train_loss))
    throw DivergenceError(fmt::format("training diverged in round {}: {} returned a loss of {}; {}", u.round, who,
                                      number(u.train_loss), lr_hint(fed)));
  if (u.params && !all_finite(*u.params))
    throw DivergenceError(fmt::format("training diverged in round {}: {} returned non-finite parameters; {}",
                                      u.round, who, lr_hint(fed)));
}

void check_model(const Federation& fed, const Params& global, int round) {
  if (!all_finite(global))
    throw DivergenceError(fmt::format("training diverged in round {}: the aggregated model has non-finite "
                                      "parameters; {}",
                                      round, lr_hint(fed)));
}

EvalResult evaluate_global(Federation& fed, const Params& global, int round, bool full) {
  EvalResult r = submit_evaluation(fed, global, full).get();
  emit_evaluation(fed, r, round, sg4::Engine::get_clock());
  return r;
}

void StopRule::note_best(const EvalResult& r, int round) {
  if (std::isnan(r.accuracy)) return;
  if (std::isnan(outcome_.best_accuracy) || r.accuracy > outcome_.best_accuracy) {
    outcome_.best_accuracy = r.accuracy;
    outcome_.best_round = round;
  }
}

void StopRule::collect_pending() {
  if (!pending_) return;
  const EvalResult r = pending_->result.get();
  emit_evaluation(fed_, r, pending_->round, pending_->time);
  note_best(r, pending_->round);
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

namespace {
constexpr double kMaxIdleWait = 7 * 86400.0;  // a week without progress: no device will come
}  // namespace

bool StopRule::time_up(double now) const {
  return fed_.scenario.stop.max_time_s > 0 && now >= fed_.scenario.stop.max_time_s;
}

void StopRule::busy() { last_busy_ = sg4::Engine::get_clock(); }

bool StopRule::idle(double now) {
  const bool time_done = time_up(now);
  if (!time_done && now - last_busy_ < kMaxIdleWait) return false;
  outcome_.stop_reason = time_done ? "time" : "no_devices";
  return true;
}

double StopRule::idle_until() const {
  const double week = last_busy_ + kMaxIdleWait;
  return fed_.scenario.stop.max_time_s > 0 ? std::min(week, fed_.scenario.stop.max_time_s) : week;
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
    note_best(r, round);
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
    note_best(r, round);
    outcome_.final_accuracy = r.accuracy;
    outcome_.final_loss = r.loss;
  }
  outcome_.rounds = round;
  outcome_.final_model = std::make_shared<const Params>(global);
  if (!global.empty())
    outcome_.params_hash = fmt::format("{:016x}", XXH64(global.data(), global.size() * sizeof(float), 0));
}

}  // namespace flemu

#include "emulator/core/progress.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "platforms/units.hpp"

namespace flemu {

ProgressReporter::ProgressReporter(const StopSpec& stop, bool enabled, double in_round_period_s)
    : stop_(stop), in_round_period_s_(in_round_period_s) {
  if (enabled) bar_ = std::make_unique<ProgressBar>("flemu", stop.max_rounds);
}

void ProgressReporter::on_event(const Event& e) {
  if (e.kind == EventKind::Evaluate) {
    accuracy_ = e.accuracy;
    accuracy_round_ = e.round;
  }
  if (!bar_) return;
  if (e.kind == EventKind::RoundStart) {
    round_ = e.round;
    round_clients_ = e.count;
    round_uploads_ = 0;
    return;
  }
  if (e.kind == EventKind::Upload) {
    if (e.round == round_) ++round_uploads_;
    report_in_round(e);
    return;
  }
  if (e.kind != EventKind::RoundEnd) return;
  last_report_ = std::chrono::steady_clock::now();
  const std::string of = stop_.max_rounds > 0 ? "/" + std::to_string(stop_.max_rounds) : "";
  // The latest evaluation may be an earlier round's: evaluations run beside the next round
  // (emulator/schedules/server_outcome.hpp), so the line says which model it measured.
  const std::string acc = std::isnan(accuracy_)              ? "-"
                          : accuracy_round_ == e.round ? fmt::format("{:.4f}", accuracy_)
                                                       : fmt::format("{:.4f} (round {})", accuracy_, accuracy_round_);
  // Whichever budget is closer to exhaustion drives the bar.
  double fraction = -1;
  if (stop_.max_rounds > 0) fraction = static_cast<double>(e.round) / stop_.max_rounds;
  if (stop_.max_time_s > 0) fraction = std::max(fraction, e.time / stop_.max_time_s);
  bar_->update(e.round, fmt::format("round {}{}  sim {}  accuracy {}", e.round, of, units::format_duration(e.time), acc),
               fraction);
}

void ProgressReporter::report_in_round(const Event& upload) {
  const auto now = std::chrono::steady_clock::now();
  // From 1% of the round on: an ETA extrapolated from a handful of updates means nothing.
  if (std::chrono::duration<double>(now - last_report_).count() < in_round_period_s_ ||
      100 * static_cast<int64_t>(round_uploads_) < round_clients_)
    return;
  last_report_ = now;
  const std::string of = stop_.max_rounds > 0 ? "/" + std::to_string(stop_.max_rounds) : "";
  const double in_round = std::min(1.0, static_cast<double>(round_uploads_) / round_clients_);
  double fraction = -1;
  if (stop_.max_rounds > 0) fraction = (round_ - 1 + in_round) / stop_.max_rounds;
  if (stop_.max_time_s > 0) fraction = std::max(fraction, upload.time / stop_.max_time_s);
  bar_->update(round_ - 1,
               fmt::format("round {}{}: {}/{} updates in  sim {}", round_, of, round_uploads_, round_clients_,
                           units::format_duration(upload.time)),
               fraction);
}

}  // namespace flemu

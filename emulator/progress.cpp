#include "emulator/progress.hpp"

#include <fmt/format.h>

#include "platforms/units.hpp"

namespace flemu {

ProgressReporter::ProgressReporter(const StopSpec& stop, bool enabled) : stop_(stop) {
  if (enabled) bar_ = std::make_unique<ProgressBar>("flemu", stop.max_rounds);
}

void ProgressReporter::on_event(const Event& e) {
  if (e.kind == EventKind::Evaluate) accuracy_ = e.accuracy;
  if (!bar_ || e.kind != EventKind::RoundEnd) return;
  const std::string of = stop_.max_rounds > 0 ? "/" + std::to_string(stop_.max_rounds) : "";
  const std::string acc = std::isnan(accuracy_) ? "-" : fmt::format("{:.4f}", accuracy_);
  // Whichever budget is closer to exhaustion drives the bar.
  double fraction = -1;
  if (stop_.max_rounds > 0) fraction = static_cast<double>(e.round) / stop_.max_rounds;
  if (stop_.max_time_s > 0) fraction = std::max(fraction, e.time / stop_.max_time_s);
  bar_->update(e.round, fmt::format("round {}{}  sim {}  accuracy {}", e.round, of, units::format_duration(e.time), acc),
               fraction);
}

}  // namespace flemu

#include "emulator/progress.hpp"

#include <spdlog/spdlog.h>

#include "platforms/units.hpp"

namespace flemu {

void ProgressReporter::on_event(const Event& e) {
  if (e.kind == EventKind::Evaluate) accuracy_ = e.accuracy;
  if (!enabled_ || e.kind != EventKind::RoundEnd) return;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
  const std::string of = stop_.max_rounds > 0 ? "/" + std::to_string(stop_.max_rounds) : "";
  const std::string acc = std::isnan(accuracy_) ? "-" : fmt::format("{:.4f}", accuracy_);
  spdlog::info("round {}{}  sim {}  accuracy {}  updates {}  wall {:.1f}s", e.round, of,
               units::format_duration(e.time), acc, e.count, wall);
}

}  // namespace flemu

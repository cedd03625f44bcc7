#include "analysis/activity.hpp"

#include <algorithm>
#include <array>
#include <set>

namespace flemu::analysis {

using nlohmann::json;

void add_activity_rows(const RunData& run, const DeviceTimeline& tl, const DeviceClasses& dc, json& rows) {
  const double end = tl.end_s;
  if (end <= 0 || dc.devices.empty()) return;
  const double width = end / kActivityWindows;
  constexpr int kStates = 6;
  std::vector<std::array<double, kStates>> seconds(kActivityWindows);
  for (auto& w : seconds) w.fill(0);
  auto add = [&](int state, double t0, double t1) {
    const int first = std::clamp(static_cast<int>(t0 / width), 0, kActivityWindows - 1);
    const int last = std::clamp(static_cast<int>(t1 / width), 0, kActivityWindows - 1);
    for (int w = first; w <= last; ++w) {
      const double overlap = std::min(t1, (w + 1) * width) - std::max(t0, w * width);
      if (overlap > 0) seconds[w][state] += overlap;
    }
  };
  std::set<int> in_timeline(tl.clients.begin(), tl.clients.end());
  // Lanes 1 and 2 (communicating, reading disk: over the device's own state) would count their
  // time twice: shares are of lane 0, which covers every device from 0 to the end.
  for (const auto& s : tl.segments)
    if (s.lane == 0) add(static_cast<int>(s.state), s.t0, s.t1);
  for (int d : dc.devices)
    if (!in_timeline.count(d)) add(static_cast<int>(DeviceState::Idle), 0, end);
  const double capacity = width * static_cast<double>(dc.devices.size());
  for (int w = 0; w < kActivityWindows; ++w)
    for (int st = 0; st < kStates; ++st)
      rows.push_back({{"run", run.label},
                      {"w0", w * width},
                      {"w1", (w + 1) * width},
                      {"state", to_string(static_cast<DeviceState>(st))},
                      {"state_order", st},
                      {"share", seconds[w][st] / capacity}});
}

}  // namespace flemu::analysis

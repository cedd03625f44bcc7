#include "emulator/core/analytics_metrics.hpp"

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace flemu {

void AnalyticsMetrics::on_event(const Event& e) {
  const bool user = e.actor.rfind("user-", 0) == 0;
  switch (e.kind) {
    case EventKind::Report:
      user_up += e.bytes;
      bytes_by_user[e.client] += e.bytes;
      user_bytes_by_party[e.party] += e.bytes;
      ++reports;
      ++reports_by_party[e.party];
      break;
    case EventKind::Download:
      if (user) {
        user_down += e.bytes;
        bytes_by_user[e.client] += e.bytes;
        user_bytes_by_party[e.party] += e.bytes;
      } else {
        party_down += e.bytes;
        party_down_by_party[e.party] += e.bytes;
      }
      break;
    case EventKind::Upload:
      party_up += e.bytes;
      party_up_by_party[e.party] += e.bytes;
      break;
    case EventKind::UpdateDropped:
      if (user) ++missed, ++missed_by_party[e.party];
      break;
    case EventKind::Estimate:
      estimates_.push_back(e);
      last_estimate_s = e.time;
      break;
    default:
      break;
  }
}

void AnalyticsMetrics::write_csv(const std::string& path) const {
  std::ofstream out(path);
  out << "time_s,duration_s,actor,party,level,reports,candidates,flops\n";
  for (const auto& e : estimates_)
    out << fmt::format("{},{},{},{},{},{},{},{}\n", e.time, e.time - e.start, e.actor, e.party, e.round, e.count,
                       e.candidates, e.flops);
  if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace flemu

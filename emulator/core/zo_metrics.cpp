#include "emulator/core/zo_metrics.hpp"

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace flemu {

void ZoMetrics::on_event(const Event& e) {
  switch (e.kind) {
    case EventKind::Download: open_.bytes_down += e.bytes; break;
    case EventKind::Upload: open_.bytes_up += e.bytes; break;
    case EventKind::Train:
      open_.queries += e.value;
      open_.flops += e.flops;
      break;
    case EventKind::Evaluate:
      open_.value = e.value;
      open_.gap = e.loss;
      if (e.round == 0 && rows_.empty()) {  // the starting point
        open_.time_s = e.time;
        rows_.push_back(open_);
        open_ = Row{};
      } else if (!rows_.empty() && e.round == rows_.back().round) {  // final evaluation after the loop
        rows_.back().value = e.value;
        rows_.back().gap = e.loss;
        open_.value = open_.gap = NAN;
      }
      break;
    case EventKind::RoundEnd:
      open_.round = e.round;
      open_.time_s = e.time;
      rows_.push_back(open_);
      open_ = Row{};
      break;
    default:
      break;
  }
}

double ZoMetrics::total_queries() const {
  double q = 0;
  for (const auto& r : rows_) q += r.queries;
  return q;
}

void ZoMetrics::write_csv(const std::string& path) const {
  std::ofstream out(path);
  out << "round,time_s,queries,cum_queries,bytes_down,bytes_up,cum_bytes,flops,value,gap\n";
  double q = 0, b = 0;
  auto num = [](double v) { return std::isnan(v) ? std::string() : fmt::format("{}", v); };
  for (const auto& r : rows_) {
    q += r.queries;
    b += r.bytes_down + r.bytes_up;
    out << fmt::format("{},{},{},{},{},{},{},{},{},{}\n", r.round, r.time_s, r.queries, q, r.bytes_down, r.bytes_up, b,
                       r.flops, num(r.value), num(r.gap));
  }
  if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace flemu

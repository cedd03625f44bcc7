#include "emulator/core/round_metrics.hpp"

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "emulator/core/fleet.hpp"

namespace flemu {

RoundMetrics::RoundMetrics(const Fleet* fleet)
    : fleet_(fleet && fleet->measures_energy() ? fleet : nullptr) {}

RoundRow& RoundMetrics::row(int round) {
  // Rounds arrive in order; late uploads (async schedules) may name an older round.
  for (auto it = rows_.rbegin(); it != rows_.rend(); ++it)
    if (it->round == round) return *it;
  rows_.push_back(RoundRow{});
  rows_.back().round = round;
  return rows_.back();
}

void RoundMetrics::on_event(const Event& e) {
  switch (e.kind) {
    case EventKind::RoundStart: {
      auto& r = row(e.round);
      r.start_s = e.time;
      r.selected = e.count;
      if (fleet_) {
        device_energy_at_start_.resize(fleet_->size());
        r.energy_at_start = 0;
        for (int i = 0; i < fleet_->size(); ++i) r.energy_at_start += (device_energy_at_start_[i] = fleet_->energy_j(i));
      }
      break;
    }
    case EventKind::Download: row(e.round).bytes_down += e.bytes; break;
    case EventKind::Train: row(e.round).flops += e.flops; break;
    case EventKind::Upload: {
      auto& r = row(e.round);
      r.bytes_up += e.bytes;
      if (!std::isnan(e.loss)) {
        r.train_loss_sum += e.loss;
        r.train_loss_n++;
      }
      break;
    }
    case EventKind::Evaluate: {
      auto& r = row(e.round);
      r.accuracy = last_accuracy_ = e.accuracy;
      r.loss = last_loss_ = e.loss;
      r.eval_samples = e.count;
      break;
    }
    case EventKind::RoundEnd: {
      auto& r = row(e.round);
      r.time_s = e.time;
      r.updates = e.count;
      if (fleet_) r.energy_j = fleet_->total_energy_j() - r.energy_at_start;
      break;
    }
    case EventKind::UpdateDropped: {
      auto& r = row(e.round);
      r.dropped++;
      if (fleet_ && e.client >= 0 && e.client < static_cast<int>(device_energy_at_start_.size()))
        r.wasted_energy_j += fleet_->energy_j(e.client) - device_energy_at_start_[e.client];
      break;
    }
    case EventKind::SplitUp: row(e.round).bytes_up += e.bytes; break;
    case EventKind::SplitDown: row(e.round).bytes_down += e.bytes; break;
    case EventKind::ServerCompute:
      row(e.round).server_flops += e.flops;
      server_computes_ = true;
      break;
    case EventKind::Aggregate:
    case EventKind::DeviceOff:
    case EventKind::DeviceOn:
    case EventKind::Battery: break;
  }
}

namespace {
std::string num(double x) { return std::isnan(x) ? "" : fmt::format("{}", x); }
}  // namespace

void RoundMetrics::write_csv(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot open for writing");
  out << "round,time_s,duration_s,selected,updates,bytes_down,bytes_up,flops,train_loss,accuracy,loss,eval_samples,"
         "cum_bytes,dropped"
      << (fleet_ ? ",energy_j,wasted_energy_j,cum_energy_j" : "") << (server_computes_ ? ",server_flops" : "")
      << "\n";
  double cum = 0, cum_energy = 0;
  for (const auto& r : rows_) {
    cum += r.bytes_down + r.bytes_up;
    const double train_loss = r.train_loss_n ? r.train_loss_sum / r.train_loss_n : NAN;
    out << r.round << ',' << num(r.time_s) << ',' << num(r.time_s - r.start_s) << ',' << r.selected << ','
        << r.updates << ',' << num(r.bytes_down) << ',' << num(r.bytes_up) << ',' << num(r.flops) << ','
        << num(train_loss) << ',' << num(r.accuracy) << ',' << num(r.loss) << ',' << r.eval_samples << ','
        << num(cum) << ',' << r.dropped;
    if (fleet_) {
      cum_energy += std::isnan(r.energy_j) ? 0 : r.energy_j;
      out << ',' << num(r.energy_j) << ',' << num(r.wasted_energy_j) << ',' << num(cum_energy);
    }
    if (server_computes_) out << ',' << num(r.server_flops);
    out << '\n';
  }
  if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace flemu

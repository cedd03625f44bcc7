#include "emulator/core/round_metrics.hpp"

#include <algorithm>
#include <cmath>
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
    case EventKind::Download: {
      auto& r = row(e.round);
      r.bytes_down += e.bytes;
      if (e.dense_bytes > 0) compressed_ = true, r.dense_bytes_down += e.dense_bytes;
      break;
    }
    case EventKind::Encode:
    case EventKind::Decode: row(e.round).codec_flops += e.flops; break;
    case EventKind::Train: {
      auto& r = row(e.round);
      r.flops += e.flops;
      if (!std::isnan(e.loss)) {  // decentralized nodes report their training loss here (no upload)
        r.train_losses.push_back(e.loss);
      }
      break;
    }
    case EventKind::Upload: {
      auto& r = row(e.round);
      r.bytes_up += e.bytes;
      if (e.dense_bytes > 0) compressed_ = true, r.dense_bytes_up += e.dense_bytes, r.paper_bytes_up += e.paper_bytes;
      if (!std::isnan(e.loss)) {
        r.train_losses.push_back(e.loss);
      }
      break;
    }
    case EventKind::Evaluate: {
      auto& r = row(e.round);
      if (e.client >= 0) {  // a node's own model (decentralized schedules)
        r.node_evals++;
        r.node_acc_sum += e.accuracy;
        r.node_acc_sq += e.accuracy * e.accuracy;
        r.node_acc_min = r.node_evals == 1 ? e.accuracy : std::min(r.node_acc_min, e.accuracy);
        r.node_acc_max = r.node_evals == 1 ? e.accuracy : std::max(r.node_acc_max, e.accuracy);
        break;
      }
      r.accuracy = last_accuracy_ = e.accuracy;
      r.loss = last_loss_ = e.loss;
      r.eval_samples = e.count;
      break;
    }
    case EventKind::RoundEnd: {
      auto& r = row(e.round);
      r.time_s = e.time;
      r.updates = e.count;
      r.closed = true;
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
    case EventKind::Collective:
    case EventKind::Send: row(e.round).bytes_up += e.bytes; break;
    case EventKind::Gossip: {
      auto& r = row(e.round);
      decentralized_ = true;
      r.bytes_up += e.bytes;
      r.messages += std::max(0, e.count);
      break;
    }
    case EventKind::Consensus: {
      auto& r = row(e.round);
      decentralized_ = true;
      r.consensus = e.consensus;
      r.optimum_distance = e.optimum_distance;
      break;
    }
    case EventKind::SplitUp: row(e.round).bytes_up += e.bytes; break;
    case EventKind::SplitDown: row(e.round).bytes_down += e.bytes; break;
    case EventKind::ServerCompute:
      row(e.round).server_flops += e.flops;
      server_computes_ = true;
      break;
    case EventKind::Report:    // analytics and zeroth-order runs have their own metrics
    case EventKind::Estimate:  // (analytics_metrics.hpp, zo_metrics.hpp)
    case EventKind::Result:
    case EventKind::Aggregate:
    case EventKind::DeviceOff:
    case EventKind::DeviceOn:
    case EventKind::DiskRead:  // a device's own disk, not the network
    case EventKind::Battery: break;
  }
}

std::vector<RoundRow> RoundMetrics::closed_rows() const {
  std::vector<RoundRow> out;
  for (const auto& r : rows_)
    if (r.closed) out.push_back(r);
  return out;
}

namespace {
std::string num(double x) { return std::isnan(x) ? "" : fmt::format("{}", x); }
}  // namespace

void RoundMetrics::write_csv(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot open for writing");
  out << "round,time_s,duration_s,selected,updates,bytes_down,bytes_up,flops,train_loss,accuracy,loss,eval_samples,"
         "cum_bytes,dropped"
      << (fleet_ ? ",energy_j,wasted_energy_j,cum_energy_j" : "")
      << (decentralized_ ? ",consensus_distance,optimum_distance,node_accuracy_mean,node_accuracy_min,"
                           "node_accuracy_max,node_accuracy_std,messages"
                         : "")
      << (compressed_ ? ",dense_bytes_down,dense_bytes_up,compression_ratio,paper_bytes_up,codec_flops" : "")
      << (server_computes_ ? ",server_flops" : "")
      << "\n";
  double cum = 0, cum_energy = 0;
  for (const auto& r : closed_rows()) {
    cum += r.bytes_down + r.bytes_up;
    double train_loss = NAN;
    if (!r.train_losses.empty()) {
      std::vector<double> losses = r.train_losses;
      std::sort(losses.begin(), losses.end());
      double sum = 0;
      for (double l : losses) sum += l;
      train_loss = sum / static_cast<double>(losses.size());
    }
    out << r.round << ',' << num(r.time_s) << ',' << num(r.time_s - r.start_s) << ',' << r.selected << ','
        << r.updates << ',' << num(r.bytes_down) << ',' << num(r.bytes_up) << ',' << num(r.flops) << ','
        << num(train_loss) << ',' << num(r.accuracy) << ',' << num(r.loss) << ',' << r.eval_samples << ','
        << num(cum) << ',' << r.dropped;
    if (fleet_) {
      cum_energy += std::isnan(r.energy_j) ? 0 : r.energy_j;
      out << ',' << num(r.energy_j) << ',' << num(r.wasted_energy_j) << ',' << num(cum_energy);
    }
    if (decentralized_) {
      const double n = r.node_evals;
      const double mean = n > 0 ? r.node_acc_sum / n : NAN;
      const double var = n > 0 ? std::max(0.0, r.node_acc_sq / n - mean * mean) : NAN;
      out << ',' << num(r.consensus) << ',' << num(r.optimum_distance) << ',' << num(mean) << ','
          << num(r.node_acc_min) << ',' << num(r.node_acc_max) << ',' << num(n > 0 ? std::sqrt(var) : NAN) << ','
          << r.messages;
    }
    if (compressed_)
      out << ',' << num(r.dense_bytes_down) << ',' << num(r.dense_bytes_up) << ','
          << num(r.bytes_up > 0 ? r.dense_bytes_up / r.bytes_up : NAN) << ',' << num(r.paper_bytes_up) << ','
          << num(r.codec_flops);
    if (server_computes_) out << ',' << num(r.server_flops);
    out << '\n';
  }
  if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace flemu

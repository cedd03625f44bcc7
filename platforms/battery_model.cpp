#include "platforms/battery_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace flemu {

namespace {

/// Measure of [origin, t] ∩ (union over k of [start + k*period, start + k*period + length)),
/// signed so that F(b) - F(a) is the overlap with [a, b] for any a <= b.
double periodic_cumulative(double t, double start, double length, double period) {
  const double x = t - start;
  const double k = std::floor(x / period);
  const double into = x - k * period;  // in [0, period)
  return k * length + std::min(std::max(into, 0.0), length);
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("BatterySpec: " + what);
}

}  // namespace

double window_overlap(const ChargingWindow& w, double from_s, double to_s) {
  if (!(to_s > from_s)) return 0.0;
  const double length = w.end_s - w.start_s;
  if (w.period_s <= 0) return std::max(0.0, std::min(to_s, w.end_s) - std::max(from_s, w.start_s));
  return periodic_cumulative(to_s, w.start_s, length, w.period_s) -
         periodic_cumulative(from_s, w.start_s, length, w.period_s);
}

double charging_energy(const std::vector<ChargingWindow>& windows, double from_s, double to_s) {
  double e = 0;
  for (const auto& w : windows) e += w.power_w * window_overlap(w, from_s, to_s);
  return e;
}

BatteryModel::BatteryModel(const BatterySpec& spec) : spec_(spec) {
  check(std::isfinite(spec.capacity_j) && spec.capacity_j > 0, "capacity_j must be a positive number of joules");
  check(spec.initial_fraction >= 0 && spec.initial_fraction <= 1, "initial_fraction must be in [0, 1]");
  check(spec.floor_fraction >= 0 && spec.floor_fraction <= 1, "floor_fraction must be in [0, 1]");
  for (size_t i = 0; i < spec.charging.size(); ++i) {
    const auto& w = spec.charging[i];
    const std::string where = "charging[" + std::to_string(i) + "].";
    check(std::isfinite(w.start_s) && std::isfinite(w.end_s) && w.end_s > w.start_s,
          where + "end_s must be after start_s");
    check(std::isfinite(w.period_s) && w.period_s >= 0, where + "period_s must be >= 0");
    check(w.period_s == 0 || w.period_s >= w.end_s - w.start_s,
          where + "period_s must be 0 or at least the window length");
    check(std::isfinite(w.power_w) && w.power_w >= 0, where + "power_w must be >= 0");
  }
  charge_j_ = spec.initial_fraction * spec.capacity_j;
}

void BatteryModel::advance(double now_s, double consumed_j_since_last) {
  if (now_s < last_s_)
    throw std::invalid_argument("BatteryModel::advance: time " + std::to_string(now_s) +
                                " s is before the last update " + std::to_string(last_s_) + " s");
  if (!(consumed_j_since_last >= 0))
    throw std::invalid_argument("BatteryModel::advance: consumed energy must be >= 0 J");
  const double gained = charging_energy(spec_.charging, last_s_, now_s);
  charge_j_ = std::clamp(charge_j_ - consumed_j_since_last + gained, 0.0, spec_.capacity_j);
  last_s_ = now_s;
}

double BatteryModel::time_to_level(double now_s, double power_w, double level_j) const {
  if (now_s < last_s_) throw std::invalid_argument("BatteryModel: time is before the last update");
  if (!(power_w >= 0)) throw std::invalid_argument("BatteryModel: power must be >= 0 W");
  const double charge =
      std::min(charge_j_ + charging_energy(spec_.charging, last_s_, now_s), spec_.capacity_j);
  if (charge <= level_j) return 0.0;
  if (power_w == 0) return std::numeric_limits<double>::infinity();
  return (charge - level_j) / power_w;
}

double BatteryModel::time_to_floor(double now_s, double power_w) const {
  return time_to_level(now_s, power_w, floor_j());
}

double BatteryModel::time_to_empty(double now_s, double power_w) const {
  return time_to_level(now_s, power_w, 0.0);
}

bool BatteryModel::charging_at(double t) const {
  for (const auto& w : spec_.charging) {
    if (w.period_s <= 0) {
      if (t >= w.start_s && t < w.end_s) return true;
    } else {
      const double x = t - w.start_s;
      const double into = x - std::floor(x / w.period_s) * w.period_s;
      if (into < w.end_s - w.start_s) return true;
    }
  }
  return false;
}

}  // namespace flemu

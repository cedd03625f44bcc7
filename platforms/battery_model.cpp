#include "platforms/battery_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace flemu {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

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

bool covers(const ChargingWindow& w, double t) {
  if (w.period_s <= 0) return t >= w.start_s && t < w.end_s;
  const double x = t - w.start_s;
  const double into = x - std::floor(x / w.period_s) * w.period_s;
  return into < w.end_s - w.start_s;
}

double next_boundary(const ChargingWindow& w, double t) {
  if (w.period_s <= 0) return t < w.start_s ? w.start_s : t < w.end_s ? w.end_s : kInf;
  const double length = w.end_s - w.start_s;
  const double k = std::floor((t - w.start_s) / w.period_s);
  // The boundaries of occurrences k and k+1; the first strictly after t (rounding may put the
  // computed k one off, hence the scan over a few candidates).
  double best = kInf;
  for (double j = k - 1; j <= k + 2; ++j) {
    const double s = w.start_s + j * w.period_s;
    for (double b : {s, s + length})
      if (b > t) best = std::min(best, b);
  }
  return best;
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
  check(spec.floor_fraction >= 0 && spec.floor_fraction < 1, "floor_fraction must be in [0, 1)");
  resume_fraction_ = spec.resume_fraction < 0 ? std::min(1.0, spec.floor_fraction + 0.01) : spec.resume_fraction;
  check(resume_fraction_ > spec.floor_fraction && resume_fraction_ <= 1, "resume_fraction must be in (floor_fraction, 1]");
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

bool BatteryModel::charging_at(double t) const {
  return std::any_of(spec_.charging.begin(), spec_.charging.end(), [t](const auto& w) { return covers(w, t); });
}

double BatteryModel::charging_power_at(double t) const {
  double p = 0;
  for (const auto& w : spec_.charging)
    if (covers(w, t)) p += w.power_w;
  return p;
}

double BatteryModel::next_window_boundary(double t) const {
  double b = kInf;
  for (const auto& w : spec_.charging) b = std::min(b, next_boundary(w, t));
  return b;
}

double BatteryModel::advance(double now_s, double draw_w) {
  if (now_s < last_s_)
    throw std::invalid_argument("BatteryModel::advance: time " + std::to_string(now_s) +
                                " s is before the last update " + std::to_string(last_s_) + " s");
  if (!(draw_w >= 0) || !std::isfinite(draw_w))
    throw std::invalid_argument("BatteryModel::advance: the draw must be a finite power >= 0 W");
  const double cap = spec_.capacity_j;
  double t = last_s_, q = charge_j_, delivered = 0, charged = 0;
  while (t < now_s) {
    const double b = std::min(now_s, next_window_boundary(t));
    const double c = charging_power_at(t);  // constant on [t, b)
    const double dt = b - t, net = c - draw_w;
    if (net > 0 && q + net * dt > cap) {  // full before b: the charger then covers the draw only
      const double to_full = (cap - q) / net;
      charged += c * to_full + draw_w * (dt - to_full);
      delivered += draw_w * dt;
      q = cap;
    } else if (net < 0 && q + net * dt < 0) {  // empty before b: the device gets only the charger's power
      const double to_empty = q / -net;
      charged += c * dt;
      delivered += draw_w * to_empty + c * (dt - to_empty);
      q = 0;
    } else {
      charged += c * dt;
      delivered += draw_w * dt;
      q = std::clamp(q + net * dt, 0.0, cap);
    }
    t = b;
  }
  charge_j_ = q;
  charged_j_ += charged;
  delivered_j_ += delivered;
  last_s_ = now_s;
  return delivered;
}

void BatteryModel::settle_at(double level_j) {
  delivered_j_ += charge_j_ - level_j;
  charge_j_ = level_j;
}

double BatteryModel::time_to_level(double draw_w, double level_j, bool falling, double horizon_s, bool* found) const {
  if (!(draw_w >= 0) || !std::isfinite(draw_w))
    throw std::invalid_argument("BatteryModel::time_to_level: the draw must be a finite power >= 0 W");
  if (found) *found = true;
  const double cap = spec_.capacity_j;
  double t = last_s_, q = charge_j_;
  if (falling ? q <= level_j : q >= level_j) return t;
  if (!falling && level_j > cap) return kInf;
  // Walk the pieces of constant charging power; without windows there is one, unbounded.
  for (int pieces = 0; pieces < 100000; ++pieces) {
    const double b = next_window_boundary(t);
    const double net = charging_power_at(t) - draw_w;
    if (falling && net < 0) {
      const double hit = t + (q - level_j) / -net;
      if (hit <= b) return hit;
    } else if (!falling && net > 0) {
      const double hit = t + (level_j - q) / net;
      if (hit <= b) return hit;
    }
    if (b == kInf) return kInf;  // the last piece moves the wrong way (or not at all)
    if (b >= horizon_s) break;
    q = std::clamp(q + net * (b - t), 0.0, cap);
    t = b;
  }
  if (found) *found = false;
  return std::max(t, std::min(horizon_s, next_window_boundary(t)));
}

}  // namespace flemu

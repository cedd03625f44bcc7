// A device battery: charge bookkeeping in joules, drained by what the device consumed and
// refilled by charging windows (a phone on its charger every night).
//
// Why our own: SimGrid 3.32 has no battery plugin (it arrived in 3.34), so the emulator
// measures energy with the host-energy plugin and feeds it here. Pure arithmetic: no SimGrid,
// no clock of its own. The caller owns the simulated time and calls advance() with it.
//
// Units: energy in J, power in W, times in s (simulated time since the start of the run).
//
// Model, between two calls advance(t0, E) then advance(t1, E') :
//   charge(t1) = clamp(charge(t0) - E' + sum_w power_w * |[t0, t1] ∩ window_w|, 0, capacity)
// i.e. drain and charging over the interval are netted, then clamped once (a device that
// computes while plugged in is powered by its charger first). Overlapping windows add their
// powers. A device participates while its charge is strictly above the floor.
#pragma once
#include <vector>

namespace flemu {

/// A time span during which the device is plugged in.
struct ChargingWindow {
  double start_s = 0;   ///< first instant of the window, s
  double end_s = 0;     ///< end of the window (exclusive), s; must be > start_s
  /// Repetition period, s: 0 = the window happens once; 86400 = daily. A periodic window
  /// repeats forever in both directions (start + k*period for every integer k), so a nightly
  /// window 22:00-07:00 is written start_s = 79200, end_s = 111600 and also covers 00:00-07:00
  /// of the first day. Must be >= end_s - start_s (occurrences of a window never overlap).
  double period_s = 0;
  double power_w = 0;   ///< charging power while plugged in, W; >= 0
};

struct BatterySpec {
  double capacity_j = 0;           ///< full charge, J; > 0 (10 Wh = 36000 J)
  double initial_fraction = 1.0;   ///< charge at t = 0 as a fraction of capacity, in [0, 1]
  double floor_fraction = 0.0;     ///< at or below this fraction the device stops participating, in [0, 1]
  std::vector<ChargingWindow> charging;  ///< when the device charges (none = never)
};

/// Energy in J that `windows` deliver during [from_s, to_s] (0 if to_s <= from_s).
double charging_energy(const std::vector<ChargingWindow>& windows, double from_s, double to_s);

/// Seconds of [from_s, to_s] that fall inside `window` (or its repetitions).
double window_overlap(const ChargingWindow& window, double from_s, double to_s);

class BatteryModel {
 public:
  /// Validates `spec` (throws std::invalid_argument naming the bad field) and starts at t = 0
  /// with initial_fraction * capacity.
  explicit BatteryModel(const BatterySpec& spec);

  const BatterySpec& spec() const { return spec_; }
  double capacity_j() const { return spec_.capacity_j; }
  double floor_j() const { return spec_.floor_fraction * spec_.capacity_j; }
  /// Charge as of the last advance(), J.
  double charge_j() const { return charge_j_; }
  /// charge_j() / capacity_j(), in [0, 1].
  double fraction() const { return charge_j_ / spec_.capacity_j; }
  /// True while charge > floor: the device may participate.
  bool above_floor() const { return charge_j_ > floor_j(); }
  /// True when the charge is 0.
  bool empty() const { return charge_j_ <= 0.0; }
  /// Simulated time of the last advance() (0 at construction), s.
  double last_update_s() const { return last_s_; }

  /// Moves the battery from the last update time to `now_s`: removes `consumed_j_since_last`
  /// (J the device used meanwhile, >= 0), adds the charging energy delivered meanwhile, and
  /// clamps to [0, capacity]. Throws std::invalid_argument if now_s is before the last update
  /// or the consumption is negative.
  void advance(double now_s, double consumed_j_since_last);

  /// Seconds from `now_s` until the charge reaches the floor when drawing `power_w` W from
  /// now on and ignoring charging after now_s. The charge at now_s is charge_j() plus the
  /// charging delivered since the last update (exact when advance(now_s, ...) was just
  /// called). 0 if already at or below the floor; +inf if power_w == 0. Throws
  /// std::invalid_argument for negative power or now_s before the last update.
  double time_to_floor(double now_s, double power_w) const;
  /// Same as time_to_floor() with the floor at 0 J.
  double time_to_empty(double now_s, double power_w) const;

  /// True if some charging window covers time t (windows are [start, end)).
  bool charging_at(double t) const;

 private:
  double time_to_level(double now_s, double power_w, double level_j) const;

  BatterySpec spec_;
  double charge_j_ = 0;
  double last_s_ = 0;
};

}  // namespace flemu

// A device battery: charge bookkeeping in joules, drained by what the device draws and
// refilled by charging windows (a phone on its charger every night).
//
// Why our own: SimGrid 3.32 has no battery plugin (it arrived in 3.34). Pure arithmetic: no
// SimGrid, no clock of its own; the caller owns the simulated time and the device's power
// draw, which is constant between two calls (emulator/core/fleet.hpp makes it so).
//
// Units: energy in J, power in W, times in s (simulated time since the start of the run).
//
// Model, exact for a draw P constant on [t0, t1]: the charging windows cut the interval into
// pieces of constant charging power C; on each piece the charge moves at C - P, and
//   - stops at the capacity: the charger then powers the device, its surplus is lost;
//   - stops at 0: the device then gets only the charger's power (it is off by then: it
//     switches off at its floor, which is >= 0).
// Overlapping windows add their powers. The books always balance:
//   charge(t) = charge(0) + charged_j(t) - delivered_j(t).
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
  double floor_fraction = 0.0;     ///< at or below this fraction the device stops participating, in [0, 1)
  /// A device that stopped at its floor comes back once charging lifts it to this fraction,
  /// in (floor, 1]; < 0: floor + 0.01 (capped at 1). Without this margin a device charging
  /// more slowly than it draws would switch on and off endlessly at the floor.
  double resume_fraction = -1;
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
  double resume_j() const { return resume_fraction_ * spec_.capacity_j; }
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
  /// Energy taken from chargers since t = 0 (stored, or powering the device while full), J.
  double charged_j() const { return charged_j_; }
  /// Energy the device got since t = 0, J.
  double delivered_j() const { return delivered_j_; }

  /// Moves the battery from the last update to `now_s` while the device asks for `draw_w` W
  /// (constant over the interval), as the model above says. Returns the energy the device
  /// got over the interval, J (draw_w x duration unless the battery ran empty). Throws
  /// std::invalid_argument if now_s is before the last update or the draw is negative.
  double advance(double now_s, double draw_w);

  /// Sets the charge to `level_j` (a crossing found by time_to_level(), reached up to
  /// rounding): the books stay balanced through delivered_j. |level - charge| must be tiny.
  void settle_at(double level_j);

  /// The first time >= last_update_s() at which the charge, moving as advance() would with
  /// a constant draw of `draw_w`, reaches `level_j` going down (`falling`) or up. +inf when it
  /// never does; `horizon_s` bounds the search through charging windows: when the answer is
  /// not found before it, returns horizon_s and sets *found = false (ask again from there).
  double time_to_level(double draw_w, double level_j, bool falling, double horizon_s, bool* found = nullptr) const;

  /// True if some charging window covers time t (windows are [start, end)).
  bool charging_at(double t) const;
  /// Sum of the powers of the windows covering t, W.
  double charging_power_at(double t) const;
  /// The first window start or end strictly after t; +inf if none.
  double next_window_boundary(double t) const;

 private:
  BatterySpec spec_;
  double resume_fraction_ = 0;
  double charge_j_ = 0;
  double last_s_ = 0;
  double charged_j_ = 0;
  double delivered_j_ = 0;
};

}  // namespace flemu

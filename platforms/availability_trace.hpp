// When each device is switched on (reachable, willing to train) and off: per-device on/off
// schedules, read from CSV (format: AVAILABILITY_FORMAT.md beside this file), generated from
// a seed, and turned into the text of a SimGrid state profile.
//
// Pure: no SimGrid headers here. The emulator hands to_simgrid_profile()'s text to
// simgrid::kernel::profile::ProfileBuilder::from_string() and sets it as the host's state
// profile (s4u::Host::set_state_profile).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "workloads/rng.hpp"

namespace flemu {

struct AvailabilityTrace {
  /// (time in s, on) pairs, strictly increasing in time, the first at t = 0: the device is
  /// `on` from each time until the next change. Empty = always on.
  std::vector<std::pair<double, bool>> changes;

  /// State at time t (the last change at or before t; before 0, the state at 0).
  bool on_at(double t) const;
  /// Fraction of [0, horizon_s) the device is on (1 for an empty trace). horizon_s > 0.
  double on_fraction(double horizon_s) const;
};

/// Reads `device,time,state` rows (header line required; see AVAILABILITY_FORMAT.md).
/// time: seconds as a plain number ("1800", "2.5") or a duration with unit ("30min").
/// state: on | off | 1 | 0. Rows of a device must have strictly increasing times; a device
/// whose first row is after 0 is on before it. Throws std::runtime_error
/// "<path>:<line>: expected ..." on a malformed line and "<path>: cannot open" if unreadable.
std::map<std::string, AvailabilityTrace> read_availability_csv(const std::string& path);

/// Writes `traces` in the format read_availability_csv() reads (states as on/off, times as
/// seconds with the shortest text that reads back to the same double), devices in map order.
/// Throws std::runtime_error "<path>: cannot write" on failure.
void write_availability_csv(const std::string& path, const std::map<std::string, AvailabilityTrace>& traces);

/// Alternating on and off periods of exponential lengths (means mean_on_s and mean_off_s,
/// both > 0) from t = 0 in state `start_on`, with the changes before horizon_s. Long-run on
/// fraction mean_on / (mean_on + mean_off). Deterministic given the arguments.
AvailabilityTrace exponential_on_off(double mean_on_s, double mean_off_s, double horizon_s, uint64_t seed,
                                     bool start_on = true);

/// On during [phase_s + k*period_s, phase_s + k*period_s + on_fraction*period_s) for every
/// integer k, off otherwise; the changes before horizon_s. period_s > 0 (86400 = a day),
/// on_fraction in [0, 1] (0 = always off, 1 = always on).
AvailabilityTrace diurnal(double period_s, double on_fraction, double phase_s, double horizon_s);

/// diurnal() with the phase drawn uniformly in [0, period_s) from `seed`: give each device its
/// own seed (derive_seed(scenario seed, SeedStream::Availability, {device})) and devices
/// spread over time zones/habits.
AvailabilityTrace diurnal_with_jitter(double period_s, double on_fraction, double horizon_s, uint64_t seed);

/// A device's availability changes one at a time, as far as a run reaches: memory stays one
/// object per device whatever the rate of changes and the length of the run. Yields exactly
/// the changes of the functions above (the first at t = 0), then (+inf, state) when none is
/// left (a trace read from a file ends).
class AvailabilityStream {
 public:
  static AvailabilityStream of_trace(AvailabilityTrace trace);
  static AvailabilityStream exponential(double mean_on_s, double mean_off_s, uint64_t seed, bool start_on = true);
  static AvailabilityStream diurnal(double period_s, double on_fraction, double phase_s);
  static AvailabilityStream diurnal_with_jitter(double period_s, double on_fraction, uint64_t seed);
  /// The next change: (time, on).
  std::pair<double, bool> next();

 private:
  enum class Kind { Trace, Exponential, Diurnal } kind_ = Kind::Trace;
  AvailabilityTrace trace_;
  size_t index_ = 0;
  Rng rng_{0};
  double mean_on_ = 0, mean_off_ = 0, period_ = 0, on_len_ = 0, phase_ = 0;
  double t_ = 0, k_ = 0;
  bool on_ = true, started_ = false;
  int half_ = 0;  ///< diurnal: 0 = the cycle's start (on) next, 1 = its end (off)
};

/// Text for SimGrid's ProfileBuilder::from_string(name, text, periodicity) as a host state
/// profile: one line "<time> <value>" per change, time in s (absolute, increasing), value 1 =
/// on, 0 = off; e.g. "0 1\n3600 0\n7200 1\n". Pass periodicity -1 (no repetition) unless the
/// trace is meant to loop. An empty trace gives "0 1\n". Checked against SimGrid 3.32: a host
/// given this profile by Host::set_state_profile is off exactly between the 0-lines' times
/// and the next 1-line.
std::string to_simgrid_profile(const AvailabilityTrace& trace);

}  // namespace flemu

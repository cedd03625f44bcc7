// The devices at run time: whether each is on, its battery, the energy it used, and the
// controller that drives availability and battery over simulated time.
//
// Why a controller actor rather than SimGrid state profiles: a device is on only when its
// availability trace says so AND its battery is above the floor; one actor that owns both
// decisions keeps them consistent (a profile would switch a device with an empty battery
// back on). The controller is a daemon on the server host: it never keeps a run alive.
// Turning a host off kills the client actors on it (SimGrid), whose in-flight work is lost.
#pragma once
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "emulator/core/event.hpp"
#include "platforms/availability_trace.hpp"
#include "platforms/battery_model.hpp"
#include "platforms/platform_spec.hpp"
#include "platforms/star_platform.hpp"

namespace flemu {

class Fleet {
 public:
  /// `horizon_s`: how far generated availability traces reach (devices keep their last state
  /// after it).
  Fleet(const std::vector<DeviceSpec>& devices, const StarPlatform& platform, const PlatformSpec& spec, uint64_t seed,
        double horizon_s, EventBus& bus);

  int size() const { return static_cast<int>(devices_.size()); }
  /// On, and with a battery above its floor.
  bool can_participate(int i) const;
  /// Battery charge fraction as of the last controller step; 1 without battery.
  double charge_fraction(int i) const;
  /// "battery" or "offline": why device i is off.
  std::string off_reason(int i) const;

  /// Energy device i used since t=0: compute (host) and radio (its two links), J.
  double compute_energy_j(int i) const;
  double radio_energy_j(int i) const;
  double energy_j(int i) const { return compute_energy_j(i) + radio_energy_j(i); }
  double total_energy_j() const;
  bool measures_energy() const { return platform_.energy; }
  bool has_battery(int i) const { return state_[i].battery.has_value(); }

  /// Whether anything changes over time (then the controller must run).
  bool dynamic() const { return !changes_.empty() || batteries_ > 0; }
  /// The controller's body (run as a daemon actor on the server host).
  void run_controller();
  /// At the end of the run (`now`: the final simulated time): brings every battery up to date
  /// with the energy used since the controller's last step, so that devices.csv reports the
  /// charge at the end; reports each battery whose charge moved. Switches no host.
  void settle_batteries(double now);

 private:
  struct DeviceState {
    std::optional<BatteryModel> battery;
    bool available = true;     ///< per the availability trace
    bool battery_dead = false; ///< at or below the floor
    double energy_at_last_step = 0;
    double last_reported_fraction = -1;
    double max_power_w = 0;
  };
  struct Change {
    double time;
    int device;
    bool on;
    bool operator>(const Change& o) const { return time != o.time ? time > o.time : device > o.device; }
  };

  void apply_host_state(int i, const char* reason);
  /// Takes from device i's battery the energy it used since the last step.
  void drain_battery(int i, double now);
  void step_batteries(double now);
  double next_battery_check(double now) const;
  void report_battery(int i, double now, bool force);

  std::vector<DeviceSpec> devices_;
  const StarPlatform& platform_;
  EventBus& bus_;
  std::vector<DeviceState> state_;
  std::priority_queue<Change, std::vector<Change>, std::greater<Change>> changes_;
  int batteries_ = 0;
};

}  // namespace flemu

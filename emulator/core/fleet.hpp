// The devices at run time: whether each is on, its battery, the energy it used, and the
// controller that drives availability and batteries over simulated time.
//
// Energy is metered here, exactly: a device's draw is constant between two SimGrid events that
// touch it, so the fleet integrates draw x time piecewise. Whatever may change a device's draw
// (a transfer or a computation starting, paying its latency or ending; a link changing
// bandwidth; a client killed) calls activity_changed() at that instant; the fleet books the
// old draw up to now, and reads the new one (host load, link usage) once SimGrid has shared
// its resources among what started at that instant. Host power: idle + (busy - idle) x the
// share of its cores in use, off power while off. Radio power, while on: radio_idle + (send -
// radio_idle) x the uplink's use + (receive - radio_idle) x the downlink's use (use = load /
// bandwidth, SimGrid's own measure, which includes LV08's reverse traffic).
//
// Why not SimGrid's energy plugins: the link plugin books an interval at the power of its
// end, misses rate changes caused by other flows, counts the latency as busy, and knows
// nothing of a host being off (FACTS.md: "about 2% off"); batteries need the exact draw.
//
// Batteries are event-driven: from the current draw and the charging windows the fleet
// computes the instant a battery reaches its floor (or, charging, its resume level; or the
// next 2% step reported in the trace) and wakes exactly then: a device switches off with its
// charge at the floor, draws only its off power afterwards, and its books balance
// (platforms/battery_model.hpp). A device is on only when its availability trace says so AND
// its battery is above the floor; one controller actor owns both decisions. It is a daemon on
// the server host: it never keeps a run alive. Turning a host off kills the client actors on
// it (SimGrid), whose in-flight work is lost.
//
// Observers (FleetObserver) hear of every device switched on or off: servers wake on it
// instead of polling, and indexes of idle devices can follow it.
#pragma once
#include <algorithm>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include <simgrid/s4u.hpp>

#include "emulator/core/event.hpp"
#include "platforms/availability_trace.hpp"
#include "platforms/battery_model.hpp"
#include "platforms/platform_spec.hpp"
#include "platforms/star_platform.hpp"

namespace flemu {

/// Told of devices switched on or off. Called in the actor that switched them (the fleet's
/// controller), at the simulated time of the change: observers may release semaphores or
/// record, never block.
class FleetObserver {
 public:
  virtual ~FleetObserver() = default;
  /// `device` went on (`on`) or off; `reason` is "online", "offline", "battery" or "charged".
  virtual void on_device_state(int device, bool on, const std::string& reason) = 0;
};

class Fleet {
 public:
  /// `horizon_s`: how far ahead battery crossings are searched for at once (a device charging
  /// every night may never reach its floor; the search resumes from there).
  Fleet(const std::vector<DeviceSpec>& devices, const StarPlatform& platform, const PlatformSpec& spec, uint64_t seed,
        double horizon_s, EventBus& bus);

  int size() const { return static_cast<int>(devices_.size()); }
  /// On, and with a battery above its floor.
  bool can_participate(int i) const;
  /// Battery charge fraction now; 1 without battery.
  double charge_fraction(int i) const;
  /// "battery" or "offline": why device i is off.
  std::string off_reason(int i) const;

  /// Energy device i used since t=0, up to now: compute (host) and radio (its links), J.
  double compute_energy_j(int i) const;
  double radio_energy_j(int i) const;
  double energy_j(int i) const { return compute_energy_j(i) + radio_energy_j(i); }
  double total_energy_j() const;
  /// Energy device i's battery took from chargers, J (0 without battery).
  double charged_j(int i) const;
  /// Some device has a power model.
  bool measures_energy() const { return measures_energy_; }
  bool has_battery(int i) const { return state_[i].battery.has_value(); }

  void subscribe(FleetObserver* observer) { observers_.push_back(observer); }
  /// Stops telling `observer` (before it is destroyed while the fleet lives on).
  void unsubscribe(FleetObserver* observer) {
    observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
  }

  /// Whether transfers and computations of `device` must report to activity_changed().
  bool wants_activity(int device) const { return measures_energy_ && (shared_link_ || metered_[device]); }
  /// Something that may change `device`'s draw happens now (actor context, before SimGrid
  /// re-shares its resources): books the draw so far and has the new one read. With a shared
  /// server link, every device with a flow in progress is read again too.
  void activity_changed(int device);
  /// Bookkeeping of flows in progress (no simcall: also called while a killed actor unwinds).
  void flow_started(int device);
  void flow_ended(int device);

  /// Whether devices can go off during the run (availability changes or batteries).
  bool dynamic() const { return dynamic_; }
  /// Whether the controller must run (devices that change, or energy to meter).
  bool needs_controller() const { return dynamic_ || measures_energy_; }
  /// The controller's body (run as a daemon actor on the server host).
  void run_controller();
  /// At the end of the run (`now`: the final simulated time): books every device's energy up
  /// to now and reports each battery whose charge moved. Switches no host.
  void settle(double now);
  /// Called by a server actor before it looks at who can take part: returns once every
  /// availability change due at this instant has been applied. SimGrid interleaves the actors
  /// of one instant, so a server woken by the first of twenty devices that come on at 720 s
  /// would otherwise see one of them (and one that goes off at 600 s could still be picked).
  void await_changes_due_now();

 private:
  struct Meter {
    double t = 0;                       ///< booked up to this time
    double host_w = 0, radio_w = 0;     ///< draw since t
    double host_j = 0, radio_j = 0;     ///< booked energy
  };
  struct DeviceState {
    std::optional<BatteryModel> battery;
    bool available = true;      ///< per the availability trace
    bool battery_dead = false;  ///< reached its floor, not yet back to its resume level
    double reported_fraction = -1;
    uint64_t plan_version = 0;
    Meter meter;
  };
  struct Change {
    double time;
    int device;
    bool on;
    bool operator>(const Change& o) const { return time != o.time ? time > o.time : device > o.device; }
  };
  struct Wake {  ///< a planned battery crossing
    double time;
    int device;
    uint64_t version;
    bool operator>(const Wake& o) const { return time != o.time ? time > o.time : device > o.device; }
  };

  void apply_host_state(int i, const char* reason);
  /// Queues device i's next availability change.
  void queue_next_change(int i);
  void accrue(int i, double now) const;
  void touch(int i, double now);
  void read_draw(int i);
  void plan(int i);
  void battery_due(int i, double now);
  void report_battery(int i, double now, bool force);
  double next_wake() ;

  std::vector<DeviceSpec> devices_;
  const StarPlatform& platform_;
  EventBus& bus_;
  double horizon_s_;
  mutable std::vector<DeviceState> state_;  // meters and batteries are brought up to date on reads
  std::vector<char> metered_;
  bool measures_energy_ = false;
  bool dynamic_ = false;
  bool shared_link_ = false;
  std::vector<AvailabilityStream> availability_;  ///< per device with an availability model
  std::vector<int> stream_of_;                     ///< device -> index in availability_, or -1
  std::priority_queue<Change, std::vector<Change>, std::greater<Change>> changes_;  ///< one per device at most
  std::priority_queue<Wake, std::vector<Wake>, std::greater<Wake>> wakes_;
  int batteries_ = 0;
  std::vector<FleetObserver*> observers_;
  std::vector<int> flows_;       ///< flows in progress per device
  std::set<int> flowing_;        ///< devices with a flow in progress
  std::vector<char> dirty_;      ///< draw to be read again
  std::vector<int> dirty_list_;
  simgrid::s4u::MutexPtr mutex_;
  simgrid::s4u::ConditionVariablePtr wake_;
};

}  // namespace flemu

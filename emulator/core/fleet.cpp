#include "emulator/core/fleet.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>
#include <spdlog/spdlog.h>

#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

namespace {
// Battery checks: never less often than every max step, never more often than the min step
// (so a device may overshoot its floor by at most min step x its peak power).
constexpr double kMinBatteryStep = 1.0, kMaxBatteryStep = 60.0;
constexpr double kReportEvery = 0.02;  // battery events when the charge moved by 2% of capacity
}  // namespace

Fleet::Fleet(const std::vector<DeviceSpec>& devices, const StarPlatform& platform, const PlatformSpec& spec,
             uint64_t seed, double horizon_s, EventBus& bus)
    : devices_(devices), platform_(platform), bus_(bus), state_(devices.size()) {
  std::map<std::string, AvailabilityTrace> from_file;
  if (!spec.availability_trace.empty()) from_file = read_availability_csv(spec.availability_trace);
  for (size_t i = 0; i < devices_.size(); ++i) {
    const auto& d = devices_[i];
    auto& s = state_[i];
    if (d.battery) {
      s.battery.emplace(*d.battery);
      ++batteries_;
      s.max_power_w = std::max(d.power.busy_w, d.power.idle_w) + d.power.send_w + d.power.receive_w;
    }
    AvailabilityTrace trace;
    const uint64_t dev_seed = derive_seed(seed, SeedStream::Availability, {uint64_t(i)});
    if (auto it = from_file.find(d.name); it != from_file.end()) {
      trace = it->second;
    } else if (d.availability.kind == AvailabilitySpec::Exponential) {
      trace = exponential_on_off(d.availability.mean_on_s, d.availability.mean_off_s, horizon_s, dev_seed);
    } else if (d.availability.kind == AvailabilitySpec::Diurnal) {
      trace = diurnal_with_jitter(d.availability.period_s, d.availability.on_fraction, horizon_s, dev_seed);
    }
    for (const auto& [t, on] : trace.changes) changes_.push({t, static_cast<int>(i), on});
  }
  // The state at t=0 is applied now, before any actor runs: were the controller actor to do
  // it, the server could select a device in the same instant and start a client actor on a
  // host the controller has just turned off (SimGrid aborts: "Cannot start actor on failed
  // host").
  while (!changes_.empty() && changes_.top().time <= 0) {
    const Change c = changes_.top();
    changes_.pop();
    state_[c.device].available = c.on;
    apply_host_state(c.device, c.on ? "online" : "offline");
  }
  for (size_t i = 0; i < state_.size(); ++i) {
    auto& s = state_[i];
    if (!s.battery || s.battery->above_floor()) continue;
    s.battery_dead = true;
    apply_host_state(static_cast<int>(i), "battery");
  }
}

bool Fleet::can_participate(int i) const {
  return platform_.devices[i]->is_on() && state_[i].available && !state_[i].battery_dead;
}

double Fleet::charge_fraction(int i) const { return state_[i].battery ? state_[i].battery->fraction() : 1.0; }

std::string Fleet::off_reason(int i) const { return state_[i].battery_dead ? "battery" : "offline"; }

double Fleet::compute_energy_j(int i) const {
  return platform_.energy ? sg_host_get_consumed_energy(platform_.devices[i]) : 0.0;
}

double Fleet::radio_energy_j(int i) const {
  if (!platform_.energy) return 0.0;
  double e = 0;
  if (!platform_.uplinks.empty())
    e += sg_link_get_consumed_energy(platform_.uplinks[i]) + sg_link_get_consumed_energy(platform_.downlinks[i]);
  if (!platform_.radio_links.empty())
    for (const auto* link : platform_.radio_links[i]) e += sg_link_get_consumed_energy(link);
  return e;
}

double Fleet::total_energy_j() const {
  double e = 0;
  for (int i = 0; i < size(); ++i) e += energy_j(i);
  return e;
}

void Fleet::apply_host_state(int i, const char* reason) {
  auto* host = platform_.devices[i];
  const bool want_on = state_[i].available && !state_[i].battery_dead;
  if (want_on == host->is_on()) return;
  Event e{sg4::Engine::get_clock(), NAN, want_on ? EventKind::DeviceOn : EventKind::DeviceOff,
          "fleet", devices_[i].name, -1, i};
  e.reason = reason;
  if (want_on)
    host->turn_on();
  else
    host->turn_off();  // kills the client actor there, if any: its work is lost
  bus_.emit(e);
}

void Fleet::report_battery(int i, double now, bool force) {
  auto& s = state_[i];
  const double f = s.battery->fraction();
  if (!force && std::abs(f - s.last_reported_fraction) < kReportEvery) return;
  s.last_reported_fraction = f;
  Event e{now, NAN, EventKind::Battery, "fleet", devices_[i].name, -1, i};
  e.charge_j = s.battery->charge_j();
  e.fraction = f;
  bus_.emit(e);
}

void Fleet::drain_battery(int i, double now) {
  auto& s = state_[i];
  const double energy = energy_j(i);
  s.battery->advance(now, std::max(0.0, energy - s.energy_at_last_step));
  s.energy_at_last_step = energy;
}

void Fleet::step_batteries(double now) {
  for (int i = 0; i < size(); ++i) {
    auto& s = state_[i];
    if (!s.battery) continue;
    drain_battery(i, now);
    const bool dead = !s.battery->above_floor();
    const bool changed = dead != s.battery_dead;
    s.battery_dead = dead;
    report_battery(i, now, changed);
    if (changed) apply_host_state(i, dead ? "battery" : "charged");
  }
}

void Fleet::settle_batteries(double now) {
  for (int i = 0; i < size(); ++i) {
    auto& s = state_[i];
    if (!s.battery || now < s.battery->last_update_s()) continue;
    drain_battery(i, now);
    report_battery(i, now, false);
  }
}

double Fleet::next_battery_check(double now) const {
  double dt = kMaxBatteryStep;
  for (const auto& s : state_)
    if (s.battery && !s.battery_dead) dt = std::min(dt, s.battery->time_to_floor(now, s.max_power_w));
  return now + std::clamp(dt, kMinBatteryStep, kMaxBatteryStep);
}

void Fleet::run_controller() {
  sg4::Actor::self()->daemonize();
  const double inf = std::numeric_limits<double>::infinity();
  // Initial state at t=0: batteries already empty, devices whose trace starts off.
  for (int i = 0; i < size(); ++i)
    if (state_[i].battery) report_battery(i, 0, true);
  double next_battery = batteries_ > 0 ? 0.0 : inf;
  for (;;) {
    const double next_change = changes_.empty() ? inf : changes_.top().time;
    const double t = std::min(next_change, next_battery);
    if (t == inf) return;
    if (t > sg4::Engine::get_clock()) sg4::this_actor::sleep_until(t);
    const double now = sg4::Engine::get_clock();
    while (!changes_.empty() && changes_.top().time <= now) {
      const Change c = changes_.top();
      changes_.pop();
      state_[c.device].available = c.on;
      apply_host_state(c.device, c.on ? "online" : "offline");
    }
    if (batteries_ > 0 && next_battery <= now) {
      step_batteries(now);
      next_battery = next_battery_check(now);
    }
  }
}

}  // namespace flemu

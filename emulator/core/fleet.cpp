#include "emulator/core/fleet.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <spdlog/spdlog.h>

#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kReportStep = 0.02;  // battery events at every 2% of capacity
/// A crossing planned for time t is reached at t up to rounding: this close (fraction of
/// capacity) counts as reached; the charge is then set to the level exactly.
constexpr double kLevelTolerance = 1e-9;
}  // namespace

Fleet::Fleet(const std::vector<DeviceSpec>& devices, const StarPlatform& platform, const PlatformSpec& spec,
             uint64_t seed, double horizon_s, EventBus& bus)
    : devices_(devices),
      platform_(platform),
      bus_(bus),
      horizon_s_(horizon_s),
      state_(devices.size()),
      metered_(devices.size(), 0),
      flows_(devices.size(), 0),
      dirty_(devices.size(), 0) {
  shared_link_ = platform.server_link != nullptr;
  std::map<std::string, AvailabilityTrace> from_file;
  if (!spec.availability_trace.empty()) from_file = read_availability_csv(spec.availability_trace);
  for (size_t i = 0; i < devices_.size(); ++i) {
    const auto& d = devices_[i];
    auto& s = state_[i];
    if (d.battery) {
      s.battery.emplace(*d.battery);
      ++batteries_;
    }
    metered_[i] = d.power.modelled() || d.battery.has_value();
    measures_energy_ = measures_energy_ || d.power.modelled();
    const uint64_t dev_seed = derive_seed(seed, SeedStream::Availability, {uint64_t(i)});
    std::optional<AvailabilityStream> stream;
    if (auto it = from_file.find(d.name); it != from_file.end()) {
      stream = AvailabilityStream::of_trace(it->second);
    } else if (d.availability.kind == AvailabilitySpec::Exponential) {
      stream = AvailabilityStream::exponential(d.availability.mean_on_s, d.availability.mean_off_s, dev_seed);
    } else if (d.availability.kind == AvailabilitySpec::Diurnal) {
      stream = AvailabilityStream::diurnal_with_jitter(d.availability.period_s, d.availability.on_fraction, dev_seed);
    }
    stream_of_.push_back(stream ? static_cast<int>(availability_.size()) : -1);
    if (stream) {
      availability_.push_back(std::move(*stream));
      queue_next_change(static_cast<int>(i));
    }
  }
  dynamic_ = !availability_.empty() || batteries_ > 0;
  mutex_ = sg4::Mutex::create();
  wake_ = sg4::ConditionVariable::create();
  // The state at t=0 is applied now, before any actor runs: were the controller actor to do
  // it, the server could select a device in the same instant and start a client actor on a
  // host the controller has just turned off (SimGrid aborts: "Cannot start actor on failed
  // host").
  while (!changes_.empty() && changes_.top().time <= 0) {
    const Change c = changes_.top();
    changes_.pop();
    state_[c.device].available = c.on;
    apply_host_state(c.device, c.on ? "online" : "offline");
    queue_next_change(c.device);
  }
  for (size_t i = 0; i < state_.size(); ++i) {
    auto& s = state_[i];
    if (!s.battery || s.battery->above_floor()) continue;
    s.battery_dead = true;
    apply_host_state(static_cast<int>(i), "battery");
  }
  // Draws at t=0, before anything runs: nothing computes or transfers yet.
  for (size_t i = 0; i < state_.size(); ++i) {
    const auto& p = devices_[i].power;
    Meter& m = state_[i].meter;
    const bool on = platform_.devices[i]->is_on();
    m.host_w = on ? p.idle_w : p.off_w;
    m.radio_w = on ? p.radio_idle_w : 0.0;
  }
}

bool Fleet::can_participate(int i) const {
  return platform_.devices[i]->is_on() && state_[i].available && !state_[i].battery_dead;
}

double Fleet::charge_fraction(int i) const {
  if (!state_[i].battery) return 1.0;
  accrue(i, sg4::Engine::get_clock());
  return state_[i].battery->fraction();
}

std::string Fleet::off_reason(int i) const { return state_[i].battery_dead ? "battery" : "offline"; }

double Fleet::compute_energy_j(int i) const {
  accrue(i, sg4::Engine::get_clock());
  return state_[i].meter.host_j;
}

double Fleet::radio_energy_j(int i) const {
  accrue(i, sg4::Engine::get_clock());
  return state_[i].meter.radio_j;
}

double Fleet::total_energy_j() const {
  double e = 0;
  for (int i = 0; i < size(); ++i) e += energy_j(i);
  return e;
}

double Fleet::charged_j(int i) const {
  if (!state_[i].battery) return 0.0;
  accrue(i, sg4::Engine::get_clock());
  return state_[i].battery->charged_j();
}

void Fleet::accrue(int i, double now) const {
  if (!metered_[i]) return;
  auto& s = state_[i];
  Meter& m = s.meter;
  if (now <= m.t) return;
  const double draw = m.host_w + m.radio_w;
  // A battery gives the device what it asks for, unless it runs empty (battery_model.hpp).
  const double got = s.battery ? s.battery->advance(now, draw) : draw * (now - m.t);
  if (draw > 0) {
    m.host_j += got * (m.host_w / draw);
    m.radio_j += got * (m.radio_w / draw);
  }
  m.t = now;
}

void Fleet::touch(int i, double now) {
  if (!metered_[i]) return;
  accrue(i, now);
  if (!dirty_[i]) {
    dirty_[i] = 1;
    dirty_list_.push_back(i);
  }
}

void Fleet::activity_changed(int device) {
  if (!metered_[device] && !(shared_link_ && measures_energy_)) return;
  const double now = sg4::Engine::get_clock();
  if (shared_link_)
    for (int d : flowing_) touch(d, now);  // the shared link's rates move for every flow on it
  touch(device, now);
  wake_->notify_all();
}

void Fleet::flow_started(int device) {
  if (flows_[device]++ == 0) flowing_.insert(device);
}

void Fleet::flow_ended(int device) {
  if (flows_[device] > 0 && --flows_[device] == 0) flowing_.erase(device);
}

void Fleet::read_draw(int i) {
  accrue(i, sg4::Engine::get_clock());
  const auto& p = devices_[i].power;
  const auto* host = platform_.devices[i];
  Meter& m = state_[i].meter;
  if (!host->is_on()) {
    m.host_w = p.off_w;
    m.radio_w = 0;
  } else {
    const double capacity = host->get_speed() * host->get_core_count();
    const double load = capacity > 0 ? std::clamp(host->get_load() / capacity, 0.0, 1.0) : 0.0;
    m.host_w = p.idle_w + (std::max(p.busy_w, p.idle_w) - p.idle_w) * load;
    auto use = [](const sg4::Link* l) { return std::clamp(l->get_usage() / l->get_bandwidth(), 0.0, 1.0); };
    double sending = 0, receiving = 0;  // in shares of a link's full rate
    if (!platform_.uplinks.empty()) {
      sending += use(platform_.uplinks[i]);
      receiving += use(platform_.downlinks[i]);
    }
    if (!platform_.peer_send_links.empty()) {  // direct peer links (p2p_platform.hpp)
      for (const auto* l : platform_.peer_send_links[i]) sending += use(l);
      for (const auto* l : platform_.peer_receive_links[i]) receiving += use(l);
    }
    m.radio_w = std::max(0.0, p.radio_idle_w + (p.send_w - p.radio_idle_w) * std::min(1.0, sending) +
                                  (p.receive_w - p.radio_idle_w) * std::min(1.0, receiving));
  }
  if (state_[i].battery) plan(i);
}

void Fleet::plan(int i) {
  auto& s = state_[i];
  const BatteryModel& b = *s.battery;
  const double draw = s.meter.host_w + s.meter.radio_w;
  const double cap = b.capacity_j(), q = b.charge_j(), step = kReportStep * cap;
  const double horizon = b.last_update_s() + std::max(horizon_s_, 86400.0);
  double t = s.battery_dead ? b.time_to_level(draw, b.resume_j(), /*falling=*/false, horizon)
                            : b.time_to_level(draw, b.floor_j(), /*falling=*/true, horizon);
  // The next 2% steps below and above, reported in the trace when crossed.
  const double below = (std::ceil(q / step - kLevelTolerance) - 1) * step;
  const double above = (std::floor(q / step + kLevelTolerance) + 1) * step;
  if (below >= 0) t = std::min(t, b.time_to_level(draw, below, true, horizon));
  if (above <= cap * (1 + kLevelTolerance)) t = std::min(t, b.time_to_level(draw, std::min(above, cap), false, horizon));
  ++s.plan_version;
  if (t < kInf) wakes_.push({std::max(t, b.last_update_s()), i, s.plan_version});
}

void Fleet::battery_due(int i, double now) {
  accrue(i, now);
  auto& s = state_[i];
  BatteryModel& b = *s.battery;
  const double eps = kLevelTolerance * b.capacity_j();
  bool changed = false;
  if (!s.battery_dead && b.charge_j() <= b.floor_j() + eps) {
    b.settle_at(b.floor_j());
    s.battery_dead = changed = true;
  } else if (s.battery_dead && b.charge_j() >= b.resume_j() - eps) {
    b.settle_at(b.resume_j());
    s.battery_dead = false;
    changed = true;
  }
  report_battery(i, now, changed);
  if (changed) apply_host_state(i, s.battery_dead ? "battery" : "charged");
  touch(i, now);  // plan the next crossing from here
}

void Fleet::apply_host_state(int i, const char* reason) {
  auto* host = platform_.devices[i];
  const bool want_on = state_[i].available && !state_[i].battery_dead;
  if (want_on == host->is_on()) return;
  const double now = sg4::Engine::get_clock();
  // Book the draw so far: switching changes it (and, on a shared link, the others' rates).
  if (shared_link_)
    for (int d : flowing_) touch(d, now);
  touch(i, now);
  Event e{now, NAN, want_on ? EventKind::DeviceOn : EventKind::DeviceOff, "fleet", devices_[i].name, -1, i};
  e.reason = reason;
  if (want_on)
    host->turn_on();
  else
    host->turn_off();  // kills the client actor there, if any: its work is lost
  bus_.emit(e);
  for (auto* o : observers_) o->on_device_state(i, want_on, reason);
}

void Fleet::queue_next_change(int i) {
  const auto [t, on] = availability_[stream_of_[i]].next();
  if (t < kInf) changes_.push({t, i, on});
}

void Fleet::report_battery(int i, double now, bool force) {
  auto& s = state_[i];
  const double f = s.battery->fraction();
  if (!force && std::abs(f - s.reported_fraction) < kReportStep - kLevelTolerance) return;
  s.reported_fraction = f;
  Event e{now, NAN, EventKind::Battery, "fleet", devices_[i].name, -1, i};
  e.charge_j = s.battery->charge_j();
  e.fraction = f;
  bus_.emit(e);
}

void Fleet::settle(double now) {
  for (int i = 0; i < size(); ++i) {
    accrue(i, now);
    if (state_[i].battery) report_battery(i, now, false);
  }
}

void Fleet::await_changes_due_now() {
  const double now = sg4::Engine::get_clock();
  // An empty execution completes only once every actor ready at this instant has run, the
  // controller among them (or at the same solve as its timer, hence the loop).
  while (!changes_.empty() && changes_.top().time <= now) sg4::this_actor::exec_init(0)->wait();
}

double Fleet::next_wake() {
  while (!wakes_.empty() && wakes_.top().version != state_[wakes_.top().device].plan_version) wakes_.pop();
  double t = wakes_.empty() ? kInf : wakes_.top().time;
  if (!changes_.empty()) t = std::min(t, changes_.top().time);
  return t;
}

void Fleet::run_controller() {
  sg4::Actor::self()->daemonize();
  std::unique_lock<sg4::Mutex> lock(*mutex_);
  for (int i = 0; i < size(); ++i) {
    if (state_[i].battery) report_battery(i, 0, true);
    if (metered_[i]) touch(i, 0);  // read the draws once the first activities are shared out
  }
  for (;;) {
    if (!dirty_list_.empty()) {
      // Let SimGrid share its resources among what started at this instant (an empty
      // execution completes once it has: no simulated time passes), then read the draws.
      sg4::this_actor::exec_init(0)->wait();
      const std::vector<int> dirty = std::move(dirty_list_);
      dirty_list_.clear();
      for (int d : dirty) {
        dirty_[d] = 0;
        read_draw(d);
      }
      continue;
    }
    const double now = sg4::Engine::get_clock();
    while (!changes_.empty() && changes_.top().time <= now) {
      const Change c = changes_.top();
      changes_.pop();
      state_[c.device].available = c.on;
      apply_host_state(c.device, c.on ? "online" : "offline");
      queue_next_change(c.device);
    }
    while (next_wake() <= now && !wakes_.empty() && wakes_.top().time <= now) {
      const Wake w = wakes_.top();
      wakes_.pop();
      battery_due(w.device, now);
    }
    if (!dirty_list_.empty()) continue;
    const double t = next_wake();
    if (t == kInf)
      wake_->wait(lock);
    else
      wake_->wait_until(lock, t);
  }
}

}  // namespace flemu

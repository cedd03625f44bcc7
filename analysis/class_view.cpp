#include "analysis/class_view.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace flemu::analysis {

using nlohmann::json;

const char* const kNoClass = "(no class)";

int DeviceClasses::order_of(const std::string& cls) const {
  for (size_t i = 0; i < class_order.size(); ++i)
    if (class_order[i] == cls) return static_cast<int>(i);
  return static_cast<int>(class_order.size());
}

const std::string& DeviceClasses::class_of(int device) const {
  static const std::string none = kNoClass;
  auto it = std::lower_bound(devices.begin(), devices.end(), device);
  return it != devices.end() && *it == device ? classes[it - devices.begin()] : none;
}

DeviceClasses device_classes(const RunData& run, const DeviceTimeline& tl) {
  std::map<int, std::string> host;
  for (const auto& d : run.devices) host[d.device] = d.name;
  for (size_t i = 0; i < tl.clients.size(); ++i)
    if (!host.count(tl.clients[i])) host[tl.clients[i]] = tl.hosts[i];
  DeviceClasses dc;
  for (const auto& [device, name] : host) {
    std::string cls = device_class(run, device, name);
    if (cls.empty()) cls = kNoClass;
    dc.devices.push_back(device);
    dc.hosts.push_back(name);
    if (std::find(dc.class_order.begin(), dc.class_order.end(), cls) == dc.class_order.end()) dc.class_order.push_back(cls);
    dc.classes.push_back(std::move(cls));
  }
  return dc;
}

void add_per_class_rows(const RunData& run, const DeviceTimeline& tl, const DeviceClasses& dc, json& per_class,
                        json& per_class_states) {
  struct Acc {
    int devices = 0, sent = 0, accepted = 0, dropped = 0, stale_n = 0, stale_max = -1;
    double energy = 0, stale_sum = 0;
    bool has_energy = false;
  };
  std::map<std::string, Acc> acc;
  for (const auto& cls : dc.class_order) acc[cls];
  for (size_t i = 0; i < dc.devices.size(); ++i) acc[dc.classes[i]].devices++;
  for (const auto& d : run.devices)
    if (!std::isnan(d.energy_j)) {
      auto& a = acc[dc.class_of(d.device)];
      a.energy += d.energy_j;
      a.has_energy = true;
    }
  std::set<std::pair<int, int>> dropped;  // (round, client)
  for (const auto& e : run.events)
    if (e.kind == "update_dropped" && e.client >= 0) {
      dropped.insert({e.round, e.client});
      acc[dc.class_of(e.client)].dropped++;
    }
  for (const auto& e : run.events) {
    if (e.kind != "upload" || e.client < 0) continue;
    auto& a = acc[dc.class_of(e.client)];
    a.sent++;
    if (!dropped.count({e.round, e.client})) a.accepted++;
    if (e.staleness >= 0) {
      a.stale_n++;
      a.stale_sum += e.staleness;
      a.stale_max = std::max(a.stale_max, e.staleness);
    }
  }
  for (const auto& cls : dc.class_order) {
    const Acc& a = acc[cls];
    per_class.push_back({{"run", run.label},
                         {"class", cls},
                         {"class_order", dc.order_of(cls)},
                         {"devices", a.devices},
                         {"energy_j", a.has_energy ? json(a.energy) : json()},
                         {"updates_sent", a.sent},
                         {"updates_accepted", a.accepted},
                         {"updates_dropped", a.dropped},
                         {"staleness_mean", a.stale_n ? json(a.stale_sum / a.stale_n) : json()},
                         {"staleness_max", a.stale_n ? json(a.stale_max) : json()}});
  }

  // Time per state: the timeline's segments; devices it does not know were idle throughout.
  std::map<std::string, std::map<DeviceState, double>> seconds;
  std::set<int> in_timeline(tl.clients.begin(), tl.clients.end());
  for (const auto& s : tl.segments)  // lane 1 (communicating) overlays lane 0: not counted twice
    if (s.lane == 0) seconds[dc.class_of(s.client)][s.state] += s.t1 - s.t0;
  for (size_t i = 0; i < dc.devices.size(); ++i)
    if (!in_timeline.count(dc.devices[i])) seconds[dc.classes[i]][DeviceState::Idle] += tl.end_s;
  const DeviceState states[] = {DeviceState::Downloading, DeviceState::Training, DeviceState::Uploading,
                                DeviceState::Idle,        DeviceState::Offline,  DeviceState::BatteryDead};
  for (const auto& cls : dc.class_order) {
    const double total = acc[cls].devices * tl.end_s;
    int order = 0;
    for (const auto st : states) {
      const double sec = seconds[cls][st];
      per_class_states.push_back({{"run", run.label},
                                  {"class", cls},
                                  {"class_order", dc.order_of(cls)},
                                  {"state", to_string(st)},
                                  {"state_order", order++},
                                  {"seconds", sec},
                                  {"share", total > 0 ? json(sec / total) : json()}});
    }
  }
}

}  // namespace flemu::analysis

#include "platforms/star_platform.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <simgrid/kernel/ProfileBuilder.hpp>

namespace sg4 = simgrid::s4u;

namespace flemu {

void configure_network_model(sg4::Engine& engine, NetworkModel model) {
  if (model == NetworkModel::Exact) {
    // Uncontended transfer takes exactly latency + bytes / bandwidth (../shared/FACTS.md).
    engine.set_config("network/model:CM02");
    engine.set_config("network/crosstraffic:0");
    engine.set_config("network/TCP-gamma:0");
  }
}

bool needs_energy_plugins(const std::vector<DeviceSpec>& devices) {
  return std::any_of(devices.begin(), devices.end(), [](const DeviceSpec& d) { return d.power.modelled(); });
}

std::string bandwidth_profile(double nominal, const std::vector<const LinkChange*>& changes, bool uplink) {
  // Piecewise-constant rate: at each change boundary, the latest change covering that time
  // wins (later entries override earlier ones); elsewhere the nominal rate.
  std::vector<double> times{0};
  for (const auto* c : changes) {
    times.push_back(c->from_s);
    if (c->until_s >= 0) times.push_back(c->until_s);
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  std::string text;
  double last = -1;
  bool changed = false;
  for (double t : times) {
    double rate = nominal;
    for (const auto* c : changes) {
      const double r = uplink ? c->up_bytes_per_s : c->down_bytes_per_s;
      if (r > 0 && t >= c->from_s && (c->until_s < 0 || t < c->until_s)) rate = r;
    }
    if (rate != last) {
      text += fmt::format("{} {}\n", t, rate);
      changed = changed || rate != nominal;
      last = rate;
    }
  }
  return changed ? text : "";
}

namespace {

std::string host_wattage(const PowerSpec& p) {
  // "idle:epsilon:all cores" for the single pstate: epsilon = idle, so one busy core of n
  // draws idle + (busy - idle) / n (../shared/FACTS.md).
  return fmt::format("{}:{}:{}", p.idle_w, p.idle_w, std::max(p.busy_w, p.idle_w));
}

}  // namespace

void set_host_energy(sg4::Host* host, const PowerSpec& p) {
  host->set_property("wattage_per_state", host_wattage(p));
  host->set_property("wattage_off", fmt::format("{}", p.off_w));
}

StarPlatform build_star_platform(const PlatformSpec& spec, const std::vector<DeviceSpec>& devices,
                                 bool energy_plugins) {
  StarPlatform p;
  p.energy = energy_plugins;
  auto* zone = sg4::create_star_zone("flemu");
  p.server = zone->create_host("server", spec.server.speed_flops);
  p.server->set_core_count(spec.server.cores);
  if (energy_plugins) set_host_energy(p.server, PowerSpec{});
  p.server->seal();
  if (spec.server.bandwidth_bytes_per_s > 0) {
    p.server_link = zone->create_link("server-link", spec.server.bandwidth_bytes_per_s);
    p.server_link->set_latency(spec.server.latency_s);
    if (energy_plugins) p.server_link->set_property("wattage_range", "0:0");
    p.server_link->seal();
  }
  // In a star zone a route is host -> center; the server's own route carries the shared link.
  std::vector<sg4::LinkInRoute> server_route;
  if (p.server_link) server_route.emplace_back(p.server_link);
  zone->add_route(p.server->get_netpoint(), nullptr, nullptr, nullptr, server_route, /*symmetrical=*/true);

  p.devices.reserve(devices.size());
  p.uplinks.reserve(devices.size());
  p.downlinks.reserve(devices.size());
  for (const auto& d : devices) {
    auto* host = zone->create_host(d.name, d.speed_flops);
    host->set_core_count(d.cores);
    if (energy_plugins) set_host_energy(host, d.power);
    host->seal();

    std::vector<const LinkChange*> changes;
    for (const auto& c : spec.link_changes)
      if (c.devices == "*" || c.devices == d.class_name || c.devices == d.name) changes.push_back(&c);

    auto make_link = [&](const std::string& name, double rate, double busy_w, bool uplink) {
      auto* link = zone->create_link(name, rate);
      link->set_latency(d.link.latency_s);
      if (energy_plugins) link->set_property("wattage_range", fmt::format("{}:{}", d.power.radio_idle_w, busy_w));
      // Link profiles must be set before sealing; their values are absolute bytes/s.
      if (!changes.empty()) {
        const std::string profile = bandwidth_profile(rate, changes, uplink);
        if (!profile.empty())
          link->set_bandwidth_profile(
              simgrid::kernel::profile::ProfileBuilder::from_string(name + "-bw", profile, -1));
      }
      link->seal();
      return link;
    };
    auto* up = make_link(d.name + "-up", d.link.up_bytes_per_s, d.power.send_w, true);
    auto* down = make_link(d.name + "-down", d.link.down_bytes_per_s, d.power.receive_w, false);
    // Star zone: the first route is host -> center (used when the host sends), the second
    // center -> host (used when it receives).
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(up)}, false);
    zone->add_route(nullptr, host->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(down)}, false);
    p.devices.push_back(host);
    p.uplinks.push_back(up);
    p.downlinks.push_back(down);
  }
  zone->seal();
  return p;
}

}  // namespace flemu

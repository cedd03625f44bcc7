#include "platforms/star_platform.hpp"

#include <algorithm>
#include <map>

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

RateSchedule link_rate_schedule(double nominal, const std::vector<const LinkChange*>& changes, bool uplink) {
  std::vector<double> times{0};
  for (const auto* c : changes) {
    times.push_back(c->from_s);
    if (c->until_s >= 0) times.push_back(c->until_s);
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  RateSchedule s;
  double last = -1;
  for (double t : times) {
    if (t < 0) continue;
    double rate = nominal;
    for (const auto* c : changes) {
      const double r = uplink ? c->up_bytes_per_s : c->down_bytes_per_s;
      if (r > 0 && t >= c->from_s && (c->until_s < 0 || t < c->until_s)) rate = r;
    }
    if (t == 0)
      s.initial = rate;
    else if (rate != last)
      s.steps.emplace_back(t, rate);
    last = rate;
    s.peak = std::max(s.peak, rate);
  }
  return s;
}

StarPlatform build_star_platform(const PlatformSpec& spec, const std::vector<DeviceSpec>& devices) {
  StarPlatform p;
  auto* zone = sg4::create_star_zone("flemu");
  p.server = zone->create_host("server", spec.server.speed_flops);
  p.server->set_core_count(spec.server.cores);
  p.server->seal();
  if (spec.server.bandwidth_bytes_per_s > 0) {
    p.server_link = zone->create_link("server-link", spec.server.bandwidth_bytes_per_s);
    p.server_link->set_latency(spec.server.latency_s);
    p.server_link->seal();
  }
  // In a star zone a route is host -> center; the server's own route carries the shared link.
  std::vector<sg4::LinkInRoute> server_route;
  if (p.server_link) server_route.emplace_back(p.server_link);
  zone->add_route(p.server->get_netpoint(), nullptr, nullptr, nullptr, server_route, /*symmetrical=*/true);

  const size_t n = devices.size();
  p.devices.reserve(n);
  p.uplinks.reserve(n);
  p.downlinks.reserve(n);
  p.uplink_peak.reserve(n);
  p.downlink_peak.reserve(n);
  p.links_change.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& d = devices[i];
    auto* host = zone->create_host(d.name, d.speed_flops);
    host->set_core_count(d.cores);
    // Its disk, where a schedule reads weights from (only reads are timed).
    if (d.disk_read_bytes_per_s > 0) host->create_disk("disk", d.disk_read_bytes_per_s, d.disk_read_bytes_per_s);
    host->seal();

    std::vector<const LinkChange*> changes;
    for (const auto& c : spec.link_changes)
      if (c.devices == "*" || c.devices == d.class_name || c.devices == d.name) changes.push_back(&c);
    const RateSchedule up_rates = link_rate_schedule(d.link.up_bytes_per_s, changes, true);
    const RateSchedule down_rates = link_rate_schedule(d.link.down_bytes_per_s, changes, false);

    auto make_link = [&](const std::string& name, const RateSchedule& rates, bool uplink) {
      auto* link = zone->create_link(name, rates.initial);
      link->set_latency(d.link.latency_s);
      link->seal();
      for (const auto& [t, rate] : rates.steps) p.link_steps.push_back({t, static_cast<int>(i), uplink, rate});
      return link;
    };
    auto* up = make_link(d.name + "-up", up_rates, true);
    auto* down = make_link(d.name + "-down", down_rates, false);
    // Star zone: the first route is host -> center (used when the host sends), the second
    // center -> host (used when it receives).
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(up)}, false);
    zone->add_route(nullptr, host->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(down)}, false);
    p.devices.push_back(host);
    p.uplinks.push_back(up);
    p.downlinks.push_back(down);
    p.uplink_peak.push_back(up_rates.peak);
    p.downlink_peak.push_back(down_rates.peak);
    p.links_change.push_back(!up_rates.steps.empty() || !down_rates.steps.empty());
  }
  zone->seal();
  std::stable_sort(p.link_steps.begin(), p.link_steps.end(), [](const LinkStep& a, const LinkStep& b) {
    return a.time_s != b.time_s ? a.time_s < b.time_s : a.device < b.device;
  });
  return p;
}

}  // namespace flemu

#include "platforms/p2p_platform.hpp"

#include <fmt/format.h>

namespace sg4 = simgrid::s4u;

namespace flemu {

StarPlatform build_p2p_platform(const PlatformSpec& spec, const std::vector<DeviceSpec>& devices,
                                const Topology& topology, bool energy_plugins) {
  if (!spec.topology || spec.topology->links == PeerLinks::Access)
    return build_star_platform(spec, devices, energy_plugins);

  const TopologySpec& ts = *spec.topology;
  StarPlatform p;
  p.energy = energy_plugins;
  auto* zone = sg4::create_full_zone("flemu-p2p");
  p.server = zone->create_host("server", spec.server.speed_flops);
  p.server->set_core_count(spec.server.cores);
  if (energy_plugins) set_host_energy(p.server, PowerSpec{});
  p.server->seal();
  p.devices.reserve(devices.size());
  for (const auto& d : devices) {
    auto* host = zone->create_host(d.name, d.speed_flops);
    host->set_core_count(d.cores);
    if (energy_plugins) set_host_energy(host, d.power);
    host->seal();
    p.devices.push_back(host);
  }
  p.radio_links.assign(devices.size(), {});
  auto end = [&](const std::string& name, double rate, double latency, double busy_w) {
    auto* link = zone->create_link(name, rate);
    link->set_latency(latency);
    if (energy_plugins) link->set_property("wattage_range", fmt::format("0:{}", busy_w));
    link->seal();
    return link;
  };
  for (const auto& e : topology.edges) {
    const double rate = e.bytes_per_s > 0 ? e.bytes_per_s : ts.direct_bytes_per_s;
    const double latency = e.latency_s >= 0 ? e.latency_s : ts.direct_latency_s;
    for (const auto [from, to] : {std::make_pair(e.a, e.b), std::make_pair(e.b, e.a)}) {
      const std::string base = fmt::format("{}>{}", devices[from].name, devices[to].name);
      auto* tx = end(base + "-tx", rate, latency, devices[from].power.send_w);
      auto* rx = end(base + "-rx", rate, 0.0, devices[to].power.receive_w);
      zone->add_route(p.devices[from]->get_netpoint(), p.devices[to]->get_netpoint(), nullptr, nullptr,
                      {sg4::LinkInRoute(tx), sg4::LinkInRoute(rx)}, /*symmetrical=*/false);
      p.radio_links[from].push_back(tx);
      p.radio_links[to].push_back(rx);
    }
  }
  zone->seal();
  return p;
}

}  // namespace flemu

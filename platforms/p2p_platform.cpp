#include "platforms/p2p_platform.hpp"

#include <fmt/format.h>

namespace sg4 = simgrid::s4u;

namespace flemu {

StarPlatform build_p2p_platform(const PlatformSpec& spec, const std::vector<DeviceSpec>& devices,
                                const Topology& topology) {
  if (!spec.topology || spec.topology->links == PeerLinks::Access) return build_star_platform(spec, devices);

  const TopologySpec& ts = *spec.topology;
  StarPlatform p;
  auto* zone = sg4::create_full_zone("flemu-p2p");
  p.server = zone->create_host("server", spec.server.speed_flops);
  p.server->set_core_count(spec.server.cores);
  p.server->seal();
  p.devices.reserve(devices.size());
  for (const auto& d : devices) {
    auto* host = zone->create_host(d.name, d.speed_flops);
    host->set_core_count(d.cores);
    host->seal();
    p.devices.push_back(host);
  }
  p.peer_send_links.assign(devices.size(), {});
  p.peer_receive_links.assign(devices.size(), {});
  auto end = [&](const std::string& name, double rate, double latency) {
    auto* link = zone->create_link(name, rate);
    link->set_latency(latency);
    link->seal();
    return link;
  };
  for (const auto& e : topology.edges) {
    const double rate = e.bytes_per_s > 0 ? e.bytes_per_s : ts.direct_bytes_per_s;
    const double latency = e.latency_s >= 0 ? e.latency_s : ts.direct_latency_s;
    for (const auto [from, to] : {std::make_pair(e.a, e.b), std::make_pair(e.b, e.a)}) {
      const std::string base = fmt::format("{}>{}", devices[from].name, devices[to].name);
      auto* tx = end(base + "-tx", rate, latency);
      auto* rx = end(base + "-rx", rate, 0.0);
      zone->add_route(p.devices[from]->get_netpoint(), p.devices[to]->get_netpoint(), nullptr, nullptr,
                      {sg4::LinkInRoute(tx), sg4::LinkInRoute(rx)}, /*symmetrical=*/false);
      p.peer_send_links[from].push_back(tx);
      p.peer_receive_links[to].push_back(rx);
    }
  }
  zone->seal();
  return p;
}

}  // namespace flemu

#include "platforms/cluster_platform.hpp"

#include <stdexcept>
#include <string>

namespace sg4 = simgrid::s4u;

namespace flemu {

StarPlatform build_cluster_platform(const PlatformSpec& spec, const std::vector<DeviceSpec>& devices) {
  if (!spec.cluster) throw std::logic_error("build_cluster_platform: the platform has no cluster");
  const ClusterSpec& c = *spec.cluster;
  if (static_cast<int>(devices.size()) != c.size())
    throw std::logic_error("build_cluster_platform: " + std::to_string(devices.size()) + " devices for " +
                           std::to_string(c.size()) + " GPUs");
  StarPlatform p;
  auto* top = sg4::create_star_zone("cluster");
  // The server holds no data and joins no collective, but every host needs a route (the
  // transfer rules measure each device's route to it). SimGrid cannot route from a child zone
  // to a host that sits in the parent zone itself, so the server has a zone of its own,
  // joined to the top's center by a link-free route.
  auto* server_zone = sg4::create_star_zone("server-zone");
  server_zone->set_parent(top);
  p.server = server_zone->create_host("server", spec.server.speed_flops);
  p.server->set_core_count(spec.server.cores);
  p.server->seal();
  server_zone->add_route(p.server->get_netpoint(), nullptr, nullptr, nullptr, {}, /*symmetrical=*/true);
  server_zone->seal();
  top->add_route(server_zone->get_netpoint(), nullptr, p.server->get_netpoint(), nullptr, {}, /*symmetrical=*/true);
  const double nic = c.inter.effective_bytes_per_s();
  for (int n = 0; n < c.nodes; ++n) {
    const std::string node = "node" + std::to_string(n);
    auto* zone = sg4::create_star_zone(node);
    zone->set_parent(top);
    auto* gateway = zone->create_router(node + "-switch");
    for (int g = 0; g < c.gpus_per_node; ++g) {
      const DeviceSpec& d = devices[static_cast<size_t>(n * c.gpus_per_node + g)];
      auto* host = zone->create_host(d.name, d.speed_flops);
      host->set_core_count(d.cores);
      host->seal();
      auto* up = zone->create_link(d.name + "-up", d.link.up_bytes_per_s)->set_latency(d.link.latency_s);
      auto* down = zone->create_link(d.name + "-down", d.link.down_bytes_per_s)->set_latency(d.link.latency_s);
      up->seal();
      down->seal();
      zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(up)}, false);
      zone->add_route(nullptr, host->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(down)}, false);
      p.devices.push_back(host);
      p.uplinks.push_back(up);
      p.downlinks.push_back(down);
      // Cluster links never change bandwidth: their peak is their rate.
      p.uplink_peak.push_back(d.link.up_bytes_per_s);
      p.downlink_peak.push_back(d.link.down_bytes_per_s);
      p.links_change.push_back(0);
    }
    zone->seal();
    // Each of the two interfaces on an inter-node path carries half of the inter latency.
    auto* nic_up = top->create_link(node + "-nic-up", nic)->set_latency(c.inter.latency_s / 2);
    auto* nic_down = top->create_link(node + "-nic-down", nic)->set_latency(c.inter.latency_s / 2);
    nic_up->seal();
    nic_down->seal();
    top->add_route(zone->get_netpoint(), nullptr, gateway, nullptr, {sg4::LinkInRoute(nic_up)}, false);
    top->add_route(nullptr, zone->get_netpoint(), nullptr, gateway, {sg4::LinkInRoute(nic_down)}, false);
  }
  top->seal();
  return p;
}

}  // namespace flemu

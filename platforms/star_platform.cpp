#include "platforms/star_platform.hpp"

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

StarPlatform build_star_platform(const ServerSpec& server, const std::vector<DeviceSpec>& devices) {
  StarPlatform p;
  auto* zone = sg4::create_star_zone("flemu");
  p.server = zone->create_host("server", server.speed_flops);
  p.server->set_core_count(server.cores);
  p.server->seal();
  if (server.bandwidth_bytes_per_s > 0) {
    p.server_link = zone->create_link("server-link", server.bandwidth_bytes_per_s);
    p.server_link->set_latency(server.latency_s);
    p.server_link->seal();
  }
  // In a star zone a route is host -> center; the server's own route carries the shared link.
  std::vector<sg4::LinkInRoute> server_route;
  if (p.server_link) server_route.emplace_back(p.server_link);
  zone->add_route(p.server->get_netpoint(), nullptr, nullptr, nullptr, server_route, /*symmetrical=*/true);

  p.devices.reserve(devices.size());
  for (const auto& d : devices) {
    auto* host = zone->create_host(d.name, d.speed_flops);
    host->set_core_count(d.cores);
    host->seal();
    auto* up = zone->create_link(d.name + "-up", d.link.up_bytes_per_s);
    up->set_latency(d.link.latency_s);
    up->seal();
    auto* down = zone->create_link(d.name + "-down", d.link.down_bytes_per_s);
    down->set_latency(d.link.latency_s);
    down->seal();
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

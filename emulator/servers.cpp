#include "emulator/servers.hpp"

#include <simgrid/s4u.hpp>

#include "emulator/sync_server.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

void start_server(Federation& fed, ServerOutcome& outcome) {
  const AlgorithmSpec& spec = fed.scenario.algorithm;
  sg4::Actor::create("server", fed.platform.server, SyncServer(fed, make_sync_algorithm(spec), outcome));
}

}  // namespace flemu

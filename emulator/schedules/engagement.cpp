#include "emulator/schedules/engagement.hpp"

#include "emulator/core/fluid_transfers.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

Engaged engage_client(Federation& fed, int client, std::unique_ptr<TrainOrder> order) {
  Engaged e;
  e.status = std::make_shared<ClientStatus>();
  e.base_version = order->base_version;
  e.actor = sg4::Actor::create("client-" + std::to_string(client), fed.platform.devices[client],
                               ClientActor(fed, client, std::move(order), e.status));
  return e;
}

void stop_client(Federation& fed, int client, const Engaged& e) {
  if (!e.status->failed) e.actor->kill();
  // A SimGrid comm dies with its actor; a fluid flow is withdrawn by the killer (the dying
  // actor cannot wake the link's daemon).
  if (fed.fluid) fed.fluid->withdraw_device(client);
}

void emit_dropped(Federation& fed, int round, int client, const std::string& reason) {
  Event e{sg4::Engine::get_clock(), NAN, EventKind::UpdateDropped, "server", "server", round, client};
  e.reason = reason;
  fed.bus.emit(e);
}

}  // namespace flemu

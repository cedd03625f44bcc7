#include "emulator/engagement.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

void send_order(Federation& fed, int client, std::unique_ptr<TrainOrder> order) {
  order->sent_at = sg4::Engine::get_clock();
  sg4::Mailbox::by_name(Federation::device_mailbox(client))
      ->put_init(order.release(), static_cast<double>(fed.trainer.model().bytes))
      ->detach([](void* p) { delete static_cast<TrainOrder*>(p); });
}

Engaged engage_client(Federation& fed, int client, std::unique_ptr<TrainOrder> order) {
  Engaged e;
  e.status = std::make_shared<ClientStatus>();
  e.base_version = order->base_version;
  e.actor = sg4::Actor::create("client-" + std::to_string(client), fed.platform.devices[client],
                               ClientActor(fed, client, order->round, e.status));
  send_order(fed, client, std::move(order));
  return e;
}

void emit_dropped(Federation& fed, int round, int client, const std::string& reason) {
  Event e{sg4::Engine::get_clock(), NAN, EventKind::UpdateDropped, "server", "server", round, client};
  e.reason = reason;
  fed.bus.emit(e);
}

}  // namespace flemu

#include "emulator/schedules/engagement.hpp"

#include <cmath>
#include <limits>

#include "emulator/core/fluid_transfers.hpp"
#include "emulator/schedules/server_inbox.hpp"

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

void stop_client(Federation& fed, int client, Engaged& engaged) {
  // A SimGrid comm dies with its actor; a fluid flow is withdrawn by the killer (the dying
  // actor cannot wake the link's daemon).
  if (fed.fluid) fed.fluid->withdraw_device(client);
  if (engaged.status->failed) return;  // read before the kill, which marks it failed
  engaged.actor->kill();
  if (fed.fleet.wants_activity(client)) fed.fleet.activity_changed(client);
}

void emit_dropped(Federation& fed, int round, int client, const std::string& reason) {
  Event e{sg4::Engine::get_clock(), NAN, EventKind::UpdateDropped, "server", "server", round, client};
  e.reason = reason;
  fed.bus.emit(e);
}

void LostClients::went_off(int device) {
  const double now = sg4::Engine::get_clock();
  // The first heartbeat at or after now (a hair of slack so that 0.3 s on a 0.1 s beat is a
  // beat, not the next one).
  const double beat = std::ceil(now / heartbeat_s_ - 1e-9) * heartbeat_s_;
  pending_.emplace(std::max(beat, now), device);
}

double LostClients::next_notice() const {
  return pending_.empty() ? std::numeric_limits<double>::infinity() : pending_.begin()->first;
}

std::vector<int> LostClients::noticed(double now) {
  std::vector<int> out;
  while (!pending_.empty() && pending_.begin()->first <= now) {
    out.push_back(pending_.begin()->second);
    pending_.erase(pending_.begin());
  }
  return out;
}

bool wait_for_device(Federation& fed, double until_s) {
  ServerInbox::Item item;
  while (fed.inbox->next(until_s, item))
    if (!item.message && item.on) return true;
  return false;
}

}  // namespace flemu

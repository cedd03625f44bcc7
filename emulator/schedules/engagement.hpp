// Engaging clients: what the sync and async servers share to start a client on a device and
// to notice when it is lost.
#pragma once
#include <map>
#include <memory>
#include <string>

#include <simgrid/s4u.hpp>

#include "emulator/schedules/client_actor.hpp"
#include "emulator/core/federation.hpp"

namespace flemu {

/// A client at work, as its server tracks it.
struct Engaged {
  simgrid::s4u::ActorPtr actor;
  std::shared_ptr<ClientStatus> status;
  int base_version = 0;
};

/// Starts a client actor on device `client` for `order`.
Engaged engage_client(Federation& fed, int client, std::unique_ptr<TrainOrder> order);

/// Stops engaged client `client`: kills its actor (unless its device already did) and
/// withdraws the transfer it was making, if any, at this instant.
void stop_client(Federation& fed, int client, const Engaged& e);

/// Emits an UpdateDropped event for `client` in `round`.
void emit_dropped(Federation& fed, int round, int client, const std::string& reason);

/// Heartbeat: forgets (and reports as dropped, with `round_of(client)`) the engaged clients
/// whose device went off.
template <class RoundOf>
void forget_lost_clients(Federation& fed, std::map<int, Engaged>& engaged, RoundOf round_of) {
  for (auto it = engaged.begin(); it != engaged.end();) {
    if (it->second.status->failed || !fed.platform.devices[it->first]->is_on()) {
      emit_dropped(fed, round_of(it->first), it->first, fed.fleet.off_reason(it->first));
      it = engaged.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace flemu

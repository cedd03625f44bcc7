// Engaging clients: what the servers share to start a client on a device, to stop it, and to
// notice when it is lost.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

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

/// Stops a client still at work (its work is lost): kills its actor (unless its device already
/// did), withdraws the fluid transfer it was making, if any, at this instant, and tells the
/// fleet's meter.
void stop_client(Federation& fed, int client, Engaged& engaged);

/// Emits an UpdateDropped event for `client` in `round`.
void emit_dropped(Federation& fed, int round, int client, const std::string& reason);

/// Clients whose device went off, as the server learns of them: at its next heartbeat
/// (platform.server.heartbeat), the first multiple of it at or after the device went off. The
/// server does not poll: it adds next_notice() to the times it waits for.
class LostClients {
 public:
  explicit LostClients(double heartbeat_s) : heartbeat_s_(heartbeat_s) {}
  /// `device` went off now.
  void went_off(int device);
  /// Simulated time of the next notice; +inf if none is pending.
  double next_notice() const;
  /// The devices noticed lost by `now`, each once, in notice then device order.
  std::vector<int> noticed(double now);

 private:
  double heartbeat_s_;
  std::multimap<double, int> pending_;
};

/// Waits for a device to come on (a fleet notice), or until `until_s`; other items are
/// dropped (late updates of a round already closed). Returns whether a device came on.
bool wait_for_device(Federation& fed, double until_s);

}  // namespace flemu

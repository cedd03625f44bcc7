// When a party's users report (analytics): one daemon actor per party server.
//
// Each user arrives at its arrival time (workload items.arrival_spread) and reports at the
// first moment after that when (a) its level is open (OLH levels open at t = 0; GRR/OUE levels
// when the party has their candidates) and (b) its device is on (availability models, batteries:
// the fleet). A user whose device is off waits until the fleet turns it on (the fleet tells
// HhDeviceWatch); a user killed mid-report (noticed within a server heartbeat) tries again the
// same way; a user whose level has closed is missed (the party reports it). The actor starts one HhUser per report attempt, so live actors are the users
// reporting now, not all users.
#pragma once
#include "emulator/schedules/hh_federation.hpp"

namespace flemu {

/// Tells the arrivals actors when a user's device comes on (subscribe it to the fleet).
class HhDeviceWatch final : public FleetObserver {
 public:
  explicit HhDeviceWatch(HhFederation& fed) : fed_(fed) {}
  void on_device_state(int device, bool on, const std::string& reason) override;

 private:
  HhFederation& fed_;
};

class HhArrivals {
 public:
  HhArrivals(HhFederation& fed, int party) : fed_(fed), party_(party) {}
  void operator()();

 private:
  HhFederation& fed_;
  int party_;
};

}  // namespace flemu

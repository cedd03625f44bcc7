// Anarchic federated learning (Yang et al. 2022): clients, not the server, decide when to
// work and how much.
//
// Every device runs a persistent client actor (a daemon that restarts when its device comes
// back on). It thinks for an exponential time, then asks its policy (algorithm.policies)
// whether to take part, given its battery; if so it requests the current model (a small
// message), trains the number of local steps the policy chose, and uploads. The server
// answers every request with its current model and aggregates every m = updates_per_step
// arrivals, whatever their staleness: AFA-CD, AFA-CS, or plain sample-weighted FedAvg of the
// returned models (fedavg-anarchic, the paper's baseline). Each aggregation is a version.
#pragma once
#include "emulator/core/federation.hpp"
#include "emulator/schedules/server_outcome.hpp"

namespace flemu {

/// Creates the anarchic client actors and the server actor.
void start_anarchic(Federation& fed, ServerOutcome& outcome);

}  // namespace flemu

// Starts the server actor that runs the scenario's schedule: synchronous rounds (fedavg,
// fedprox), asynchronous updates (fedasync, fedbuff), anarchic clients (afa-cd, afa-cs,
// fedavg-anarchic) or data-parallel workers on a cluster (ddp, local-sgd, slowmo, co2,
// co2-code).
#pragma once
#include "emulator/core/federation.hpp"
#include "emulator/schedules/server_outcome.hpp"

namespace flemu {

void start_server(Federation& fed, ServerOutcome& outcome);

}  // namespace flemu

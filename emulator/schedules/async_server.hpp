// The server of asynchronous schedules (FedAsync, FedBuff), as a SimGrid actor.
//
// It keeps `concurrency` clients at work: whenever one returns (or is lost), another device
// that can participate is engaged with the current model. Each arriving update is merged at
// once (FedAsync: staleness-weighted mixing) or buffered until K arrived (FedBuff); every merge
// makes a new model version, which is what stop.rounds and evaluation.every count.
// Staleness = versions created between a client's start and its arrival; uploads carry it
// in the trace.
#pragma once
#include "emulator/core/federation.hpp"
#include "emulator/schedules/server_outcome.hpp"

namespace flemu {

class AsyncServer {
 public:
  AsyncServer(Federation& fed, ServerOutcome& outcome) : fed_(fed), outcome_(outcome) {}
  void operator()() { run_guarded(outcome_, [this] { run(); }); }

 private:
  void run();
  Federation& fed_;
  ServerOutcome& outcome_;
};

}  // namespace flemu

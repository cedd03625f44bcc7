// The server of synchronous schedules (FedAvg, FedProx), as a SimGrid actor.
//
// Each round: select clients among the devices that can participate (algorithm; with
// over-selection, ceil(K (1 + x)) of them), start one client actor per selected device and
// send it the global model, then collect updates until K arrived, the deadline passed, or no
// engaged client is left alive. Clients still working then are stopped and their work is
// recorded as dropped (over_selection, deadline); clients whose device went off are noticed
// at the next heartbeat (offline, battery). The server never polls: it sleeps until an
// update, the fleet's news or its own deadline (server_inbox.hpp). Aggregation and evaluation are measurements of
// the real model and take no simulated time; evaluation runs on the job pool.
#pragma once
#include <memory>
#include <set>

#include "algorithms/algorithm.hpp"
#include "emulator/core/federation.hpp"
#include "emulator/schedules/server_outcome.hpp"

namespace flemu {

class SyncServer {
 public:
  SyncServer(Federation& fed, std::unique_ptr<SyncAlgorithm> algorithm, ServerOutcome& outcome);
  void operator()() { run_guarded(outcome_, [this] { run(); }); }

 private:
  void run();
  /// The updates of one round (sorted by client); empty when every client was lost, when
  /// (`nobody` set) no device could take part, or when (`deadline_passed` set) none arrived
  /// before the deadline or nobody was drawn: then the round still counts.
  std::vector<ClientUpdate> run_round(int round, const std::shared_ptr<const Params>& global, bool& nobody,
                                      bool& deadline_passed);

  Federation& fed_;
  std::shared_ptr<SyncAlgorithm> algorithm_;
  ServerOutcome& outcome_;
  std::set<int> trained_;  ///< clients whose update was aggregated at least once
};

}  // namespace flemu

// The server of synchronous schedules (FedAvg and kin), as a SimGrid actor.
//
// Each round: select clients (algorithm), start one client actor per selected device and send
// it the global model, collect the updates, aggregate (algorithm), evaluate every N rounds,
// and stop on the scenario's criteria. Aggregation and evaluation are measurements of the
// real model and take no simulated time. Evaluation runs on the job pool.
#pragma once
#include <memory>

#include "algorithms/algorithm.hpp"
#include "emulator/federation.hpp"

namespace flemu {

/// What the server knows at the end of the run.
struct ServerOutcome {
  int rounds = 0;
  double final_accuracy = NAN, final_loss = NAN;
  std::string stop_reason;  ///< "rounds" | "time" | "target_accuracy"
};

class SyncServer {
 public:
  SyncServer(Federation& fed, std::unique_ptr<SyncAlgorithm> algorithm, ServerOutcome& outcome);
  void operator()();

 private:
  EvalResult evaluate(const Params& global, int round, bool full);
  std::vector<ClientUpdate> run_round(int round, const std::shared_ptr<const Params>& global);

  Federation& fed_;
  std::shared_ptr<SyncAlgorithm> algorithm_;
  ServerOutcome& outcome_;
};

}  // namespace flemu

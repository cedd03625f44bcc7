// Per-client evaluation at the end of a synchronous run (scenario key evaluation.per_client):
// every client's held-out split (its own label distribution, never trained on) scored with the
// global model and, for methods with personal models (SyncAlgorithm::personalizes), with the
// client's own. The jobs run on the pool and the report is in client order, so it does not
// depend on the number of workers. Measurement only: no simulated time passes, and nothing a
// schedule decides reads it (no test-set leakage into training).
#pragma once
#include <set>

#include "algorithms/algorithm.hpp"
#include "emulator/core/federation.hpp"
#include "emulator/core/per_client_metrics.hpp"

namespace flemu {

/// Scores every client with a held-out split; `trained`: the clients whose updates were
/// aggregated at least once.
PerClientReport evaluate_clients(Federation& fed, const SyncAlgorithm& algorithm,
                                 const std::shared_ptr<const Params>& global, int round, const std::set<int>& trained);

}  // namespace flemu

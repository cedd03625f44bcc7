// Per-client evaluation: every client's model scored on its own held-out split (the card's
// FedEM/pFedGate protocol: 80/20 per client), summarised the way pFedGate reports it.
//
//   mean          Σ hits / Σ samples over the clients (sample-weighted; the code's test/metric)
//   client_mean   the unweighted mean of the clients' accuracies
//   p10           the 10th-percentile client accuracy: sorted ascending, element ⌊n/10⌋ (the
//                 code's metric_bottom_client)
//   per_class     hits / samples of each true class over all clients' held-out samples
// Pure functions: no SimGrid, no I/O.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "workloads/models/trainer.hpp"

namespace flemu {

struct AccuracySummary {
  int clients = 0;
  double mean = NAN, client_mean = NAN, p10 = NAN;
  std::vector<double> per_class;  ///< NaN for a class no held-out sample has
};

/// Summary of the clients' counts (one ClassCounts per client; clients without samples are
/// left out).
AccuracySummary summarize_clients(const std::vector<ClassCounts>& clients);

/// One client's line of clients.csv.
struct ClientScore {
  int client = 0;
  int64_t samples = 0;        ///< held-out samples
  double global = NAN;        ///< accuracy of the global model
  double personal = NAN;      ///< accuracy of its personal model (methods that have one)
  bool trained = false;       ///< whether it ever took part in training
};

/// What the end-of-run per-client evaluation found.
struct PerClientReport {
  int round = 0;
  bool personalized = false;  ///< the method has personal models
  std::vector<ClientScore> clients;
  AccuracySummary global, personal;
};

}  // namespace flemu

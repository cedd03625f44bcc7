// `flemu describe`'s estimates, before anything runs: how long one round (or model version)
// takes in simulated time, how long the run takes in simulated time, and how long it takes
// on this machine's clock.
//
// Simulated time, per device: download + local training + upload, each transfer
// latency + bytes / rate (the `exact` network model; for `lv08`, SimGrid's LV08 corrections:
// latency x 13.01, rate x 0.97, capped by the TCP window 4194304 B / (2 x latency)), training
// flops / (speed x cores). Devices are the expanded ones (jitter included), always on, with
// no contention between transfers: a lower bound where links are shared, batteries die or
// devices go offline.
//   sync:  a round selects k of N devices uniformly (k x (1 + over_selection) with
//          over-selection, keeping the first k) and lasts until its k-th update: the expected
//          k-th order statistic of the per-device times, exactly, capped by the deadline.
//   async: `concurrency` devices train at once; a model version needs `buffer_size` updates
//          (fedbuff) or one (fedasync): about updates x mean device time / concurrency.
//   other families: not estimated (said so).
// Wall time: training jobs x samples / (this machine's measured samples per second for the
// model, on one thread per job, min(jobs, clients) jobs at once) plus evaluations.
#pragma once
#include <string>

#include "emulator/config/scenario.hpp"

namespace flemu {

struct RoundEstimate {
  bool available = false;
  std::string why_not;              ///< when not available
  std::string unit = "round";       ///< "round" or "model version"
  double device_min_s = 0, device_max_s = 0;  ///< one device's download + train + upload
  double fastest_s = 0;             ///< the round when only the fastest devices are picked
  double expected_s = 0;            ///< mean over random selections
  double slowest_s = 0;             ///< when the slowest devices are picked
  int64_t samples_per_job = 0;      ///< training samples one client processes per round
  int jobs_per_round = 0;           ///< training jobs per round (or per model version)
};

RoundEstimate estimate_round(const Scenario& sc);

struct RunEstimate {
  double rounds = 0;                ///< expected rounds (0: unknown, e.g. accuracy target only)
  double simulated_s = 0;           ///< expected simulated time; 0 when unknown
  std::string basis;                ///< how the rounds were counted
};

RunEstimate estimate_run(const Scenario& sc, const RoundEstimate& round);

/// Expected k-th smallest of a uniform random sample (without replacement) of `m` values from
/// `sorted` (ascending), 1 <= k <= m <= sorted.size(). Exposed for tests.
double expected_order_statistic(const std::vector<double>& sorted, int m, int k);

}  // namespace flemu

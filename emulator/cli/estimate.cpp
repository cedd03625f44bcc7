#include "emulator/cli/estimate.hpp"

#include <algorithm>
#include <cmath>

#include "workloads/models/model_info.hpp"
#include "workloads/models/trainer.hpp"

namespace flemu {

namespace {

double log_choose(double n, double k) {
  if (k < 0 || k > n) return -INFINITY;
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

/// One transfer of `bytes` over a link of `rate` bytes/s and one-way `latency` s.
double transfer_s(double bytes, double rate, double latency, NetworkModel net) {
  if (net == NetworkModel::Exact) return latency + bytes / rate;
  // SimGrid's LV08 factors, and TCP's window cap (../shared/FACTS.md, "Network model").
  const double lat = 13.01 * latency;
  double r = 0.97 * rate;
  if (latency > 0) r = std::min(r, 4194304.0 / (2 * latency));
  return lat + bytes / r;
}

}  // namespace

double expected_order_statistic(const std::vector<double>& sorted, int m, int k) {
  const double n = static_cast<double>(sorted.size());
  const double total = log_choose(n, m);
  double e = 0;
  for (size_t i = static_cast<size_t>(k); i <= sorted.size() - static_cast<size_t>(m - k); ++i) {
    const double logp = log_choose(static_cast<double>(i) - 1, k - 1) + log_choose(n - i, m - k) - total;
    e += std::exp(logp) * sorted[i - 1];
  }
  return e;
}

RoundEstimate estimate_round(const Scenario& sc) {
  RoundEstimate r;
  const auto& a = sc.algorithm;
  if (a.family != "sync" && a.family != "async") {
    r.why_not = "not estimated for " + a.family + " algorithms (" + a.name + "): " +
                (a.is_anarchic() ? "clients decide when and how much to work (algorithm.policies)"
                                 : "no estimate written for this schedule yet");
    return r;
  }
  const auto devices = expand_devices(sc.platform, sc.seed);
  const auto model = describe_model(sc.workload.model);
  LocalTrainingSpec local;
  local.epochs = a.local_epochs;
  local.steps = a.local_steps;
  local.batch_size = a.batch_size;
  r.samples_per_job = samples_processed(local, sc.workload.samples_per_client);
  const double flops = model.train_flops_per_sample * static_cast<double>(r.samples_per_job);
  const double server_lat = sc.platform.server.latency_s;

  std::vector<double> times;
  for (const auto& d : devices) {
    const double lat = d.link.latency_s + server_lat;
    times.push_back(transfer_s(model.bytes, d.link.down_bytes_per_s, lat, sc.platform.network) +
                    flops / (d.speed_flops * d.cores) +
                    transfer_s(model.bytes, d.link.up_bytes_per_s, lat, sc.platform.network));
  }
  std::sort(times.begin(), times.end());
  r.device_min_s = times.front();
  r.device_max_s = times.back();
  const int n = static_cast<int>(times.size());

  if (a.family == "sync") {
    const int k = std::min(a.clients_per_round, n);
    const int m = std::min(n, static_cast<int>(std::ceil(k * (1 + a.over_selection) - 1e-9)));
    r.jobs_per_round = m;
    r.fastest_s = times[k - 1];
    r.slowest_s = times[n - m + k - 1];
    r.expected_s = expected_order_statistic(times, m, k);
    if (a.deadline_s > 0) {
      r.fastest_s = std::min(r.fastest_s, a.deadline_s);
      r.slowest_s = std::min(r.slowest_s, a.deadline_s);
      r.expected_s = std::min(r.expected_s, a.deadline_s);
    }
  } else {
    r.unit = "model version";
    const int concurrency = std::max(1, std::min(a.concurrency > 0 ? a.concurrency : a.clients_per_round, n));
    const int updates = a.name == "fedbuff" ? a.buffer_size : 1;
    double mean = 0;
    for (double t : times) mean += t;
    mean /= n;
    r.jobs_per_round = updates;
    r.fastest_s = updates * r.device_min_s / concurrency;
    r.expected_s = updates * mean / concurrency;
    r.slowest_s = updates * r.device_max_s / concurrency;
  }
  r.available = true;
  return r;
}

RunEstimate estimate_run(const Scenario& sc, const RoundEstimate& round) {
  RunEstimate e;
  const auto& stop = sc.stop;
  if (!round.available || round.expected_s <= 0) {
    if (stop.max_rounds > 0) {
      e.rounds = stop.max_rounds;
      e.basis = "stop.rounds";
    }
    return e;
  }
  double rounds = stop.max_rounds > 0 ? stop.max_rounds : INFINITY;
  e.basis = stop.max_rounds > 0 ? "stop.rounds" : "";
  if (stop.max_time_s > 0) {
    // No round starts after the budget; the one under way completes.
    const double by_time = std::ceil(stop.max_time_s / round.expected_s);
    if (by_time < rounds) {
      rounds = by_time;
      e.basis = "stop.time";
    }
  }
  if (std::isinf(rounds)) {
    e.basis = "stop.target_accuracy only: the rounds it takes are not known in advance";
    return e;
  }
  e.rounds = rounds;
  e.simulated_s = rounds * round.expected_s;
  if (stop.target_accuracy >= 0) e.basis += ", or fewer if the accuracy target is reached";
  return e;
}

}  // namespace flemu

// Runs a heavy-hitter (analytics family) scenario: the network emulation, and the time-free
// reference of the same protocol (`flemu analytics`).
#pragma once
#include <string>
#include <vector>

#include "emulator/config/scenario.hpp"
#include "emulator/core/simulation.hpp"
#include "workloads/data/item_population.hpp"

namespace flemu {

/// The emulation: every user a device reporting to its party's server, parties talking to the
/// aggregator (emulator/schedules/hh_*.hpp). Writes events.jsonl, metrics.csv (estimations),
/// topk.csv (the answer against the truth), parties.csv, summary.json, scenario.resolved.json.
RunSummary run_analytics(const Scenario& sc, const RunOptions& opt);

/// The parties (party-class devices, in device order) and users (the other devices) of `sc`,
/// with the population of items they hold: users are dealt to parties by a seeded shuffle
/// into runs of the population's party sizes. user_device[j][u] is user u of party j.
struct AnalyticsLayout {
  std::vector<int> party_device;
  std::vector<std::vector<int>> user_device;
  ItemPopulation population;
};
AnalyticsLayout analytics_layout(const Scenario& sc);

/// `flemu analytics`: the protocol as pure maths over `users` users (0: one per user device of
/// the scenario), for `trials` seeds (seed, seed + 1, ...), per-user reports or the fast path.
/// Writes trials.csv and summary.json (mean and sd) to `output_dir`; returns the summary text.
std::string run_analytics_maths(const Scenario& sc, uint64_t users, int trials, bool fast, const std::string& output_dir);

}  // namespace flemu

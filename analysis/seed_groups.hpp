// Runs that differ only by their seed (a sweep's "seeds" axis, scenarios/sweep.schema.json)
// form a group; the report shows each group's mean and spread, so that a difference between
// variants can be told from seed noise.
//
// A run's group is the "group" its resolved scenario records (overrides.group, written by
// `flemu sweep`), else its label: only runs a sweep seeded are ever grouped.
//
// Dataset "seed_groups" (one row per group and round that at least one run of the group has):
//   group, round, runs (how many of the group's runs have an evaluated row for this round),
//   time_s (mean), accuracy_mean, accuracy_sd (sample standard deviation; 0 for one run),
//   accuracy_min, accuracy_max, cum_bytes (mean), cum_energy_j (mean; null without energy)
// Rows are per round: with a target-accuracy stop, later rounds have fewer runs (the count says).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/run_reader.hpp"

namespace flemu::analysis {

/// Mean, sample standard deviation, min and max of some numbers (NaN ones skipped).
struct Spread {
  int n = 0;
  double mean = NAN, sd = NAN, min = NAN, max = NAN;
};
Spread spread_of(const std::vector<double>& xs);

struct GroupSummary {
  std::string group;
  std::string color;                  ///< the colour of its first run
  std::vector<std::string> runs;      ///< labels of its runs, in report order
  Spread final_accuracy, simulated_time_s, energy_j, bytes;
};

/// Per-run figures the group summary aggregates (same order as the runs).
struct RunOutcome {
  double final_accuracy = NAN, simulated_time_s = NAN, energy_j = NAN, bytes = NAN;
};

/// Groups of two or more runs (in order of their first run); empty when no run shares its group.
std::vector<GroupSummary> seed_groups(const std::vector<RunData>& runs, const std::vector<RunOutcome>& outcomes);

/// The "seed_groups" dataset for `groups`.
nlohmann::json seed_group_rows(const std::vector<RunData>& runs, const std::vector<GroupSummary>& groups);

}  // namespace flemu::analysis

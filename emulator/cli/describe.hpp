// `flemu describe`: the resolved platform as a human-readable table.
#pragma once
#include <string>

#include "emulator/config/scenario.hpp"

namespace flemu {

/// Device classes with counts and (jitter ranges), explicit devices, server and network.
std::string describe_platform(const Scenario& scenario);

/// The algorithm (family, paper, its settings), the stop rule, and estimates of one round's
/// simulated time, the run's simulated time and, with `measure_wall`, its wall time from a
/// short measurement of this machine's training speed (emulator/cli/estimate.hpp).
std::string describe_run(const Scenario& scenario, bool measure_wall = true);

struct SweepPlan;
/// A sweep: its base, its variants (id, label, overrides) and each variant's estimated round
/// and run time.
std::string describe_sweep(const SweepPlan& plan);

}  // namespace flemu

// Runs a zeroth-order (fedzo, fzoos) scenario: every device is a client with its own black-box
// function (workloads/objectives/black_box.hpp), the server is emulator/schedules/zo_server.hpp.
// Writes events.jsonl, metrics.csv (per round: queries, bytes, simulated time, F and the gap;
// emulator/core/zo_metrics.hpp), summary.json and scenario.resolved.json.
#pragma once
#include "emulator/config/scenario.hpp"
#include "emulator/core/simulation.hpp"

namespace flemu {

RunSummary run_zeroth_order(const Scenario& sc, const RunOptions& opt);

}  // namespace flemu

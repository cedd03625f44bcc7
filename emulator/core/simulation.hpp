// One run of one scenario: data, platform, actors, outputs.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "emulator/config/scenario.hpp"
#include "emulator/core/staged_output.hpp"  // check_output_place, for the CLI

namespace flemu {

struct RunOptions {
  int jobs = 0;                ///< worker threads for training jobs; 0 = the machine's cores
  std::string data_dir;        ///< overrides workload.data_dir when not empty
  std::string output_dir;      ///< overrides the scenario's output directory when not empty
  bool progress = true;        ///< per-round progress lines
  std::vector<std::string> simgrid_config;  ///< extra SimGrid settings "key:value" (expert use)
  int stack_clients = -1;      ///< train a round's clients as one stacked job: -1 auto (CUDA), 0 no, 1 yes
};

struct RunSummary {
  std::string output_dir;
  int rounds = 0;
  double simulated_time_s = 0;
  double final_accuracy = NAN, final_loss = NAN;
  std::string stop_reason;
  std::string events_hash;  ///< xxh64 of events.jsonl
};

/// Runs `scenario` to completion and writes events.jsonl, metrics.csv, summary.json and
/// scenario.resolved.json into the output directory. Outputs are written to a staging folder
/// and moved in place only when the run succeeded: a failed run leaves no half-written files.
/// Can be called once per process (SimGrid's engine is a process-wide singleton).
RunSummary run_scenario(const Scenario& scenario, const RunOptions& options);

/// xxh64 of a file's bytes, 16 lowercase hex digits.
std::string file_hash(const std::string& path);

}  // namespace flemu

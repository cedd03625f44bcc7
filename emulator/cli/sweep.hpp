// `flemu sweep`: runs a planned sweep (emulator/cli/sweep_plan.hpp; file format:
// scenarios/sweep.schema.json), each variant in its own folder <output>/<variant-id>/
// (scenario.json = the resolved variant, run.log, and the usual outputs) as a child
// `flemu run` process, several at once. <output>/index.csv and index.json list variants,
// their labels, groups (label without the seed), overrides and summaries.
// Resumption: a variant whose summary.json names the variant's scenario hash and whose
// events.jsonl still has the recorded hash is skipped; missing or broken ones are redone.
// The index says of each variant its "status" (ran, skipped = complete already, failed,
// interrupted, not run) and whether its outputs are "complete".
// Interruption: on SIGINT/SIGTERM/SIGHUP the sweep starts nothing more, sends SIGTERM to the
// runs going (each removes its staging folder), waits for them, writes the index and exits
// 128 + signal. Child runs also get SIGTERM when the sweep itself dies (even by SIGKILL):
// FLEMU_PARENT_PID makes them ask Linux for it (prctl PR_SET_PDEATHSIG).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/cli/sweep_plan.hpp"

namespace flemu {

struct SweepOptions {
  int parallel = 1;        ///< variants at once
  int jobs_per_run = 1;    ///< worker threads of each child run
  bool progress = true;
  std::string data_dir;    ///< passed to child runs
  std::string flemu_binary;  ///< path of the flemu executable to run variants with
};

struct SweepResult {
  int ran = 0, skipped = 0, failed = 0;
  int interrupted_by = 0;  ///< the signal that stopped the sweep; 0 when it ran to the end
};

/// Runs the plan's variants (skipping complete ones) and writes the index files.
SweepResult run_sweep(const SweepPlan& plan, const SweepOptions& options);

}  // namespace flemu

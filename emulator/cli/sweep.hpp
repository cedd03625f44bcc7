// `flemu sweep SWEEP.json`: one base scenario run under a grid or list of overrides.
//
// Sweep file:
//   {
//     "name": "uplink",                            // optional; default: file stem
//     "base": "../scenarios/quickstart.json",      // base scenario, relative to the sweep file
//     "grid": {"/platform/classes/0/uplink": ["1Mbps", "10Mbps"],   // cartesian product of
//              "/algorithm/lr": [0.01, 0.05]},                      // JSON pointer -> values
//     "list": [{"label": "no-jitter", "set": {"/platform/classes/0/jitter": 0}}],  // and/or
//     "output": {"directory": "out/uplink"}        // optional; default out/<name>
//   }
// Each variant runs in its own folder <output>/<variant-id>/ (scenario.json = the resolved
// variant, run.log, and the usual outputs) as a child `flemu run` process, several at once.
// <output>/index.csv and index.json list variants, their overrides and summaries.
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

namespace flemu {

struct SweepVariant {
  std::string id;         ///< folder name: "v000-<short label>"
  std::string label;      ///< human-readable: "uplink=1Mbps algorithm=fedavg"
  nlohmann::json overrides;  ///< pointer -> value
  nlohmann::json scenario;   ///< base with overrides applied
};

struct SweepPlan {
  std::string name, source, output_dir;
  std::vector<SweepVariant> variants;
};

/// Reads a sweep file and expands it into variants, validating every variant scenario.
/// Throws ScenarioError naming the file, JSON path and what was expected.
/// With `smoke`, every variant is cut down (emulator/config/smoke.hpp) and the sweep writes to
/// "<output>-smoke". A non-empty `output_dir` replaces the sweep file's output directory.
SweepPlan load_sweep(const std::string& path, bool smoke = false, const std::string& output_dir = "");

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

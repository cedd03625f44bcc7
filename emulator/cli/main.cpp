// flemu: the command line.
//   flemu run SCENARIO.json [--set POINTER=VALUE]... [--seed N] [--jobs N] [--data-dir DIR] [-o DIR] [--quiet] [--smoke]
//   flemu validate FILE.json [--set ...] [--seed N]     a scenario or a sweep
//   flemu describe FILE.json [--set ...] [--seed N]     a scenario or a sweep
//   flemu pretrain SCENARIO.json [--set ...] [--data-dir DIR]   build or find the base model
//   flemu sweep FILE.json [--vary POINTER=v1,v2]... [--seeds N] [--set ...] [--parallel N] [--jobs N]
//   flemu report RUN_DIR... [-o FILE.html] [--figures DIR] [--label L]...
//   flemu list [algorithms|models|datasets|topologies|partitions] [--json]
//   flemu schema [scenario|sweep]
//   flemu --version
//   flemu analytics SCENARIO.json [--users N] [--trials T] [--fast] [--set /ptr=json]... [-o DIR]
// --log-level L is accepted anywhere on the line.
// Exit codes: 0 success, 2 bad input (scenario, options), 1 any other failure.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>

#include "emulator/core/analytics_run.hpp"
#include "analysis/report.hpp"
#include "emulator/cli/catalog.hpp"
#include "emulator/cli/describe.hpp"
#include "emulator/cli/sweep.hpp"
#include "emulator/config/scenario.hpp"
#include "emulator/config/smoke.hpp"
#include "emulator/core/mpi_workers.hpp"
#include "emulator/core/simulation.hpp"
#include "flemu_version.hpp"
#include "workloads/text_workload.hpp"

#include <cmath>

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace {

std::string version_text() {
  return std::string("flemu ") + FLEMU_VERSION + " (git " + FLEMU_GIT_DESCRIBE + ")\nSimGrid " + FLEMU_SIMGRID_VERSION +
         ", LibTorch " + FLEMU_TORCH_VERSION + ", schema " + flemu::schema_file("scenario");
}

/// --set and --seed of one subcommand, as overrides in command-line order (--seed last).
std::vector<flemu::Override> overrides_of(const std::vector<std::string>& sets, const std::string& seed) {
  std::vector<flemu::Override> out;
  for (const auto& s : sets) out.push_back(flemu::parse_set_option(s));
  if (!seed.empty()) {
    flemu::Override o = flemu::parse_set_option("/seed=" + seed, "--seed");
    if (!o.value.is_number_unsigned()) throw flemu::ScenarioError("--seed " + seed + ": expected an integer >= 0");
    out.push_back(o);
  }
  return out;
}

/// Whether `path` holds a sweep (a JSON object with "base" and no "platform"). A file that
/// does not parse is left to the scenario loader, whose message names line and column.
bool is_sweep_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return false;
  const auto doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return !doc.is_discarded() && flemu::is_sweep_document(doc);
}

}  // namespace

namespace {

/// A run started by `flemu sweep` dies with it, even when the sweep is killed outright: Linux
/// sends it SIGTERM then (its handler removes the staging folder). FLEMU_PARENT_PID names the
/// sweep; if it is already gone, stop at once.
void die_with_parent() {
  const char* parent = std::getenv("FLEMU_PARENT_PID");
  if (!parent || !*parent) return;
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (std::to_string(::getppid()) != parent) std::_Exit(128 + SIGTERM);
}

}  // namespace

int main(int argc, char** argv) {
  die_with_parent();
  CLI::App app{"flemu: a discrete-event emulator for federated learning (SimGrid + LibTorch)"};
  app.require_subcommand(1);
  // Options of the main command (--log-level) are also read after the subcommand.
  app.fallthrough();
  app.set_version_flag("--version", version_text());
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off (anywhere on the line)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  flemu::RunOptions opt;
  std::string scenario_path;
  std::vector<std::string> sets;
  std::string seed;
  auto add_overrides = [&](CLI::App* cmd) {
    cmd->add_option("--set", sets, "POINTER=VALUE: change the scenario, e.g. /platform/classes/phone/uplink=1Mbps "
                                   "(repeatable; VALUE is JSON when it parses, else text; classes and devices by name "
                                   "or index)");
    cmd->add_option("--seed", seed, "base seed of the run (same as --set /seed=N)");
  };
  bool quiet = false;
  auto* run = app.add_subcommand("run", "run a scenario and write its outputs");
  run->add_option("scenario", scenario_path, "scenario JSON file")->required();
  add_overrides(run);
  run->add_option("-j,--jobs", opt.jobs, "worker threads for training jobs (default: the cores)")
      ->check(CLI::NonNegativeNumber);
  run->add_option("--data-dir", opt.data_dir, "dataset directory (overrides the scenario)");
  run->add_option("-o,--output", opt.output_dir, "output directory (overrides the scenario)");
  run->add_flag("-q,--quiet", quiet, "no per-round progress lines");
  run->add_option("--cfg", opt.simgrid_config, "extra SimGrid setting key:value (repeatable; expert use)");
  run->add_option("--stack-clients", opt.stack_clients,
                  "train each round's MLP clients as one stacked job: 1 yes, 0 no (default: only on CUDA)")
      ->check(CLI::Range(0, 1));
  bool smoke = false;
  run->add_flag("--smoke", smoke, "cut-down run: 2 rounds on a little synthetic data (checks a scenario works)");

  auto* validate = app.add_subcommand("validate", "check a scenario or a sweep without running it");
  validate->add_option("file", scenario_path, "scenario or sweep JSON file")->required();
  add_overrides(validate);
  auto* describe = app.add_subcommand(
      "describe", "print a scenario's platform, algorithm, stop rule and time estimates (or a sweep's variants)");
  describe->add_option("file", scenario_path, "scenario or sweep JSON file")->required();
  add_overrides(describe);
  bool no_wall = false;
  describe->add_flag("--no-wall-estimate", no_wall, "skip the short training measurement behind the wall-time estimate");
  auto* pretrain = app.add_subcommand(
      "pretrain", "build (or find in its cache) the base model of a scenario's workload.init.pretrain; print its path and hash");
  pretrain->add_option("scenario", scenario_path, "scenario JSON file")->required();
  add_overrides(pretrain);
  pretrain->add_option("--data-dir", opt.data_dir, "corpus directory (overrides the default)");

  flemu::SweepRequest sweep_req;
  std::vector<std::string> vary;
  flemu::SweepOptions sweep_opt;
  sweep_opt.parallel = 1;
  auto* sweep = app.add_subcommand("sweep", "run a base scenario under a grid or list of overrides, and seeds");
  sweep->add_option("file", sweep_req.path, "sweep JSON file (scenarios/sweep.schema.json), or a scenario with --vary/--seeds")
      ->required();
  sweep->add_option("--vary", vary, "POINTER=v1,v2,...: one variant per value (repeatable: a grid)");
  sweep->add_option("--seeds", sweep_req.seeds, "repeat every variant with N seeds (base seed, +1, ...)")
      ->check(CLI::PositiveNumber);
  sweep->add_option("--set", sets, "POINTER=VALUE applied to the base scenario before the variants (repeatable)");
  sweep->add_option("-p,--parallel", sweep_opt.parallel, "variants run at once (default 1)")->check(CLI::PositiveNumber);
  sweep->add_option("-j,--jobs", sweep_opt.jobs_per_run, "worker threads per variant (default 1)")
      ->check(CLI::PositiveNumber);
  sweep->add_option("--data-dir", sweep_opt.data_dir, "dataset directory (overrides the scenarios)");
  sweep->add_option("-o,--output", sweep_req.output_dir, "output directory of the sweep (overrides the sweep file)");
  sweep->add_flag("-q,--quiet", quiet, "no progress lines");
  sweep->add_flag("--smoke", sweep_req.smoke, "cut-down variants: 2 rounds on a little synthetic data, into <output>-smoke");

  flemu::analysis::ReportOptions report_opt;
  auto* report = app.add_subcommand("report", "write an HTML report (and figures) from run output folders");
  report->add_option("runs", report_opt.run_dirs, "run output directories (a sweep's index.json folder expands)")
      ->required();
  report->add_option("-o,--output", report_opt.html_path,
                     "HTML file to write, or a folder for <folder>/report.html (default: report.html next to "
                     "the runs: in the one folder given, or in the folder that holds them all; an existing file "
                     "there is replaced only if it is this report's earlier version)");
  report->add_option("--figures", report_opt.figures_dir, "also write PNG and SVG figures (gnuplot) here");
  report->add_option("--label", report_opt.labels, "legend name of each run, in order");

  std::string list_what;
  bool list_json = false;
  auto* list = app.add_subcommand("list", "what a scenario can name, from the schema: algorithms, models, ...");
  list->add_option("what", list_what, "algorithms | models | datasets | topologies | partitions (default: all)");
  list->add_flag("--json", list_json, "machine-readable output");
  std::string schema_which = "scenario";
  auto* schema = app.add_subcommand("schema", "print the JSON Schema of scenario files (or of sweep files)");
  schema->add_option("which", schema_which, "scenario (default) or sweep")->check(CLI::IsMember({"scenario", "sweep"}));
  uint64_t hh_users = 0;
  int hh_trials = 1;
  bool hh_fast = false;
  std::vector<std::string> hh_set;
  std::string hh_output;
  auto* hh = app.add_subcommand("analytics",
                                "run a heavy-hitter scenario's protocol as pure maths (no network, no time), over "
                                "trials, at any number of users");
  hh->add_option("scenario", scenario_path, "scenario JSON file (an analytics algorithm)")->required();
  hh->add_option("--users", hh_users, "users (default: one per user device of the scenario)");
  hh->add_option("--trials", hh_trials, "trials with seeds seed, seed + 1, ... (default 1)")->check(CLI::PositiveNumber);
  hh->add_flag("--fast", hh_fast, "draw each level's support counts from binomials instead of per-user reports");
  hh->add_option("--set", hh_set, "override a scenario value: /json/pointer=json-value (repeatable)");
  hh->add_option("-o,--output", hh_output, "output directory (default: the scenario's, suffixed -maths)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("flemu"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("[%H:%M:%S] [%^%l%$] %v");
  opt.progress = !quiet;

  if (*schema) {
    std::ifstream in(flemu::schema_file(schema_which));
    if (!in) {
      std::cerr << "error: cannot read " << flemu::schema_file(schema_which) << "\n";
      return 1;
    }
    std::cout << in.rdbuf();
    return 0;
  }
  if (*list) {
    try {
      const auto& sch = flemu::scenario_schema();
      std::vector<std::string> lists = list_what.empty() ? flemu::catalog_lists(sch) : std::vector<std::string>{list_what};
      nlohmann::json all = nlohmann::json::array();
      for (size_t i = 0; i < lists.size(); ++i) {
        const auto c = flemu::read_catalog(sch, lists[i]);
        if (list_json) all.push_back(flemu::catalog_json(c));
        else std::cout << (i ? "\n" : "") << flemu::format_catalog(c);
      }
      if (list_json) std::cout << (list_what.empty() ? all : all[0]).dump(2) << "\n";
      return 0;
    } catch (const std::invalid_argument& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 2;
    }
  }
  if (*report) {
    try {
      const std::string written = flemu::analysis::write_report(report_opt);
      std::cout << "report written to " << written << "\n";
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 2;
    }
  }

  std::vector<flemu::Override> overrides;
  try {
    overrides = overrides_of(sets, seed);
    for (const auto& v : vary) sweep_req.vary.push_back(flemu::parse_vary_option(v));
  } catch (const flemu::ScenarioError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
  if (*sweep) {
    try {
      sweep_req.base_set = overrides;
      auto plan = flemu::plan_sweep(sweep_req);
      try {
        flemu::check_output_place(plan.output_dir);
      } catch (const flemu::OutputPlaceError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
      }
      sweep_opt.progress = !quiet;
      sweep_opt.flemu_binary = std::filesystem::read_symlink("/proc/self/exe").string();
      auto r = flemu::run_sweep(plan, sweep_opt);
      std::cout << "sweep " << plan.name << ": " << r.ran << " ran, " << r.skipped << " already complete, " << r.failed
                << " failed" << (r.interrupted_by ? " (interrupted: run it again to resume)" : "") << "; index in "
                << plan.output_dir << "/index.csv\n";
      return r.interrupted_by ? 128 + r.interrupted_by : r.failed ? 1 : 0;
    } catch (const flemu::ScenarioError& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 2;
    } catch (const std::exception& e) {
      spdlog::error("{}", e.what());
      return 1;
    }
  }
  // validate and describe take sweeps as well as scenarios.
  if ((*validate || *describe) && is_sweep_file(scenario_path)) {
    try {
      sweep_req.path = scenario_path;
      sweep_req.base_set = overrides;
      const auto plan = flemu::plan_sweep(sweep_req);
      if (*validate)
        std::cout << scenario_path << ": valid sweep \"" << plan.name << "\" of " << plan.variants.size()
                  << " variants of " << plan.base << ", each a valid scenario\n";
      else
        std::cout << flemu::describe_sweep(plan);
      return 0;
    } catch (const flemu::ScenarioError& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 2;
    } catch (const std::exception& e) {
      spdlog::error("{}", e.what());
      return 1;
    }
  }

  if (*hh) {
    try {
      // The scenario reader of `run` (its parse errors name the file and a line or path) and
      // its --set overrides.
      const auto sc = flemu::load_scenario(scenario_path, overrides_of(hh_set, ""));
      if (sc.algorithm.family != "analytics")
        throw flemu::ScenarioError(scenario_path + ": /algorithm/name: expected an analytics algorithm (pem, pem-local, tap, taps)");
      const std::string out = hh_output.empty() ? sc.output_dir + "-maths" : hh_output;
      std::cout << flemu::run_analytics_maths(sc, hh_users, hh_trials, hh_fast, out) << "; outputs in " << out << "\n";
      return 0;
    } catch (const flemu::ScenarioError& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 2;
    } catch (const flemu::OutputPlaceError& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 2;
    } catch (const nlohmann::json::exception& e) {
      std::cerr << "error: " << scenario_path << ": " << e.what() << "\n";
      return 2;
    } catch (const std::exception& e) {
      spdlog::error("{}", e.what());
      return 1;
    }
  }

  flemu::Scenario scenario;
  try {
    scenario = flemu::load_scenario(scenario_path, overrides);
    // Smoke: the file passed every check as written; now run its cut-down version.
    if (smoke) scenario = flemu::load_scenario(flemu::cut_down(scenario.resolved), scenario_path + " (cut down)", scenario_path);
  } catch (const flemu::ScenarioError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {  // a check the loader missed: still the input's fault, never a crash
    std::cerr << "error: " << scenario_path << ": " << e.what() << "\n";
    return 2;
  }
  if (*run) {
    // Before any work: a run that cannot write its outputs fails now, not after hours.
    try {
      flemu::check_output_place(opt.output_dir.empty() ? scenario.output_dir : opt.output_dir);
    } catch (const flemu::OutputPlaceError& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 2;
    }
  }
  try {
    if (*validate) {
      std::cout << scenario_path << ": valid (scenario hash " << scenario.hash << ")\n";
      return 0;
    }
    if (*describe) {
      std::cout << flemu::describe_platform(scenario) << flemu::describe_run(scenario, !no_wall);
      return 0;
    }
    if (*pretrain) {
      if (scenario.workload.init.kind != flemu::InitSpec::Pretrain) {
        std::cerr << "error: " << scenario_path << ": /workload/init/pretrain: expected a pretraining section\n";
        return 2;
      }
      flemu::WorkloadSpec w = scenario.workload;
      if (w.transformer.vocab == 0) w.transformer.vocab = flemu::text_vocabulary(w, opt.data_dir).size();
      const auto ck = flemu::base_checkpoint(w, opt.data_dir, [](const std::string& line) { spdlog::info("{}", line); });
      std::cout << "checkpoint " << ck.path << "\nhash " << ck.hash << "\nkey " << ck.key << "\n"
                << (ck.built ? "built now" : "found in the cache") << ", held-out perplexity "
                << std::exp(ck.heldout_loss) << "\n";
      return 0;
    }
    // `mpirun -np K flemu run`: rank 0 runs the engine, ranks > 0 serve its training jobs
    // (emulator/core/mpi_workers.hpp). Without mpirun the session does nothing.
    flemu::MpiSession mpi(&argc, &argv);
    if (flemu::MpiSession::active() && flemu::MpiSession::rank() == 0)
      flemu::remove_on_termination((opt.output_dir.empty() ? scenario.output_dir : opt.output_dir) + ".partial");
    auto s = flemu::run_scenario(scenario, opt);
    if (flemu::MpiSession::rank() > 0) return 0;
    if (scenario.algorithm.family == "analytics")
      std::cout << "flemu: " << scenario.algorithm.name << " answered at simulated time " << s.simulated_time_s
                << " s after " << s.rounds << " levels; outputs in " << s.output_dir << " (topk.csv, summary.json)\n";
    else if (scenario.algorithm.family == "zeroth-order")
      std::cout << "flemu: " << s.rounds << " rounds, simulated time " << s.simulated_time_s << " s, final F "
                << s.final_loss << " (stop: " << s.stop_reason << "); outputs in " << s.output_dir << "\n";
    else
      std::cout << "flemu: " << s.rounds << " rounds, simulated time " << s.simulated_time_s << " s, final accuracy "
                << s.final_accuracy << " (stop: " << s.stop_reason << "); outputs in " << s.output_dir << "\n";
    return 0;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}

// flemu: the command line.
//   flemu run SCENARIO.json [--jobs N] [--data-dir DIR] [--output DIR] [--log-level L] [--quiet]
//   flemu validate SCENARIO.json
//   flemu describe SCENARIO.json
//   flemu sweep SWEEP.json [--parallel N] [--jobs N]
//   flemu report RUN_DIR... [-o report.html] [--figures DIR] [--label L]...
// Exit codes: 0 success, 2 bad input (scenario, options), 1 any other failure.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "emulator/cli/describe.hpp"
#include "emulator/core/mpi_workers.hpp"
#include "emulator/config/scenario.hpp"
#include "emulator/core/simulation.hpp"
#include "emulator/config/smoke.hpp"
#include "emulator/cli/sweep.hpp"
#include "analysis/report.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

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
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  flemu::RunOptions opt;
  std::string scenario_path;
  bool quiet = false;
  auto* run = app.add_subcommand("run", "run a scenario and write its outputs");
  run->add_option("scenario", scenario_path, "scenario JSON file")->required();
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

  auto* validate = app.add_subcommand("validate", "check a scenario without running it");
  validate->add_option("scenario", scenario_path, "scenario JSON file")->required();
  auto* describe = app.add_subcommand("describe", "print the resolved platform as a table");
  describe->add_option("scenario", scenario_path, "scenario JSON file")->required();

  std::string sweep_path;
  flemu::SweepOptions sweep_opt;
  sweep_opt.parallel = 1;
  auto* sweep = app.add_subcommand("sweep", "run a base scenario under a grid or list of overrides");
  sweep->add_option("sweep", sweep_path, "sweep JSON file (see emulator/cli/sweep.hpp)")->required();
  sweep->add_option("-p,--parallel", sweep_opt.parallel, "variants run at once (default 1)")->check(CLI::PositiveNumber);
  sweep->add_option("-j,--jobs", sweep_opt.jobs_per_run, "worker threads per variant (default 1)")
      ->check(CLI::PositiveNumber);
  sweep->add_option("--data-dir", sweep_opt.data_dir, "dataset directory (overrides the scenarios)");
  std::string sweep_output;
  sweep->add_option("-o,--output", sweep_output, "output directory of the sweep (overrides the sweep file)");
  sweep->add_flag("-q,--quiet", quiet, "no progress lines");
  sweep->add_flag("--smoke", smoke, "cut-down variants: 2 rounds on a little synthetic data, into <output>-smoke");

  flemu::analysis::ReportOptions report_opt;
  report_opt.html_path = "report.html";
  auto* report = app.add_subcommand("report", "write an HTML report (and figures) from run output folders");
  report->add_option("runs", report_opt.run_dirs, "run output directories (a sweep's index.json folder expands)")
      ->required();
  auto* report_output = report->add_option("-o,--output", report_opt.html_path,
                                           "HTML file to write, or a folder for <folder>/report.html (default "
                                           "./report.html, which is never replaced silently)");
  report->add_option("--figures", report_opt.figures_dir, "also write PNG and SVG figures (gnuplot) here");
  report->add_option("--label", report_opt.labels, "legend name of each run, in order");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("flemu"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("[%H:%M:%S] [%^%l%$] %v");
  opt.progress = !quiet;

  if (*report) {
    try {
      report_opt.may_replace = report_output->count() > 0;
      flemu::analysis::write_report(report_opt);
      std::cout << "report written to " << flemu::analysis::report_target(report_opt) << "\n";
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 2;
    }
  }
  if (*sweep) {
    try {
      auto plan = flemu::load_sweep(sweep_path, smoke, sweep_output);
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

  flemu::Scenario scenario;
  try {
    scenario = flemu::load_scenario(scenario_path);
    // Smoke: the file passed every check as written; now run its cut-down version.
    if (smoke) scenario = flemu::load_scenario(flemu::cut_down(scenario.resolved), scenario_path + " (cut down)");
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
      std::cout << flemu::describe_platform(scenario);
      return 0;
    }
    // `mpirun -np K flemu run`: rank 0 runs the engine, ranks > 0 serve its training jobs
    // (emulator/core/mpi_workers.hpp). Without mpirun the session does nothing.
    flemu::MpiSession mpi(&argc, &argv);
    if (flemu::MpiSession::active() && flemu::MpiSession::rank() == 0)
      flemu::remove_on_termination((opt.output_dir.empty() ? scenario.output_dir : opt.output_dir) + ".partial");
    auto s = flemu::run_scenario(scenario, opt);
    if (flemu::MpiSession::rank() > 0) return 0;
    std::cout << "flemu: " << s.rounds << " rounds, simulated time " << s.simulated_time_s << " s, final accuracy "
              << s.final_accuracy << " (stop: " << s.stop_reason << "); outputs in " << s.output_dir << "\n";
    return 0;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}

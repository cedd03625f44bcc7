// flemu: the command line.
//   flemu run SCENARIO.json [--jobs N] [--data-dir DIR] [--output DIR] [--log-level L] [--quiet]
//   flemu validate SCENARIO.json
//   flemu describe SCENARIO.json
// Exit codes: 0 success, 2 bad input (scenario, options), 1 any other failure.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "emulator/describe.hpp"
#include "emulator/scenario.hpp"
#include "emulator/simulation.hpp"

int main(int argc, char** argv) {
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

  auto* validate = app.add_subcommand("validate", "check a scenario without running it");
  validate->add_option("scenario", scenario_path, "scenario JSON file")->required();
  auto* describe = app.add_subcommand("describe", "print the resolved platform as a table");
  describe->add_option("scenario", scenario_path, "scenario JSON file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("flemu"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("[%H:%M:%S] [%^%l%$] %v");
  opt.progress = !quiet;

  flemu::Scenario scenario;
  try {
    scenario = flemu::load_scenario(scenario_path);
  } catch (const flemu::ScenarioError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
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
    auto s = flemu::run_scenario(scenario, opt);
    std::cout << "flemu: " << s.rounds << " rounds, simulated time " << s.simulated_time_s << " s, final accuracy "
              << s.final_accuracy << " (stop: " << s.stop_reason << "); outputs in " << s.output_dir << "\n";
    return 0;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}

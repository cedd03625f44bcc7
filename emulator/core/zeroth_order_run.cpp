#include "emulator/core/engine_start.hpp"
#include "emulator/core/zeroth_order_run.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>
#include <simgrid/s4u.hpp>
#include <spdlog/spdlog.h>

#include "emulator/core/device_transfer.hpp"
#include "emulator/core/link_changes.hpp"
#include "emulator/core/mpi_workers.hpp"
#include "emulator/core/staged_output.hpp"
#include "emulator/core/trace_writer.hpp"
#include "emulator/core/zo_metrics.hpp"
#include "emulator/schedules/zo_server.hpp"
#include "workloads/rng.hpp"

namespace fs = std::filesystem;
namespace sg4 = simgrid::s4u;

namespace flemu {

namespace {
constexpr uint64_t kProblemStream = 188, kFeatureStream = 189;
}

RunSummary run_zeroth_order(const Scenario& sc, const RunOptions& opt) {
  if (MpiSession::active() && MpiSession::rank() > 0) return {};  // no training jobs to serve
  const auto wall_start = std::chrono::steady_clock::now();
  const fs::path out_dir = opt.output_dir.empty() ? sc.output_dir : opt.output_dir;
  StagedOutput output(out_dir, !MpiSession::active());
  const fs::path& staging = output.dir();
  try {
    const auto devices = expand_devices(sc.platform, sc.seed);
    const BlackBoxSpec& objective = *sc.workload.objective;
    spdlog::info("scenario {} ({}): {} on {} (d = {}, C = {}) over {} clients", sc.name, sc.hash, sc.algorithm.name,
                 to_string(objective.function), objective.dimension, objective.heterogeneity, devices.size());
    const int jobs = opt.jobs > 0 ? opt.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    JobPool pool(jobs);
    EventBus bus;
    TraceWriter trace((staging / "events.jsonl").string());
    ZoMetrics metrics;
    bus.subscribe(&trace);
    bus.subscribe(&metrics);

    StartedEngine started = start_engine(sc.platform.network, devices.size(), opt.simgrid_config, output);
    sg4::Engine& engine = started.engine();
    const StarPlatform platform = build_star_platform(sc.platform, devices);
    Fleet fleet(devices, platform, sc.platform, sc.seed, sc.stop.max_time_s > 0 ? sc.stop.max_time_s : 30 * 86400.0, bus);

    BlackBoxProblem problem(objective, static_cast<int>(devices.size()), derive_seed(sc.seed, {kProblemStream}));
    zo::RffFeatures features;
    if (sc.algorithm.name == "fzoos")
      features = zo::make_rff_features(objective.dimension, sc.algorithm.fzoos.rff_features,
                                       sc.algorithm.fzoos.rff_lengthscale, derive_seed(sc.seed, {kFeatureStream}));
    ZoFederation fed{sc, devices, platform, fleet, bus, pool, problem, std::move(features),
                     std::vector<zo::FzoosClient>(devices.size()), std::vector<std::shared_future<void>>(devices.size()), {}};
    ServerOutcome outcome;
    install_transfer_rules({&platform, &fleet});
    if (fleet.needs_controller()) sg4::Actor::create("fleet", platform.server, [&fleet] { fleet.run_controller(); });
    start_link_changes(platform, fleet);
    sg4::Actor::create("server", platform.server, ZoServer(fed, outcome));
    const auto engine_start = std::chrono::steady_clock::now();
    output.reinstall_signal_handlers();  // as run_scenario does, right before the engine runs
    engine.run();
    const double engine_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - engine_start).count();
    // Jobs of clients killed mid-phase still run: wait for them before their state goes.
    for (auto& job : fed.last_job)
      if (job.valid()) job.wait();
    const double sim_time = sg4::Engine::get_clock();
    clear_transfer_rules();
    fleet.settle(sim_time);
    trace.close();
    metrics.write_csv((staging / "metrics.csv").string());
    {
      std::ofstream out(staging / "scenario.resolved.json");
      out << sc.resolved.dump(2) << "\n";
    }
    RunSummary s;
    s.output_dir = out_dir.string();
    s.rounds = outcome.rounds;
    s.simulated_time_s = sim_time;
    s.final_loss = outcome.final_loss;
    s.stop_reason = outcome.stop_reason;
    s.events_hash = file_hash((staging / "events.jsonl").string());
    double up = 0, down = 0, flops = 0;
    for (const auto& r : metrics.rows()) up += r.bytes_up, down += r.bytes_down, flops += r.flops;
    const auto& last = metrics.rows().back();
    nlohmann::ordered_json j;
    j["scenario"] = sc.name;
    j["scenario_hash"] = sc.hash;
    j["events_hash"] = s.events_hash;
    j["metrics_hash"] = file_hash((staging / "metrics.csv").string());
    j["rounds"] = outcome.rounds;
    j["stop_reason"] = outcome.stop_reason;
    j["simulated_time_s"] = sim_time;
    j["final_accuracy"] = nullptr;
    j["final_loss"] = nullptr;
    j["bytes_up"] = up;
    j["bytes_down"] = down;
    j["flops"] = flops;
    j["method"] = sc.algorithm.name;
    j["function"] = to_string(objective.function);
    j["dimension"] = objective.dimension;
    j["clients"] = devices.size();
    j["queries"] = metrics.total_queries();
    j["initial_value"] = metrics.rows().front().value;
    j["final_value"] = last.value;
    j["optimum"] = problem.optimum_value();
    j["optimum_exact"] = problem.optimum_exact();
    j["final_gap"] = last.gap;
    if (fleet.measures_energy()) {
      double compute = 0, radio = 0;
      for (int i = 0; i < fleet.size(); ++i) compute += fleet.compute_energy_j(i), radio += fleet.radio_energy_j(i);
      j["energy_j"] = {{"compute", compute}, {"radio", radio}, {"total", compute + radio}};
    }
    j["jobs"] = jobs;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    j["wall_time_s"] = wall;
    j["wall_breakdown"] = {{"setup_s", wall - engine_wall}, {"engine_s", engine_wall}};
    std::ofstream(staging / "summary.json") << j.dump(2) << "\n";
    output.commit();
    return s;
  } catch (...) {
    clear_transfer_rules();
    throw;  // `output` removes the staging folder
  }
}

}  // namespace flemu

#include "emulator/core/engine_start.hpp"
#include "emulator/core/analytics_run.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <simgrid/s4u.hpp>
#include <spdlog/spdlog.h>

#include "algorithms/analytics/heavy_hitter_metrics.hpp"
#include "emulator/core/analytics_metrics.hpp"
#include "emulator/core/device_transfer.hpp"
#include "emulator/core/link_changes.hpp"
#include "emulator/core/mpi_workers.hpp"
#include "emulator/core/staged_output.hpp"
#include "emulator/core/trace_writer.hpp"
#include "emulator/schedules/hh_aggregator.hpp"
#include "emulator/schedules/hh_arrivals.hpp"
#include "emulator/schedules/hh_party.hpp"
#include "workloads/rng.hpp"

namespace fs = std::filesystem;
namespace sg4 = simgrid::s4u;

namespace flemu {

namespace {

constexpr uint64_t kArrivalStream = 185, kDealStream = 186;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error(path.string() + ": write failed");
}

std::string item_text(const Scenario& sc, uint64_t item) {
  if (sc.workload.items->source == ItemsSpec::Source::Fortunes) return decode_string(item, sc.workload.items->bits);
  return fmt::format("{:0{}x}", item, (sc.workload.items->bits + 3) / 4);
}

nlohmann::ordered_json quality_json(const analytics::TopKQuality& q) {
  nlohmann::ordered_json j;
  j["f1"] = q.f1;
  j["ncr"] = q.ncr;
  j["precision"] = q.precision;
  j["recall"] = q.recall;
  j["hits"] = q.hits;
  j["relative_error"] = std::isnan(q.relative_error) ? nlohmann::ordered_json() : nlohmann::ordered_json(q.relative_error);
  return j;
}

}  // namespace

AnalyticsLayout analytics_layout(const Scenario& sc) {
  AnalyticsLayout layout;
  const auto devices = expand_devices(sc.platform, sc.seed);
  std::vector<int> users;
  for (int i = 0; i < static_cast<int>(devices.size()); ++i)
    (devices[static_cast<size_t>(i)].class_name == sc.algorithm.party_class ? layout.party_device : users).push_back(i);
  const int P = static_cast<int>(layout.party_device.size());
  layout.population = make_item_population(*sc.workload.items, P, users.size(), sc.seed);
  Rng rng(derive_seed(sc.seed, {kDealStream}));
  rng.shuffle(users);
  size_t at = 0;
  for (int j = 0; j < P; ++j) {
    const auto n = layout.population.party_users[static_cast<size_t>(j)];
    layout.user_device.emplace_back(users.begin() + static_cast<std::ptrdiff_t>(at),
                                    users.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
  }
  return layout;
}

RunSummary run_analytics(const Scenario& sc, const RunOptions& opt) {
  if (MpiSession::active() && MpiSession::rank() > 0) return {};  // no training jobs to serve
  const auto wall_start = std::chrono::steady_clock::now();
  const fs::path out_dir = opt.output_dir.empty() ? sc.output_dir : opt.output_dir;
  StagedOutput output(out_dir, !MpiSession::active());
  const fs::path& staging = output.dir();
  try {
    const AnalyticsLayout layout = analytics_layout(sc);
    const auto devices = expand_devices(sc.platform, sc.seed);
    analytics::HhParams params = sc.algorithm.heavy_hitters;
    const analytics::HhPlan plan = analytics::make_hh_plan(params, layout.population.party_users, sc.seed);
    spdlog::info("scenario {} ({}): {} over {} users in {} parties, oracle {}, epsilon {}, k {}", sc.name, sc.hash,
                 sc.algorithm.name, std::accumulate(plan.party_users.begin(), plan.party_users.end(), uint64_t{0}),
                 plan.parties(), analytics::to_string(params.oracle), params.epsilon, params.k);

    EventBus bus;
    TraceWriter trace((staging / "events.jsonl").string());
    AnalyticsMetrics metrics;
    bus.subscribe(&trace);
    bus.subscribe(&metrics);

    StartedEngine started = start_engine(sc.platform.network, devices.size(), opt.simgrid_config, output);
    sg4::Engine& engine = started.engine();
    const StarPlatform platform = build_star_platform(sc.platform, devices);
    Fleet fleet(devices, platform, sc.platform, sc.seed, 30 * 86400.0, bus);

    HhFederation fed{sc, devices, platform, fleet, bus, plan, layout.population.items, {}, {}, {}, {}, 0, -1};
    fed.parties.resize(static_cast<size_t>(plan.parties()));
    fed.user_of_device.assign(devices.size(), {-1, 0});
    HhDeviceWatch watch(fed);
    fleet.subscribe(&watch);
    for (int j = 0; j < plan.parties(); ++j) {
      HhParty& party = fed.parties[static_cast<size_t>(j)];
      party.index = j;
      party.device = layout.party_device[static_cast<size_t>(j)];
      party.host = platform.devices[static_cast<size_t>(party.device)];
      party.user_devices = layout.user_device[static_cast<size_t>(j)];
      party.reported.assign(party.user_devices.size(), 0);
      for (size_t u = 0; u < party.user_devices.size(); ++u)
        fed.user_of_device[static_cast<size_t>(party.user_devices[u])] = {j, u};
      party.levels.resize(static_cast<size_t>(plan.levels()));
      for (int l = 0; l < plan.levels(); ++l) party.levels[static_cast<size_t>(l)].expected = plan.group[static_cast<size_t>(j)][static_cast<size_t>(l)];
      Rng rng(derive_seed(sc.seed, {kArrivalStream, static_cast<uint64_t>(j)}));
      for (size_t u = 0; u < party.user_devices.size(); ++u)
        party.arrival_s.push_back(rng.uniform(0, sc.workload.items->arrival_spread_s));
      // OLH users need no candidates: every level is open from the start.
      if (!fed.needs_candidates())
        for (int l = 0; l < plan.levels(); ++l) open_level(fed, party, l, {});
    }

    install_transfer_rules({&platform, &fleet});
    if (fleet.needs_controller()) sg4::Actor::create("fleet", platform.server, [&fleet] { fleet.run_controller(); });
    start_link_changes(platform, fleet);
    sg4::Actor::create("aggregator", platform.server, HhAggregator(fed));
    for (int j = 0; j < plan.parties(); ++j) {
      sg4::Host* host = fed.parties[static_cast<size_t>(j)].host;
      sg4::Actor::create("party-" + std::to_string(j), host, HhPartyServer(fed, j));
      sg4::Actor::create("arrivals-" + std::to_string(j), host, HhArrivals(fed, j));
      sg4::Actor::create("downlink-" + std::to_string(j), host, [&fed, j] { run_party_downlink(fed, j); });
    }
    const auto engine_start = std::chrono::steady_clock::now();
    output.reinstall_signal_handlers();  // as run_scenario does, right before the engine runs
    engine.run();
    const double engine_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - engine_start).count();
    clear_transfer_rules();
    fleet.settle(sg4::Engine::get_clock());
    if (fed.result_time_s < 0) throw std::runtime_error("the aggregator never got its answer (a party stalled)");
    trace.close();
    metrics.write_csv((staging / "metrics.csv").string());

    // The answer against the truth (on the encoded items).
    const auto truth = analytics::true_counts(layout.population.items);
    const auto quality = analytics::score_top_k(fed.top, truth, params.k);
    std::unordered_map<uint64_t, int> true_rank;
    for (size_t i = 0; i < truth.ranked.size(); ++i) true_rank[truth.ranked[i].item] = static_cast<int>(i) + 1;
    {
      std::ofstream out(staging / "topk.csv");
      out << "rank,item,estimate,true_count,true_rank\n";
      for (size_t i = 0; i < fed.top.size(); ++i) {
        const auto& ic = fed.top[i];
        const auto c = truth.count.count(ic.item) ? truth.count.at(ic.item) : 0;
        out << fmt::format("{},\"{}\",{},{},{}\n", i + 1, item_text(sc, ic.item), ic.count, c,
                           true_rank.count(ic.item) ? true_rank[ic.item] : 0);
      }
      out << "# true top-" << params.k << ":";
      for (int i = 0; i < params.k && i < static_cast<int>(truth.ranked.size()); ++i)
        out << " " << item_text(sc, truth.ranked[static_cast<size_t>(i)].item) << "="
            << truth.ranked[static_cast<size_t>(i)].count;
      out << "\n";
    }
    {
      std::ofstream out(staging / "parties.csv");
      out << "party,name,device,users,reports,missed,user_bytes,bytes_up,bytes_down";
      for (int l = 0; l < plan.levels(); ++l) out << ",group_" << l + 1;
      out << "\n";
      for (int j = 0; j < plan.parties(); ++j) {
        out << fmt::format("{},{},{},{},{},{},{},{},{}", j, layout.population.party_names[static_cast<size_t>(j)],
                           devices[static_cast<size_t>(fed.parties[static_cast<size_t>(j)].device)].name,
                           plan.party_users[static_cast<size_t>(j)], metrics.reports_by_party[j],
                           metrics.missed_by_party[j], metrics.user_bytes_by_party[j], metrics.party_up_by_party[j],
                           metrics.party_down_by_party[j]);
        for (int l = 0; l < plan.levels(); ++l) out << "," << plan.group[static_cast<size_t>(j)][static_cast<size_t>(l)];
        out << "\n";
      }
    }
    write_text(staging / "scenario.resolved.json", sc.resolved.dump(2) + "\n");

    const double sim_time = sg4::Engine::get_clock();
    const uint64_t users = std::accumulate(plan.party_users.begin(), plan.party_users.end(), uint64_t{0});
    RunSummary s;
    s.output_dir = out_dir.string();
    s.rounds = plan.levels();
    s.simulated_time_s = sim_time;
    s.stop_reason = "result";
    s.events_hash = file_hash((staging / "events.jsonl").string());
    nlohmann::ordered_json j;
    j["scenario"] = sc.name;
    j["scenario_hash"] = sc.hash;
    j["events_hash"] = s.events_hash;
    j["metrics_hash"] = file_hash((staging / "metrics.csv").string());
    j["rounds"] = plan.levels();
    j["stop_reason"] = "result";
    j["simulated_time_s"] = sim_time;
    j["time_to_result_s"] = fed.result_time_s;
    j["final_accuracy"] = nullptr;
    j["final_loss"] = nullptr;
    j["bytes_up"] = metrics.user_up + metrics.party_up;
    j["bytes_down"] = metrics.user_down + metrics.party_down;
    j["method"] = sc.algorithm.name;
    j["oracle"] = analytics::to_string(params.oracle);
    j["epsilon"] = params.epsilon;
    j["k"] = params.k;
    j["parties"] = plan.parties();
    j["users"] = users;
    j["reports"] = metrics.reports;
    j["missed_users"] = metrics.missed;
    j["quality"] = quality_json(quality);
    j["missing_estimates"] = fed.missing;
    double max_user = 0;
    for (const auto& [d, b] : metrics.bytes_by_user) max_user = std::max(max_user, b);
    j["bytes"] = {{"user_to_party", metrics.user_up},
                  {"party_to_user", metrics.user_down},
                  {"party_to_aggregator", metrics.party_up},
                  {"aggregator_to_party", metrics.party_down},
                  {"per_user_mean", users ? (metrics.user_up + metrics.user_down) / static_cast<double>(users) : 0.0},
                  {"per_user_max", max_user},
                  {"per_party_mean", (metrics.party_up + metrics.party_down) / plan.parties()}};
    j["levels"] = plan.bits;
    if (fleet.measures_energy()) {
      double compute = 0, radio = 0;
      for (int i = 0; i < fleet.size(); ++i) compute += fleet.compute_energy_j(i), radio += fleet.radio_energy_j(i);
      j["energy_j"] = {{"compute", compute}, {"radio", radio}, {"total", compute + radio}};
    }
    j["devices"] = devices.size();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    j["wall_time_s"] = wall;
    j["wall_breakdown"] = {{"setup_s", wall - engine_wall}, {"engine_s", engine_wall}};
    write_text(staging / "summary.json", j.dump(2) + "\n");
    output.commit();
    return s;
  } catch (...) {
    clear_transfer_rules();
    throw;  // `output` removes the staging folder
  }
}

std::string run_analytics_maths(const Scenario& sc, uint64_t users, int trials, bool fast, const std::string& output_dir) {
  const auto devices = expand_devices(sc.platform, sc.seed);
  int parties = 0;
  uint64_t user_devices = 0;
  for (const auto& d : devices) d.class_name == sc.algorithm.party_class ? ++parties : ++user_devices;
  if (users == 0) users = user_devices;
  StagedOutput output(output_dir);
  const fs::path& staging = output.dir();
  std::ofstream csv(staging / "trials.csv");
  csv << "trial,seed,f1,ncr,precision,recall,relative_error,missing,reports,bytes_user_up,bytes_user_down,bytes_party_up,bytes_party_down\n";
  double sum_f1 = 0, sum_f1_2 = 0, sum_ncr = 0, sum_ncr_2 = 0;
  analytics::HhOutcome last;
  for (int t = 0; t < trials; ++t) {
    const uint64_t seed = sc.seed + static_cast<uint64_t>(t);
    const auto pop = make_item_population(*sc.workload.items, parties, users, seed);
    const auto plan = analytics::make_hh_plan(sc.algorithm.heavy_hitters, pop.party_users, seed);
    last = analytics::run_heavy_hitters(plan, pop.items, seed, fast);
    const auto q = analytics::score_top_k(last.top, analytics::true_counts(pop.items), plan.params.k);
    csv << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}\n", t, seed, q.f1, q.ncr, q.precision, q.recall,
                       std::isnan(q.relative_error) ? std::string() : fmt::format("{}", q.relative_error), last.missing,
                       last.reports, last.bytes_user_up, last.bytes_user_down, last.bytes_party_up, last.bytes_party_down);
    sum_f1 += q.f1, sum_f1_2 += q.f1 * q.f1, sum_ncr += q.ncr, sum_ncr_2 += q.ncr * q.ncr;
  }
  csv.close();
  auto sd = [&](double s, double s2) { return trials > 1 ? std::sqrt(std::max(0.0, (s2 - s * s / trials) / (trials - 1))) : 0.0; };
  nlohmann::ordered_json j;
  j["scenario"] = sc.name;
  j["scenario_hash"] = sc.hash;
  j["method"] = sc.algorithm.name;
  j["oracle"] = analytics::to_string(sc.algorithm.heavy_hitters.oracle);
  j["epsilon"] = sc.algorithm.heavy_hitters.epsilon;
  j["k"] = sc.algorithm.heavy_hitters.k;
  j["parties"] = parties;
  j["users"] = users;
  j["trials"] = trials;
  j["path"] = fast ? "fast (support counts drawn from binomials)" : "per-user reports";
  j["f1_mean"] = sum_f1 / trials;
  j["f1_sd"] = sd(sum_f1, sum_f1_2);
  j["ncr_mean"] = sum_ncr / trials;
  j["ncr_sd"] = sd(sum_ncr, sum_ncr_2);
  write_text(staging / "summary.json", j.dump(2) + "\n");
  output.commit();
  return fmt::format("{} {} eps={} k={} P={} users={}: F1 {:.3f} +- {:.3f}, NCR {:.3f} +- {:.3f} over {} trials",
                     sc.name, sc.algorithm.name, sc.algorithm.heavy_hitters.epsilon, sc.algorithm.heavy_hitters.k,
                     parties, users, sum_f1 / trials, sd(sum_f1, sum_f1_2), sum_ncr / trials, sd(sum_ncr, sum_ncr_2),
                     trials);
}

}  // namespace flemu

#include "emulator/core/simulation.hpp"

#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <simgrid/s4u.hpp>
#include <spdlog/spdlog.h>
#include <xxhash.h>

#include "algorithms/algorithm.hpp"
#include "algorithms/llm/device_memory.hpp"
#include "algorithms/llm/lm_methods.hpp"
#include "emulator/core/analytics_run.hpp"
#include "emulator/core/federation.hpp"
#include "emulator/core/fluid_transfers.hpp"
#include "emulator/core/mpi_workers.hpp"
#include "emulator/core/per_client_metrics.hpp"
#include "emulator/core/progress.hpp"
#include "emulator/core/round_metrics.hpp"
#include "emulator/core/update_compression.hpp"
#include "emulator/schedules/client_actor.hpp"
#include "emulator/core/device_table.hpp"
#include "emulator/core/engine_start.hpp"
#include "platforms/cluster_platform.hpp"
#include "emulator/core/device_transfer.hpp"
#include "emulator/core/link_changes.hpp"
#include "emulator/core/network_graph.hpp"
#include "emulator/core/node_metrics.hpp"
#include "emulator/schedules/server_inbox.hpp"
#include "emulator/schedules/servers.hpp"
#include "emulator/core/timed_trainer.hpp"
#include "emulator/core/trace_writer.hpp"
#include "emulator/core/zeroth_order_run.hpp"
#include "platforms/p2p_platform.hpp"
#include "workloads/data/dataset.hpp"
#include "workloads/models/lm_trainer.hpp"
#include "workloads/data/synthetic_regression.hpp"
#include "workloads/models/regression_trainer.hpp"
#include "workloads/rng.hpp"
#include "workloads/text_workload.hpp"

namespace fs = std::filesystem;
namespace sg4 = simgrid::s4u;

namespace flemu {

std::string file_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read");
  XXH64_state_t* st = XXH64_createState();
  XXH64_reset(st, 0);
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    XXH64_update(st, buf, static_cast<size_t>(in.gcount()));
  }
  const auto h = XXH64_digest(st);
  XXH64_freeState(st);
  return fmt::format("{:016x}", h);
}

namespace {

// SimGrid's max-min solver iterates once per distinct rate among the flows that start at one
// instant (platform_spec.hpp, jitter_step): tens of thousands of continuously jittered
// devices (jitter_step 0, never the default) starting a round together make that one solve
// O(N^2). Say so, and what helps.
void warn_about_continuous_jitter(const Scenario& sc) {
  int64_t continuous = 0;
  for (const auto& cls : sc.platform.classes)
    if (cls.jitter > 0 && cls.jitter_step == 0) continuous += cls.count;
  if (continuous > 20000 && sc.algorithm.clients_per_round > 20000)
    spdlog::warn("{} devices with continuous jitter (jitter_step 0): rounds where they all start transferring at "
                 "once are slow in SimGrid's solver (O(N^2)); the default grid (jitter_step 0.001) keeps them fast "
                 "(bench/README.md)",
                 continuous);
}

std::shared_ptr<const TrainTest> load_data(const Scenario& sc, const RunOptions& opt) {
  if (sc.workload.dataset == "synthetic") {
    const int64_t n = int64_t(sc.workload.samples_per_client) * static_cast<int64_t>(expand_devices(sc.platform, sc.seed).size());
    return std::make_shared<TrainTest>(make_synthetic_dataset(n, 2000, derive_seed(sc.seed, SeedStream::Partition, {99})));
  }
  const std::string dir = opt.data_dir.empty() ? sc.workload.data_dir : opt.data_dir;
  return std::make_shared<TrainTest>(load_fashion_mnist(dir));
}

std::vector<int32_t> make_eval_subset(int64_t test_size, int samples, uint64_t seed) {
  if (samples <= 0 || samples >= test_size) return {};
  std::vector<int32_t> all(test_size);
  for (int64_t i = 0; i < test_size; ++i) all[i] = static_cast<int32_t>(i);
  Rng rng(seed);
  rng.shuffle(all);
  all.resize(samples);
  std::sort(all.begin(), all.end());
  return all;
}

/// The language-model side of a run: its text, base model and the method's job spec.
struct LanguageModel {
  LmJobSpec job;
  std::shared_ptr<const TextData> text;  // real training only
  Checkpoint base;
};

LanguageModel prepare_language_model(const Scenario& sc, const RunOptions& opt, int num_devices) {
  LanguageModel lm;
  WorkloadSpec w = sc.workload;
  const std::string data_dir = opt.data_dir;
  if (w.transformer.vocab == 0) w.transformer.vocab = text_vocabulary(w, data_dir).size();  // "char" tokens
  lm.job = lm_job_spec(w.transformer, sc.algorithm, sc.seed);
  if (sc.training != TrainingMode::Real) return lm;
  lm.text = load_client_text(w, num_devices, sc.seed, data_dir);
  lm.base = base_checkpoint(w, data_dir, [](const std::string& line) { spdlog::info("{}", line); });
  return lm;
}

/// Fails before the run when the method does not fit a device's memory (DeviceClassSpec::memory_bytes).
nlohmann::ordered_json check_device_memory(const Scenario& sc, const std::vector<DeviceSpec>& devices,
                                           const ModelInfo& model) {
  const DeviceMemory m = estimate_device_memory(model, sc.algorithm);
  nlohmann::ordered_json j = {{"parameters", m.parameters}, {"activations", m.activations},
                              {"gradients", m.gradients},   {"optimizer", m.optimizer},
                              {"buffers", m.buffers},       {"total", m.total()}};
  std::map<std::string, double> capacity;  // by class (or device) name
  for (const auto& d : devices) {
    if (d.memory_bytes <= 0) continue;
    const std::string who = d.class_name.empty() ? d.name : d.class_name;
    capacity[who] = d.memory_bytes;
    if (m.total() > d.memory_bytes)
      throw std::runtime_error(fmt::format(
          "algorithm \"{}\" does not fit device {} (class \"{}\"): it needs about {} per device (parameters {}, "
          "activations {} for batches of {}, gradients {}, optimizer state {}, buffers {}), the device has {} "
          "(platform memory): choose a smaller model or batch, or a method that keeps less on the device",
          sc.algorithm.name, d.name, d.class_name, format_bytes(m.total()), format_bytes(m.parameters),
          format_bytes(m.activations), sc.algorithm.batch_size, format_bytes(m.gradients), format_bytes(m.optimizer),
          format_bytes(m.buffers), format_bytes(d.memory_bytes)));
  }
  for (const auto& [who, bytes] : capacity) j["device_capacity"][who] = bytes;
  return j;
}

/// clients.csv: each client's held-out perplexity under the final model, and under the
/// model the run started from (the pretrained base with the method's additions).
void write_client_perplexity(const fs::path& path, Trainer& trainer, const TextData& text, const Params& final_model,
                             const Params& initial_model) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path.string() + ": cannot open for writing");
  out << "client,name,texts,train_windows,heldout_windows,heldout_loss,heldout_perplexity,heldout_accuracy,"
         "initial_heldout_perplexity\n";
  for (int c = 0; c < text.num_clients(); ++c) {
    const auto& held = text.test_parts[c];
    const std::string name = text.client_names[c];
    out << c << ',' << name << ',' << text.client_texts[c] << ',' << text.train_parts[c].size() << ',' << held.size();
    if (held.empty()) {
      out << ",,,,\n";
      continue;
    }
    const EvalResult r = trainer.evaluate(final_model, &held);
    const EvalResult r0 = trainer.evaluate(initial_model, &held);
    out << ',' << fmt::format("{}", r.loss) << ',' << fmt::format("{}", std::exp(r.loss)) << ','
        << fmt::format("{}", r.accuracy) << ',' << fmt::format("{}", std::exp(r0.loss)) << '\n';
  }
  if (!out) throw std::runtime_error(path.string() + ": write failed");
}

nlohmann::ordered_json number_or_null(double v) { return std::isnan(v) ? nlohmann::ordered_json() : nlohmann::ordered_json(v); }

nlohmann::ordered_json to_json(const AccuracySummary& a) {
  nlohmann::ordered_json per_class = nlohmann::ordered_json::array();
  for (double v : a.per_class) per_class.push_back(number_or_null(v));
  return {{"clients", a.clients},
          {"mean", number_or_null(a.mean)},
          {"client_mean", number_or_null(a.client_mean)},
          {"p10", number_or_null(a.p10)},
          {"per_class", per_class}};
}

/// clients.csv: client, device, class, held_out, trained, global_accuracy, personal_accuracy.
std::string clients_csv(const PerClientReport& r, const std::vector<DeviceSpec>& devices) {
  std::string out = "client,device,class,held_out,trained,global_accuracy,personal_accuracy\n";
  auto num = [](double v) { return std::isnan(v) ? std::string() : fmt::format("{:.6f}", v); };
  for (const auto& c : r.clients)
    out += fmt::format("{},{},{},{},{},{},{}\n", c.client, devices[c.client].name, devices[c.client].class_name,
                       c.samples, c.trained ? 1 : 0, num(c.global), num(c.personal));
  return out;
}

/// Peak resident memory of this process so far, MB (getrusage).
double max_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in kB on Linux
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error(path.string() + ": write failed");
}

}  // namespace

RunSummary run_scenario(const Scenario& sc, const RunOptions& opt) {
  // Families without a model to train have their own run drivers.
  if (sc.algorithm.family == "analytics") return run_analytics(sc, opt);
  if (sc.algorithm.family == "zeroth-order") return run_zeroth_order(sc, opt);
  if (MpiSession::active() && MpiSession::rank() > 0) {
    // An MPI worker rank: serve rank 0's training jobs, write nothing (mpi_workers.hpp).
    serve_mpi_jobs([&]() -> std::unique_ptr<Trainer> {
      if (sc.training != TrainingMode::Real || sc.workload.dataset == "synthetic-regression" ||
          sc.workload.model == ModelKind::Transformer)
        return nullptr;
      return make_torch_trainer(sc.workload.model, load_data(sc, opt), sc.compute_device);
    });
    return {};
  }
  const auto wall_start = std::chrono::steady_clock::now();
  const fs::path out_dir = opt.output_dir.empty() ? sc.output_dir : opt.output_dir;
  // Interrupted: no staging folder left behind. Under MPI, rank 0 has its own handler
  // (mpi_workers.hpp: a failed worker rank ends the job with SIGTERM).
  StagedOutput output(out_dir, !MpiSession::active());
  const fs::path& staging = output.dir();

  try {
    auto devices = expand_devices(sc.platform, sc.seed);
    spdlog::info("scenario {} ({}): {} devices, model {}, {} training", sc.name, sc.hash, devices.size(),
                 to_string(sc.workload.model), sc.training == TrainingMode::Real ? "real" : "analytic");
    warn_about_continuous_jitter(sc);

    std::unique_ptr<Trainer> trainer;
    std::shared_ptr<const TrainTest> data;
    std::optional<LanguageModel> lm;
    std::shared_ptr<const RegressionProblem> regression;
    int64_t test_size = 0;
    if (sc.workload.dataset == "synthetic-regression") {
      // Every device is one worker of the regression problem (its own data); always computed.
      regression = std::make_shared<const RegressionProblem>(
          make_regression_problem(static_cast<int>(devices.size()), sc.workload.samples_per_client,
                                  sc.workload.features, derive_seed(sc.seed, SeedStream::Partition)));
      trainer = make_regression_trainer(regression);
    } else if (sc.workload.model == ModelKind::Transformer) {
      lm = prepare_language_model(sc, opt, static_cast<int>(devices.size()));
      if (sc.training == TrainingMode::Real) {
        trainer = make_lm_trainer(lm->job, lm->text, lm->base.params);
        test_size = static_cast<int64_t>(lm->text->test_windows.size());
      } else {
        trainer = make_analytic_trainer(describe_lm(lm->job));
      }
    } else if (sc.training == TrainingMode::Real) {
      data = load_data(sc, opt);
      trainer = make_torch_trainer(sc.workload.model, data, sc.compute_device, opt.stack_clients);
      test_size = data->test.size;
    } else {
      trainer = make_analytic_trainer(describe_model(sc.workload));
    }
    nlohmann::ordered_json device_memory;
    if (lm) device_memory = check_device_memory(sc, devices, trainer->model());
    // Partitions: index lists into the one shared training set (text: into its windows). In
    // analytic mode there is no data; every client holds samples_per_client (what the flop
    // count needs; text: windows).
    std::vector<std::shared_ptr<const std::vector<int32_t>>> parts, holdouts;
    if (lm && lm->text) {
      for (const auto& v : lm->text->train_parts) parts.push_back(std::make_shared<const std::vector<int32_t>>(v));
    } else if (data) {
      auto p = partition_dataset(data->train.labels, data->train.num_classes, static_cast<int>(devices.size()),
                                 sc.workload.samples_per_client, sc.workload.partition,
                                 derive_seed(sc.seed, SeedStream::Partition));
      if (sc.evaluation.holdout > 0) {
        // Per-client evaluation: each client keeps a share of its own samples out of training.
        for (auto& v : split_holdouts(p, sc.evaluation.holdout, derive_seed(sc.seed, SeedStream::Holdout)))
          holdouts.push_back(std::make_shared<const std::vector<int32_t>>(std::move(v)));
      }
      for (auto& v : p) parts.push_back(std::make_shared<const std::vector<int32_t>>(std::move(v)));
    } else if (regression) {
      std::vector<int32_t> own(sc.workload.samples_per_client);
      for (int32_t k = 0; k < sc.workload.samples_per_client; ++k) own[k] = k;
      parts.assign(devices.size(), std::make_shared<const std::vector<int32_t>>(std::move(own)));
    } else {
      auto same = std::make_shared<const std::vector<int32_t>>(sc.workload.samples_per_client, 0);
      parts.assign(devices.size(), same);
    }
    // Under mpirun, real jobs run on the worker ranks; one job thread per worker by default.
    // Language-model jobs stay on this rank's threads (the MPI workers serve the image models).
    const bool on_mpi_workers = MpiSession::active() && sc.training == TrainingMode::Real && !regression && !lm;
    if (on_mpi_workers) trainer = make_mpi_trainer(std::move(trainer));
    auto timed = std::make_unique<TimedTrainer>(std::move(trainer));
    TimedTrainer& timing = *timed;
    trainer = std::move(timed);

    const int jobs = opt.jobs > 0        ? opt.jobs
                     : on_mpi_workers    ? MpiSession::workers()
                                         : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    JobPool pool(jobs);
    EventBus bus;
    TraceWriter trace((staging / "events.jsonl").string());
    ProgressReporter progress(sc.stop, opt.progress);
    bus.subscribe(&trace);
    bus.subscribe(&progress);

    StartedEngine started = start_engine(sc.platform.network, devices.size(), opt.simgrid_config, output);
    sg4::Engine& engine = started.engine();

    // Decentralized schedules: the graph (topology, mixing matrix, spectra) and a platform
    // where neighbours talk to each other.
    std::shared_ptr<const NetworkGraph> graph;
    std::vector<std::string> names;
    for (const auto& d : devices) names.push_back(d.name);
    if (sc.algorithm.is_decentralized()) graph = std::make_shared<const NetworkGraph>(make_network_graph(sc, names));
    const StarPlatform platform = graph                 ? build_p2p_platform(sc.platform, devices, graph->topology)
                                  : sc.platform.cluster ? build_cluster_platform(sc.platform, devices)
                                                        : build_star_platform(sc.platform, devices);
    // Generated availability traces reach the time budget, else 30 simulated days.
    Fleet fleet(devices, platform, sc.platform, sc.seed, sc.stop.max_time_s > 0 ? sc.stop.max_time_s : 30 * 86400.0,
                bus);
    RoundMetrics metrics(&fleet);
    bus.subscribe(&metrics);
    NodeMetrics node_metrics(static_cast<int>(devices.size()));
    if (graph) bus.subscribe(&node_metrics);

    Federation fed{sc, devices, platform, std::move(parts), *trainer, pool, bus,
                   make_eval_subset(test_size, sc.evaluation.test_samples, derive_seed(sc.seed, SeedStream::EvalSubset)),
                   fleet};
    // The shared server link: flemu's fluid model where it is exact, else SimGrid's comms.
    const SharedLinkChoice shared_link = choose_shared_link_model(sc, devices, opt.simgrid_config);
    std::unique_ptr<FluidTransfers> fluid;
    if (shared_link.fluid()) fluid = std::make_unique<FluidTransfers>(platform);
    fed.fluid = fluid.get();
    fed.inbox = std::make_shared<ServerInbox>(platform.server, fed.fluid);
    if (sc.algorithm.compression.enabled()) {
      fed.compression = std::make_shared<UpdateCompression>(sc.algorithm.compression, trainer->model(), sc.seed,
                                                            sc.algorithm.clients_per_round);
      fed.inbox->set_decoder([&fed](ServerMessage& m) { decode_arrived_update(fed, m); });
    }
    fed.holdouts = std::move(holdouts);
    fed.data = data;
    fed.graph = graph;
    fed.regression = regression;
    fleet.subscribe(fed.inbox.get());
    install_transfer_rules({&platform, &fleet});
    // The fleet controller first: at t=0 it reads the draws and plans battery crossings
    // before anything else happens.
    if (fleet.needs_controller()) sg4::Actor::create("fleet", platform.server, [&fleet] { fleet.run_controller(); });
    start_link_changes(platform, fleet);
    if (fluid) fluid->start();
    ServerOutcome outcome;
    start_server(fed, outcome);
    const auto engine_start = std::chrono::steady_clock::now();
    output.reinstall_signal_handlers();
    engine.run();
    const double engine_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - engine_start).count();
    if (!outcome.error.empty()) throw std::runtime_error(outcome.error);
    const double sim_time = sg4::Engine::get_clock();
    clear_transfer_rules();
    fleet.settle(sim_time);  // devices.csv: energy and charge at the end

    trace.close();
    metrics.write_csv((staging / "metrics.csv").string());
    double initial_perplexity = NAN;
    if (lm && lm->text && outcome.final_model) {
      // The model the server started from (SyncServer's initial_params), evaluated after the
      // run: wall time only.
      const Params initial = trainer->initial_params(derive_seed(sc.seed, SeedStream::ModelInit));
      write_client_perplexity(staging / "clients.csv", *trainer, *lm->text, *outcome.final_model, initial);
      initial_perplexity = std::exp(trainer->evaluate(initial, nullptr).loss);
    }
    write_device_table((staging / "devices.csv").string(), fed);
    // The resolved scenario names the directory the run actually wrote to (-o included).
    nlohmann::json resolved = sc.resolved;
    resolved["output"]["directory"] = out_dir.string();
    write_text(staging / "scenario.resolved.json", resolved.dump(2) + "\n");
    if (graph) {
      node_metrics.write_csv((staging / "nodes.csv").string());
      write_text(staging / "topology.json", topology_file(*graph, names).dump(2) + "\n");
    }

    RunSummary s;
    s.output_dir = out_dir.string();
    s.rounds = outcome.rounds;
    s.simulated_time_s = sim_time;
    s.final_accuracy = outcome.final_accuracy;
    s.final_loss = outcome.final_loss;
    s.stop_reason = outcome.stop_reason;
    s.events_hash = file_hash((staging / "events.jsonl").string());

    // Totals over the rounds of metrics.csv, so that summary, metrics and report agree.
    const std::vector<RoundRow> rows = metrics.closed_rows();
    double up = 0, down = 0, flops = 0;
    for (const auto& r : rows) {
      up += r.bytes_up;
      down += r.bytes_down;
      flops += r.flops;
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    nlohmann::ordered_json j;
    j["scenario"] = sc.name;
    j["scenario_hash"] = sc.hash;
    j["events_hash"] = s.events_hash;
    j["metrics_hash"] = file_hash((staging / "metrics.csv").string());
    j["rounds"] = s.rounds;
    j["stop_reason"] = s.stop_reason;
    j["simulated_time_s"] = sim_time;
    j["final_accuracy"] = std::isnan(s.final_accuracy) ? nlohmann::ordered_json() : nlohmann::ordered_json(s.final_accuracy);
    j["final_loss"] = std::isnan(s.final_loss) ? nlohmann::ordered_json() : nlohmann::ordered_json(s.final_loss);
    // The best evaluation of the run (FL-Simulator's headline figure) beside the final one.
    j["best_accuracy"] =
        std::isnan(outcome.best_accuracy) ? nlohmann::ordered_json() : nlohmann::ordered_json(outcome.best_accuracy);
    j["best_round"] = outcome.best_round;
    j["bytes_up"] = up;
    j["bytes_down"] = down;
    j["flops"] = flops;
    if (fleet.measures_energy()) {
      double compute = 0, radio = 0;
      for (int i = 0; i < fleet.size(); ++i) compute += fleet.compute_energy_j(i), radio += fleet.radio_energy_j(i);
      j["energy_j"] = {{"compute", compute}, {"radio", radio}, {"total", compute + radio}};
    }
    int dropped = 0;
    for (const auto& r : rows) dropped += r.dropped;
    j["dropped_updates"] = dropped;
    if (!outcome.params_hash.empty()) j["params_hash"] = outcome.params_hash;
    if (outcome.schedule_summary.is_object())
      for (const auto& [key, value] : outcome.schedule_summary.items()) j[key] = value;
    if (!outcome.device_memory_bytes.empty()) {
      double peak = 0;
      for (double m : outcome.device_memory_bytes) peak = std::max(peak, m);
      j["memory"] = {{"peak_bytes_per_device", outcome.device_memory_bytes}, {"max_peak_bytes", peak}};
    }
    j["devices"] = devices.size();
    j["shared_link"] = {{"model", shared_link.model}, {"reason", shared_link.reason}};
    if (graph) {
      j["graph"] = graph_summary(*graph);
      j["traffic"] = node_metrics.traffic();
    }
    if (fed.compression) {
      // Encoded bytes against what dense float32 transfers of the same messages would take, and
      // against what the codecs' papers count (compression.md: often less than any decodable
      // payload).
      double dense_up = 0, dense_down = 0, paper_up = 0, codec_flops = 0;
      for (const auto& r : metrics.rows()) {
        dense_up += r.dense_bytes_up;
        dense_down += r.dense_bytes_down;
        paper_up += r.paper_bytes_up;
        codec_flops += r.codec_flops;
      }
      const auto& spec = sc.algorithm.compression;
      j["compression"] = {{"up", spec.up.name},
                          {"down", spec.down.name},
                          {"bytes_up", up},
                          {"dense_bytes_up", dense_up},
                          {"ratio_up", up > 0 ? dense_up / up : 0.0},
                          {"paper_bytes_up", paper_up},
                          {"paper_ratio_up", paper_up > 0 ? dense_up / paper_up : 0.0},
                          {"bytes_down", down},
                          {"dense_bytes_down", dense_down},
                          {"ratio_down", down > 0 ? dense_down / down : 0.0},
                          {"codec_flops", codec_flops},
                          {"clients_with_codec_state", fed.compression->clients_with_state()},
                          {"codec_state_bytes", fed.compression->state_bytes()}};
    }
    j["model"] = {{"name", trainer->model().name}, {"params", trainer->model().num_params}, {"bytes", trainer->model().bytes}};
    // What the algorithm keeps across rounds (algorithms/client_state.hpp): per-client vectors
    // for the clients that have any, and the server's own.
    j["state"] = {{"client_slots", outcome.state.client_slots},
                  {"clients_with_state", outcome.state.clients},
                  {"client_bytes", outcome.state.client_bytes},
                  {"server_bytes", outcome.state.server_bytes}};
    if (lm) {
      const ModelInfo& m = trainer->model();
      j["model"]["trainable_params"] = m.trainable_params;
      j["model"]["train_flops_per_window"] = m.train_flops_per_sample;
      j["model"]["tokens_per_window"] = m.tokens_per_sample;
      if (lm->text) {
        j["text"] = {{"clients", lm->text->num_clients()},
                     {"vocab", lm->text->vocab.size()},
                     {"train_windows", lm->text->train_windows.size()},
                     {"heldout_windows", lm->text->test_windows.size()}};
        j["perplexity"] = std::isnan(s.final_loss) ? nlohmann::ordered_json() : nlohmann::ordered_json(std::exp(s.final_loss));
        j["initial_perplexity"] =
            std::isnan(initial_perplexity) ? nlohmann::ordered_json() : nlohmann::ordered_json(initial_perplexity);
      }
      if (!lm->base.path.empty())
        j["base_checkpoint"] = {{"path", lm->base.path}, {"hash", lm->base.hash}, {"key", lm->base.key},
                                {"built_now", lm->base.built}};
      j["device_memory"] = device_memory;
    }
    if (outcome.per_client) {
      // Per-client evaluation (evaluation.per_client): the global model on every client's own
      // held-out split, and the client's personal model beside it where the method has one.
      const auto& pc = *outcome.per_client;
      int trained = 0;
      for (const auto& c : pc.clients) trained += c.trained ? 1 : 0;
      j["per_client"] = {{"round", pc.round},
                         {"holdout", sc.evaluation.holdout},
                         {"clients_trained", trained},
                         {"global", to_json(pc.global)},
                         {"personalized", pc.personalized ? to_json(pc.personal) : nlohmann::ordered_json()}};
      write_text(staging / "clients.csv", clients_csv(pc, devices));
    }
    j["training"] = sc.training == TrainingMode::Real ? "real" : "analytic";
    j["compute_device"] = trainer->device();
    j["jobs"] = jobs;
    j["wall_time_s"] = wall;
    j["max_rss_mb"] = max_rss_mb();
    // Where the wall time went (wall clock, varies run to run): training/evaluation_s sum the
    // real jobs (parallel jobs add up); emulation_s is the engine's wall time with no job
    // running (SimGrid, actors, aggregation, tracing); setup_s is everything outside the
    // engine (data, partitions, platform, outputs).
    const auto t = timing.totals();
    j["wall_breakdown"] = {{"setup_s", wall - engine_wall},
                           {"engine_s", engine_wall},
                           {"training_s", t.training_s},
                           {"evaluation_s", t.evaluation_s},
                           {"jobs_busy_s", t.busy_s},
                           {"emulation_s", std::max(0.0, engine_wall - t.busy_s)}};
    if (lm && t.training_s > 0) {
      // Real tokens trained per second of a job's wall time (each job runs on one thread).
      const double tokens = static_cast<double>(t.samples) * static_cast<double>(trainer->model().tokens_per_sample);
      j["training_tokens"] = tokens;
      j["tokens_per_job_second"] = tokens / t.training_s;
    }
    write_text(staging / "summary.json", j.dump(2) + "\n");

    // Commit: replace the previous outputs with the new ones.
    output.commit();
    return s;
  } catch (...) {
    clear_transfer_rules();
    throw;  // `output` removes the staging folder
  }
}

}  // namespace flemu

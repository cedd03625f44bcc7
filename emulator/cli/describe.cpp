#include "emulator/cli/describe.hpp"

#include <map>

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "emulator/cli/estimate.hpp"
#include "emulator/cli/sweep_plan.hpp"
#include "emulator/core/network_graph.hpp"
#include "platforms/units.hpp"
#include "algorithms/llm/device_memory.hpp"
#include "algorithms/llm/lm_methods.hpp"
#include "workloads/data/dataset.hpp"
#include "workloads/models/model_info.hpp"
#include "workloads/text_workload.hpp"
#include "workloads/models/regression_trainer.hpp"
#include "workloads/models/trainer.hpp"

namespace flemu {

std::string describe_platform(const Scenario& sc) {
  using namespace units;
  const auto devices = expand_devices(sc.platform, sc.seed);
  std::string s = fmt::format("scenario {} (hash {}), seed {}, {} devices, network model {}\n", sc.name, sc.hash,
                              sc.seed, devices.size(), sc.platform.network == NetworkModel::Lv08 ? "lv08" : "exact");
  s += fmt::format("server: {} x {} cores, shared link {}\n\n", format_flops(sc.platform.server.speed_flops),
                   sc.platform.server.cores,
                   sc.platform.server.bandwidth_bytes_per_s > 0
                       ? format_rate(sc.platform.server.bandwidth_bytes_per_s) + " / " +
                             format_duration(sc.platform.server.latency_s)
                       : std::string("none"));
  if (const auto& c = sc.platform.cluster) {
    auto level = [](const ClusterLinkSpec& l, const char* per) {
      return fmt::format("{} per {}{}, latency {}", format_rate(l.bytes_per_s), per,
                         l.efficiency < 1 ? fmt::format(" x efficiency {} = {}", l.efficiency, format_rate(l.effective_bytes_per_s()))
                                          : std::string(),
                         format_duration(l.latency_s));
    };
    s += fmt::format("cluster: {} nodes x {} GPUs of {}{}\n  inside a node: {}\n  between nodes: {}\n\n", c->nodes,
                     c->gpus_per_node, format_flops(c->gpu_speed_flops),
                     c->gpu_memory_bytes > 0 ? fmt::format(", {:.3g} GB", c->gpu_memory_bytes / 1e9) : std::string(),
                     level(c->intra, "GPU"), level(c->inter, "node"));
  }
  s += fmt::format("{:<12} {:>6} {:>24} {:>6} {:>28} {:>30} {:>10}\n", "class", "count", "speed (min-max)", "cores",
                   "uplink (min-max)", "downlink (min-max)", "latency");
  // Group the expanded devices by class so that jitter shows as a range.
  struct Agg {
    int n = 0, cores = 0;
    double smin = 1e300, smax = 0, umin = 1e300, umax = 0, dmin = 1e300, dmax = 0, lat = 0;
  };
  std::vector<std::string> order;
  std::map<std::string, Agg> agg;
  for (const auto& d : devices) {
    const std::string key = d.class_name.empty() ? d.name : d.class_name;
    if (!agg.count(key)) order.push_back(key);
    auto& a = agg[key];
    a.n++;
    a.cores = d.cores;
    a.smin = std::min(a.smin, d.speed_flops), a.smax = std::max(a.smax, d.speed_flops);
    a.umin = std::min(a.umin, d.link.up_bytes_per_s), a.umax = std::max(a.umax, d.link.up_bytes_per_s);
    a.dmin = std::min(a.dmin, d.link.down_bytes_per_s), a.dmax = std::max(a.dmax, d.link.down_bytes_per_s);
    a.lat = d.link.latency_s;
  }
  auto range = [](const std::string& lo, const std::string& hi) { return lo == hi ? lo : lo + " - " + hi; };
  for (const auto& k : order) {
    const auto& a = agg[k];
    s += fmt::format("{:<12} {:>6} {:>24} {:>6} {:>28} {:>30} {:>10}\n", k, a.n,
                     range(format_flops(a.smin), format_flops(a.smax)), a.cores,
                     range(format_rate(a.umin), format_rate(a.umax)), range(format_rate(a.dmin), format_rate(a.dmax)),
                     format_duration(a.lat));
  }
  // Device dynamics, per class (or explicit device): power, battery, availability.
  std::string dyn;
  std::map<std::string, bool> seen;
  for (const auto& d : devices) {
    const std::string key = d.class_name.empty() ? d.name : d.class_name;
    if (seen[key]) continue;
    seen[key] = true;
    std::string power = d.power.modelled() ? fmt::format("{} W idle, {} W busy, radio {} W send / {} W receive",
                                                         d.power.idle_w, d.power.busy_w, d.power.send_w,
                                                         d.power.receive_w)
                                           : "not modelled";
    std::string battery = d.battery ? fmt::format("{:.0f} J, starts at {:.0f}%, floor {:.0f}%{}", d.battery->capacity_j,
                                                  100 * d.battery->initial_fraction, 100 * d.battery->floor_fraction,
                                                  d.battery->charging.empty() ? "" : ", with charging windows")
                                    : "none";
    std::string avail = "always on";
    if (d.availability.kind == AvailabilitySpec::Exponential)
      avail = "exponential: on " + format_duration(d.availability.mean_on_s) + ", off " +
              format_duration(d.availability.mean_off_s) + " on average";
    if (d.availability.kind == AvailabilitySpec::Diurnal)
      avail = fmt::format("diurnal: on {:.0f}% of every {}", 100 * d.availability.on_fraction,
                          format_duration(d.availability.period_s));
    dyn += fmt::format("{:<12} power: {}; battery: {}; availability: {}\n", key, power, battery, avail);
  }
  s += "\n" + dyn;
  if (!sc.platform.availability_trace.empty()) s += "availability trace: " + sc.platform.availability_trace + "\n";
  for (const auto& c : sc.platform.link_changes)
    s += fmt::format("link change: {} from {}{}{}{}\n", c.devices, format_duration(c.from_s),
                     c.until_s >= 0 ? " until " + format_duration(c.until_s) : std::string(),
                     c.up_bytes_per_s > 0 ? ", uplink " + format_rate(c.up_bytes_per_s) : std::string(),
                     c.down_bytes_per_s > 0 ? ", downlink " + format_rate(c.down_bytes_per_s) : std::string());
  if (sc.workload.model == ModelKind::Transformer) {
    TransformerSpec t = sc.workload.transformer;
    if (t.vocab == 0) t.vocab = text_vocabulary(sc.workload, "").size();
    const ModelInfo m = describe_lm(lm_job_spec(t, sc.algorithm, sc.seed));
    const DeviceMemory mem = estimate_device_memory(m, sc.algorithm);
    s += fmt::format(
        "\nmodel transformer: {} layers, d {}, {} heads, context {}, vocabulary {}: {} parameters ({} trainable by "
        "{}), {:.3f} MFLOP per training window of {} tokens\n",
        t.layers, t.d_model, t.heads, t.context, t.vocab, m.num_params, m.trainable_params, sc.algorithm.name,
        m.train_flops_per_sample / 1e6, t.context);
    s += fmt::format("device memory for {} (batch {}): {} (parameters {}, activations {}, gradients {}, buffers {})\n",
                     sc.algorithm.name, sc.algorithm.batch_size, format_bytes(mem.total()),
                     format_bytes(mem.parameters), format_bytes(mem.activations), format_bytes(mem.gradients),
                     format_bytes(mem.buffers));
    return s;
  }
  if (sc.workload.items) {
    const auto& hh = sc.algorithm.heavy_hitters;
    s += fmt::format("\nheavy hitters: parties are the \"{}\" devices; oracle {}, epsilon {}, k {}, {}-bit items, {} bits per level\n",
                     sc.algorithm.party_class, analytics::to_string(hh.oracle), hh.epsilon, hh.k, hh.item_bits, hh.step_bits);
    return s;
  }
  if (sc.workload.objective) {
    const auto& o = *sc.workload.objective;
    s += fmt::format("\nblack box: {} in {} dimensions, heterogeneity {}, {:.3g} flop per query\n", to_string(o.function),
                     o.dimension, o.heterogeneity, o.flops_per_query);
    return s;
  }
  if (sc.algorithm.is_decentralized()) {
    std::vector<std::string> names;
    for (const auto& d : devices) names.push_back(d.name);
    s += "\n" + describe_graph(make_network_graph(sc, names));
  }
  const auto m = sc.workload.model == ModelKind::Linear ? linear_model_info(sc.workload.features)
                                                         : describe_model(sc.workload);
  s += fmt::format("\nmodel {}: {} parameters ({:.2f} MB on the wire), {:.3f} MFLOP per training sample\n", m.name,
                   m.num_params, m.bytes / 1e6, m.train_flops_per_sample / 1e6);
  return s;
}

namespace {

/// "2.5 s", "1.2 min", "3.4 h": a duration for people, 2-3 significant digits.
std::string about(double s) {
  if (s < 1) return fmt::format("{:.3g} s", s);
  if (s < 120) return fmt::format("{:.3g} s", s);
  if (s < 7200) return fmt::format("{:.3g} min", s / 60);
  return fmt::format("{:.3g} h", s / 3600);
}

struct Speed {
  double train_per_s = 0, eval_per_s = 0;  ///< samples per second on one thread
  std::string error;
};

/// Times a few real training jobs and an evaluation of the scenario's model on synthetic
/// data of the same shape (~0.3 s): this machine's speed, not a figure from elsewhere.
Speed measure_speed(const Scenario& sc) {
  Speed sp;
  try {
    auto data = std::make_shared<TrainTest>(make_synthetic_dataset(512, 1000, 1));
    auto trainer = make_torch_trainer(sc.workload.model, data, sc.compute_device);
    auto start = std::make_shared<const Params>(trainer->initial_params(1));
    auto indices = std::make_shared<std::vector<int32_t>>();
    const int n = std::max(sc.algorithm.batch_size * 4, 64);
    for (int i = 0; i < std::min(n, 512); ++i) indices->push_back(i);
    TrainJob job{0, 1, 1, start, indices, {}};
    job.local.epochs = 1;
    job.local.batch_size = sc.algorithm.batch_size;
    trainer->train(job);  // warm-up: first-call allocations
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    int64_t samples = 0;
    double elapsed = 0;
    while (elapsed < 0.25) {
      samples += trainer->train(job).samples;
      elapsed = std::chrono::duration<double>(clock::now() - t0).count();
    }
    sp.train_per_s = samples / elapsed;
    const auto e0 = clock::now();
    const auto r = trainer->evaluate(*start, nullptr);
    sp.eval_per_s = r.samples / std::max(1e-6, std::chrono::duration<double>(clock::now() - e0).count());
  } catch (const std::exception& e) {
    sp.error = e.what();
  }
  return sp;
}

std::string stop_text(const StopSpec& stop) {
  std::vector<std::string> parts;
  if (stop.max_rounds > 0) parts.push_back(fmt::format("after {} rounds", stop.max_rounds));
  if (stop.max_time_s > 0)
    parts.push_back("once " + units::format_duration(stop.max_time_s) +
                    " of simulated time has passed (the round under way completes)");
  if (stop.target_accuracy >= 0) parts.push_back(fmt::format("once test accuracy reaches {}", stop.target_accuracy));
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i == 0 ? "" : i + 1 == parts.size() ? ", or " : ", ") + parts[i];
  return parts.size() > 1 ? s + ", whichever comes first" : s;
}

}  // namespace

std::string describe_run(const Scenario& sc, bool measure_wall) {
  const auto& a = sc.algorithm;
  const nlohmann::json& catalog = scenario_schema()["properties"]["algorithm"]["x-algorithms"];
  std::string s = fmt::format("\nalgorithm: {} ({})", a.name, a.family);
  if (catalog.contains(a.name)) {
    const auto& c = catalog[a.name];
    s += " - " + c.value("summary", std::string()) + (c.contains("paper") ? " [" + c["paper"].get<std::string>() + "]" : "");
  }
  std::string settings;
  for (const auto& [key, value] : sc.resolved["algorithm"].items())
    if (key != "name") settings += (settings.empty() ? "" : ", ") + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  s += "\n  settings: " + settings + "\n";
  s += "stop: " + stop_text(sc.stop) + "\n";
  s += fmt::format("evaluation: {}, on {}; the last on the whole test set\n",
                   sc.evaluation.every_rounds == 1 ? std::string("every round")
                                                   : fmt::format("every {} rounds", sc.evaluation.every_rounds),
                   sc.evaluation.test_samples > 0 ? fmt::format("{} test samples", sc.evaluation.test_samples)
                                                  : std::string("the whole test set"));

  const RoundEstimate r = estimate_round(sc);
  const RunEstimate run = estimate_run(sc, r);
  s += fmt::format("\nestimate ({}; devices always on, no link contention: a lower bound when they share links, "
                   "die or go offline):\n",
                   sc.platform.network == NetworkModel::Exact ? "exact network"
                                                              : "lv08 network, with its latency and rate factors");
  if (!r.available) {
    s += "  simulated time: " + r.why_not + "\n";
  } else {
    const std::string lo = about(r.device_min_s), hi = about(r.device_max_s);
    s += fmt::format("  one device's update (download, train {} samples, upload): {}\n", r.samples_per_job,
                     lo == hi ? lo : lo + " to " + hi);
    if (about(r.fastest_s) == about(r.slowest_s))
      s += fmt::format("  one {}: about {}\n", r.unit, about(r.expected_s));
    else
      s += fmt::format("  one {}: about {} on average; {} if only the fastest devices take part, {} with the slowest\n",
                       r.unit, about(r.expected_s), about(r.fastest_s), about(r.slowest_s));
    if (run.simulated_s > 0)
      s += fmt::format("  the run: {:.0f} {}s ({}) = about {} of simulated time\n", run.rounds, r.unit, run.basis,
                       about(run.simulated_s));
    else
      s += "  the run: " + run.basis + "\n";
  }

  if (sc.training == TrainingMode::Analytic) {
    s += "  wall time: no training (analytic); the emulation alone, seconds for thousands of devices per round\n";
    return s;
  }
  if (!measure_wall) return s;
  if (!r.available || run.rounds <= 0) {
    s += "  wall time: not estimated (the number of rounds or the work per round is not known in advance)\n";
    return s;
  }
  const Speed sp = measure_speed(sc);
  if (!sp.error.empty()) {
    s += "  wall time: not estimated (measuring this machine's training speed failed: " + sp.error + ")\n";
    return s;
  }
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int parallel = std::max(1, std::min(threads, r.jobs_per_round));
  const double train_s = run.rounds * r.jobs_per_round * static_cast<double>(r.samples_per_job) / (sp.train_per_s * parallel);
  int64_t test_size = 0;
  const auto& datasets = scenario_schema()["properties"]["workload"]["properties"]["dataset"];
  if (datasets.contains("x-catalog") && datasets["x-catalog"].contains(sc.workload.dataset))
    test_size = datasets["x-catalog"][sc.workload.dataset].value("test_samples", int64_t(0));
  const int64_t per_eval = sc.evaluation.test_samples > 0 ? std::min<int64_t>(sc.evaluation.test_samples, test_size) : test_size;
  const double evals = std::ceil(run.rounds / sc.evaluation.every_rounds);
  const double eval_s = (evals * per_eval + test_size) / sp.eval_per_s;
  s += fmt::format("  wall time: about {} on this machine (training {} + evaluation {}): {:.0f} training samples/s per job "
                   "measured just now for {}, {} job{} at once (one per core), plus a second or two to start\n",
                   about(train_s + eval_s), about(train_s), about(eval_s), sp.train_per_s, to_string(sc.workload.model),
                   parallel, parallel == 1 ? "" : "s");
  return s;
}

std::string describe_sweep(const SweepPlan& plan) {
  std::string s = fmt::format("sweep {} ({}): {} variants of {}, output {}\n", plan.name, plan.source, plan.variants.size(),
                              plan.base, plan.output_dir);
  if (!plan.description.empty()) s += plan.description + "\n";
  s += "\n";
  size_t w = 7;
  for (const auto& v : plan.variants) w = std::max(w, v.id.size());
  s += fmt::format("{:<{}}  {:>12}  {:>12}  {}\n", "variant", w, "round (est.)", "run (est.)", "label (overrides)");
  for (const auto& v : plan.variants) {
    const Scenario sc = load_scenario(v.scenario, plan.source + " (variant " + v.id + ")", plan.base);
    const RoundEstimate r = estimate_round(sc);
    const RunEstimate run = estimate_run(sc, r);
    std::string overrides;
    for (const auto& [ptr, value] : v.overrides.items())
      overrides += (overrides.empty() ? "" : ", ") + override_text(ptr, value);
    s += fmt::format("{:<{}}  {:>12}  {:>12}  {}{}\n", v.id, w, r.available ? about(r.expected_s) : "-",
                     run.simulated_s > 0 ? about(run.simulated_s) : "-", v.label,
                     overrides.empty() ? "" : " (" + overrides + ")");
  }
  s += "\nbase scenario:\n";
  const Scenario base = load_scenario(plan.base_scenario, plan.base, plan.base);
  s += describe_platform(base) + describe_run(base, false);
  return s;
}

}  // namespace flemu

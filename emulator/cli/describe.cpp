#include "emulator/cli/describe.hpp"

#include <map>

#include <fmt/format.h>

#include "emulator/core/network_graph.hpp"
#include "platforms/units.hpp"
#include "algorithms/llm/device_memory.hpp"
#include "algorithms/llm/lm_methods.hpp"
#include "workloads/models/model_info.hpp"
#include "workloads/text_workload.hpp"
#include "workloads/models/regression_trainer.hpp"

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
  s += fmt::format("algorithm: {}\n", sc.algorithm.name);
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
  if (sc.algorithm.is_decentralized()) {
    std::vector<std::string> names;
    for (const auto& d : devices) names.push_back(d.name);
    s += "\n" + describe_graph(make_network_graph(sc, names));
  }
  const auto m = sc.workload.model == ModelKind::Linear ? linear_model_info(sc.workload.features)
                                                         : describe_model(sc.workload.model);
  s += fmt::format("\nmodel {}: {} parameters ({:.2f} MB on the wire), {:.3f} MFLOP per training sample\n", m.name,
                   m.num_params, m.bytes / 1e6, m.train_flops_per_sample / 1e6);
  return s;
}

}  // namespace flemu

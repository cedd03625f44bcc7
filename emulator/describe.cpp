#include "emulator/describe.hpp"

#include <map>

#include <fmt/format.h>

#include "platforms/units.hpp"
#include "workloads/model_info.hpp"

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
  s += fmt::format("{:<12} {:>6} {:>22} {:>6} {:>22} {:>22} {:>10}\n", "class", "count", "speed (min-max)", "cores",
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
    s += fmt::format("{:<12} {:>6} {:>22} {:>6} {:>22} {:>22} {:>10}\n", k, a.n,
                     range(format_flops(a.smin), format_flops(a.smax)), a.cores,
                     range(format_rate(a.umin), format_rate(a.umax)), range(format_rate(a.dmin), format_rate(a.dmax)),
                     format_duration(a.lat));
  }
  const auto m = describe_model(sc.workload.model);
  s += fmt::format("\nmodel {}: {} parameters ({:.2f} MB on the wire), {:.3f} MFLOP per training sample\n", m.name,
                   m.num_params, m.bytes / 1e6, m.train_flops_per_sample / 1e6);
  return s;
}

}  // namespace flemu

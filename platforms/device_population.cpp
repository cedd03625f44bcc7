// Expansion of device classes into concrete devices (platform_spec.hpp).
//
// Each device draws from its own stream, derive_seed(seed, DeviceJitter, {class, index}), so
// adding a class or a device never changes the draws of the others.
#include <algorithm>
#include <cmath>

#include "platforms/platform_spec.hpp"
#include "workloads/rng.hpp"

namespace flemu {

double default_jitter_step(double jitter) { return std::min(kDefaultJitterStep, jitter); }

double on_jitter_grid(double factor, const DeviceClassSpec& cls) {
  if (cls.jitter_step <= 0) return factor;
  // Whole steps from 1 that stay inside [1 - jitter, 1 + jitter].
  const double max_steps = std::floor(cls.jitter / cls.jitter_step + 1e-9);
  const double steps = std::clamp(std::round((factor - 1) / cls.jitter_step), -max_steps, max_steps);
  return 1 + steps * cls.jitter_step;
}

std::vector<DeviceSpec> expand_devices(const PlatformSpec& spec, uint64_t seed) {
  std::vector<DeviceSpec> devices;
  for (size_t c = 0; c < spec.classes.size(); ++c) {
    const DeviceClassSpec& cls = spec.classes[c];
    for (int i = 0; i < cls.count; ++i) {
      Rng rng(derive_seed(seed, SeedStream::DeviceJitter, {uint64_t(c), uint64_t(i)}));
      // Draw order is part of the seed contract: speed, uplink, downlink. The draws happen
      // even at jitter 0 (factor exactly 1) so that the order never depends on the jitter.
      const double lo = 1 - cls.jitter, hi = 1 + cls.jitter;
      const double speed_factor = on_jitter_grid(rng.uniform(lo, hi), cls);
      const double up_factor = on_jitter_grid(rng.uniform(lo, hi), cls);
      const double down_factor = on_jitter_grid(rng.uniform(lo, hi), cls);

      DeviceSpec d;
      d.name = cls.name + "-" + std::to_string(i);
      d.class_name = cls.name;
      d.speed_flops = cls.speed_flops * speed_factor;
      d.cores = cls.cores;
      d.memory_bytes = cls.memory_bytes;
      d.memory_bytes_per_s = cls.memory_bytes_per_s;
      d.disk_read_bytes_per_s = cls.disk_read_bytes_per_s;
      d.link.up_bytes_per_s = cls.link.up_bytes_per_s * up_factor;
      d.link.down_bytes_per_s = cls.link.down_bytes_per_s * down_factor;
      d.link.latency_s = cls.link.latency_s;
      d.power = cls.power;
      d.battery = cls.battery;
      d.availability = cls.availability;
      devices.push_back(std::move(d));
    }
  }
  devices.insert(devices.end(), spec.devices.begin(), spec.devices.end());
  if (spec.cluster) {
    const ClusterSpec& c = *spec.cluster;
    for (int n = 0; n < c.nodes; ++n)
      for (int g = 0; g < c.gpus_per_node; ++g) {
        DeviceSpec d;
        d.name = "node" + std::to_string(n) + "-gpu" + std::to_string(g);
        d.class_name = "gpu";
        d.speed_flops = c.gpu_speed_flops;
        d.memory_bytes = c.gpu_memory_bytes;
        // The GPU's own link to its node's switch; each of the two links of an intra-node
        // path carries half of its latency.
        d.link.up_bytes_per_s = d.link.down_bytes_per_s = c.intra.effective_bytes_per_s();
        d.link.latency_s = c.intra.latency_s / 2;
        devices.push_back(std::move(d));
      }
  }
  return devices;
}

}  // namespace flemu

// Typed description of the emulated platform, as read from a scenario's "platform" section.
// All quantities are SI: bytes/s, seconds, flop/s. Filled by emulator/scenario_loader.cpp.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace flemu {

/// A device's access link to the server: one link each way (uplink = device -> server).
struct LinkSpec {
  double up_bytes_per_s = 0;    ///< uplink bandwidth, bytes/s
  double down_bytes_per_s = 0;  ///< downlink bandwidth, bytes/s
  double latency_s = 0;         ///< one-way latency, s
};

/// A class of identical devices ("phone", "laptop", ...), before per-device jitter.
struct DeviceClassSpec {
  std::string name;
  int count = 0;               ///< number of devices of this class
  double speed_flops = 0;      ///< peak compute speed per core, flop/s
  int cores = 1;               ///< cores; training uses all of them
  LinkSpec link;
  /// Relative spread of per-device speed and bandwidth: each device draws a factor uniformly
  /// in [1 - jitter, 1 + jitter] from the scenario seed. 0 = identical devices.
  double jitter = 0;
};

/// One concrete device after expansion of classes (and jitter) or from an explicit list.
struct DeviceSpec {
  std::string name;        ///< unique host name, e.g. "phone-3"
  std::string class_name;  ///< class it came from ("" for explicit devices without class)
  double speed_flops = 0;
  int cores = 1;
  LinkSpec link;
};

struct ServerSpec {
  double speed_flops = 1e10;
  int cores = 1;
  /// Optional shared server link that every flow crosses (0 = none: the server is not a
  /// bottleneck). Models "all uploads share one server link".
  double bandwidth_bytes_per_s = 0;
  double latency_s = 0;
};

enum class NetworkModel {
  Lv08,  ///< SimGrid's validated TCP model (default, realistic).
  Exact  ///< CM02 without cross-traffic or TCP-gamma: a transfer takes latency + bytes/bw.
};

struct PlatformSpec {
  ServerSpec server;
  NetworkModel network = NetworkModel::Lv08;
  std::vector<DeviceClassSpec> classes;  ///< expanded in order, then...
  std::vector<DeviceSpec> devices;       ///< ...explicit devices appended
};

/// All devices of the platform, classes expanded in order (name "<class>-<i>") with seeded
/// jitter, then the explicit devices. Pure: same spec and seed, same list.
std::vector<DeviceSpec> expand_devices(const PlatformSpec& spec, uint64_t seed);

}  // namespace flemu

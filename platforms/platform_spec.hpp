// Typed description of the emulated platform, as read from a scenario's "platform" section.
// All quantities are SI: bytes/s, seconds, flop/s. Filled by emulator/config/scenario_loader.cpp.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platforms/battery_model.hpp"
#include "platforms/topology.hpp"

namespace flemu {

/// A device's access link to the server: one link each way (uplink = device -> server).
struct LinkSpec {
  double up_bytes_per_s = 0;    ///< uplink bandwidth, bytes/s
  double down_bytes_per_s = 0;  ///< downlink bandwidth, bytes/s
  double latency_s = 0;         ///< one-way latency, s
};

/// Power draw of a device, metered by the fleet (emulator/core/fleet.hpp). All W.
struct PowerSpec {
  double idle_w = 0;        ///< host on, no computation
  double busy_w = 0;        ///< host computing on all cores (one of n cores: idle + (busy-idle)/n)
  double off_w = 0;         ///< host off
  double radio_idle_w = 0;  ///< radio while the device is on and transfers nothing
  double send_w = 0;        ///< radio sending at the uplink's full rate
  double receive_w = 0;     ///< radio receiving at the downlink's full rate
  bool modelled() const {
    return busy_w > 0 || idle_w > 0 || off_w > 0 || radio_idle_w > 0 || send_w > 0 || receive_w > 0;
  }
};

/// When a device is reachable. Traces come from the platform's availability CSV.
struct AvailabilitySpec {
  enum Kind { Always, Exponential, Diurnal } kind = Always;
  double mean_on_s = 0, mean_off_s = 0;  ///< Exponential: mean on / off durations
  double period_s = 86400;               ///< Diurnal: period
  double on_fraction = 0.5;              ///< Diurnal: share of each period the device is on
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
  /// Grid of the jitter factors: each drawn factor is rounded to 1 + k * jitter_step.
  /// 0 = continuous. Why a grid: when many devices start transferring (or computing) at
  /// one instant, SimGrid's max-min solver iterates once per distinct rate among them, so
  /// 100k devices with 100k distinct link rates cost O(N^2); on a 0.001 grid there are at
  /// most 2 * jitter / 0.001 + 1 rates per class, far below anything a study resolves.
  /// The scenario default is default_jitter_step(jitter).
  double jitter_step = 0;
  double memory_bytes_per_s = 0;     ///< memory bandwidth, bytes/s (0: compute-bound only)
  double disk_read_bytes_per_s = 0;  ///< read bandwidth of its disk, bytes/s (0: no disk)
  PowerSpec power;
  std::optional<BatterySpec> battery;
  AvailabilitySpec availability;
  double memory_bytes = 0;     ///< memory of a device, bytes; 0 = not checked (training) / not tracked (inference)
};

/// One concrete device after expansion of classes (and jitter) or from an explicit list.
struct DeviceSpec {
  std::string name;        ///< unique host name, e.g. "phone-3"
  std::string class_name;  ///< class it came from ("" for explicit devices without class)
  double speed_flops = 0;
  int cores = 1;
  double memory_bytes = 0;  ///< memory available to training, bytes (0: not tracked)
  double memory_bytes_per_s = 0;     ///< memory bandwidth, bytes/s (0: compute-bound only)
  double disk_read_bytes_per_s = 0;  ///< read bandwidth of its disk (a SimGrid disk), bytes/s; 0: none
  LinkSpec link;
  PowerSpec power;
  std::optional<BatterySpec> battery;
  AvailabilitySpec availability;
};

/// A change of link conditions over a time window: "the phones' uplink drops to 1 Mbps
/// between t=600 s and t=900 s". Values <= 0 leave that quantity unchanged.
struct LinkChange {
  double from_s = 0;
  double until_s = -1;            ///< < 0: until the end of the run
  std::string devices = "*";      ///< a class name, a device name, or "*" for all
  double up_bytes_per_s = 0;
  double down_bytes_per_s = 0;
};

/// Who computes the sharing of the server link (emulator/core/fluid_transfers.hpp).
enum class SharedLinkSolver {
  Auto,    ///< flemu's exact fluid model where it is exact, else SimGrid
  SimGrid  ///< always SimGrid's LMM
};

struct ServerSpec {
  double speed_flops = 1e10;
  int cores = 1;
  /// Optional shared server link that every flow crosses (0 = none: the server is not a
  /// bottleneck). Models "all uploads share one server link".
  double bandwidth_bytes_per_s = 0;
  double latency_s = 0;
  /// The server notices a silent (dead, offline) client at its next heartbeat: this often.
  double heartbeat_s = 1;
  SharedLinkSolver link_solver = SharedLinkSolver::Auto;
};

enum class NetworkModel {
  Lv08,  ///< SimGrid's validated TCP model (default, realistic).
  Exact  ///< CM02 without cross-traffic or TCP-gamma: a transfer takes latency + bytes/bw.
};

/// One level of a cluster's network (platforms/cluster_platform.hpp).
struct ClusterLinkSpec {
  double bytes_per_s = 0;  ///< nominal bandwidth, bytes/s
  double latency_s = 0;    ///< one-way latency this level adds to a path, s
  /// Share of the nominal bandwidth that transfers really get (NCCL over TCP sockets gets
  /// far less than the wire rate): the links are built at bytes_per_s x efficiency.
  double efficiency = 1;
  double effective_bytes_per_s() const { return bytes_per_s * efficiency; }
};

/// A cluster of identical nodes, each with several accelerators (GPUs). Inside a node every
/// GPU has its own link to the node's switch (NVLink/NVSwitch: `intra`, per GPU); between
/// nodes every node has one network interface (`inter`, per node) shared by its GPUs.
/// GPU-to-GPU latency: intra.latency_s inside a node, intra + inter across nodes.
struct ClusterSpec {
  int nodes = 1;
  int gpus_per_node = 1;
  double gpu_speed_flops = 0;   ///< sustained flop/s of one GPU (peak x achieved utilisation)
  double gpu_memory_bytes = 0;  ///< memory of one GPU, bytes (0: not tracked)
  ClusterLinkSpec intra;
  ClusterLinkSpec inter;
  int size() const { return nodes * gpus_per_node; }
};

struct PlatformSpec {
  ServerSpec server;
  /// Set: the devices are this cluster's GPUs, named "node<i>-gpu<j>", node-major (device
  /// index = i * gpus_per_node + j); classes and devices are then empty.
  std::optional<ClusterSpec> cluster;
  NetworkModel network = NetworkModel::Lv08;
  std::vector<DeviceClassSpec> classes;  ///< expanded in order, then...
  std::vector<DeviceSpec> devices;       ///< ...explicit devices appended
  std::string availability_trace;        ///< CSV of device,time,state (platforms/AVAILABILITY_FORMAT.md); "" = none
  std::vector<LinkChange> link_changes;
  /// Decentralized schedules: who talks to whom (platforms/topology.hpp); none for schedules
  /// with a server.
  std::optional<TopologySpec> topology;
};

/// All devices of the platform, classes expanded in order (name "<class>-<i>") with seeded
/// jitter, then the explicit devices. Pure: same spec and seed, same list.
std::vector<DeviceSpec> expand_devices(const PlatformSpec& spec, uint64_t seed);

/// The grid a class gets when its scenario names none: kDefaultJitterStep (a factor moves by
/// at most 0.05% from its continuous draw, invisible next to what any device model resolves),
/// or the jitter itself when that is smaller; 0 without jitter.
inline constexpr double kDefaultJitterStep = 0.001;
double default_jitter_step(double jitter);

/// A drawn jitter factor on the class's grid (DeviceClassSpec::jitter_step); unchanged when
/// the class has no grid.
double on_jitter_grid(double factor, const DeviceClassSpec& cls);

}  // namespace flemu

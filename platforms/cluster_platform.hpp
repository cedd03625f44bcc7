// Builds a GPU cluster in SimGrid: nodes with several accelerators, fast links inside a node,
// a slower network between nodes (platform_spec.hpp, ClusterSpec).
//
// Zones: one star zone per node, holding its GPUs (each with its own up and down link to the
// node's switch) and a router; a top star zone joins the nodes, each through its own network
// interface (one up and one down link, shared by the node's GPUs). Routes:
//   same node:    gpu.up, gpu'.down                                  latency = intra
//   other nodes:  gpu.up, node.nic_up, node'.nic_down, gpu'.down     latency = intra + inter
// Links are built at nominal bandwidth x efficiency. The result is a StarPlatform whose
// devices are the GPUs (uplinks/downlinks: their own links), plus an idle "server" host for
// the run's coordinator, so the engine's per-device bookkeeping works unchanged.
#pragma once
#include <vector>

#include "platforms/star_platform.hpp"

namespace flemu {

/// Creates the cluster of `spec.cluster` (which must be set); `devices` is
/// expand_devices(spec): its GPUs, node-major.
StarPlatform build_cluster_platform(const PlatformSpec& spec, const std::vector<DeviceSpec>& devices);

}  // namespace flemu

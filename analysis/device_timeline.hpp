// Per-device state over simulated time, for the Gantt chart: what each device was doing from
// t = 0 to the end of the run.
//
// States come from events.jsonl:
//   downloading / training / uploading   the download, train and upload spans (t0..t)
//   offline       device_off (reason "availability", or any reason but "battery") .. device_on
//   battery dead  device_off with reason "battery" .. device_on (usually: end of run)
//   idle          every other moment in [0, end]: the complement of the states above
//   communicating collective, send and gossip spans (cluster, pipeline and decentralized
//                 schedules): the device's comm lane, drawn on a second lane of its row
//                 (Segment::lane 1), so that compute and communication that overlap show at once
//   reading disk  disk_read spans (weights streamed from the device's disk by the inference
//                 schedules' memory scheduler): the device's disk lane (Segment::lane 2), drawn
//                 over the upper part of its row, so that loads overlapping compute show
// A device_off with no later device_on lasts until the end of the run; a device_on with no
// device_off before it is ignored. Devices are the client indices named by any event; a
// device's host is taken from its own (client-N actor) events.
#pragma once
#include <string>
#include <vector>

#include "analysis/run_reader.hpp"

namespace flemu::analysis {

enum class DeviceState { Downloading, Training, Uploading, Idle, Offline, BatteryDead, Communicating, ReadingDisk };

/// "downloading", "training", "uploading", "idle", "offline", "battery dead", "communicating",
/// "reading disk"
const char* to_string(DeviceState s);

struct Segment {
  int client = -1;
  DeviceState state = DeviceState::Idle;
  double t0 = 0, t1 = 0;  ///< s
  int round = -1;         ///< spans: their round; -1 otherwise
  int lane = 0;           ///< 0: the device itself; 1: its comm lane (communicating); 2: its disk lane
};

/// An update the server discarded (update_dropped), drawn as a mark on the device's row.
struct DroppedUpdate {
  int client = -1;
  double t = 0;
  int round = -1;
  std::string reason;  ///< deadline | failure | offline | ...
};

struct DeviceTimeline {
  std::vector<int> clients;          ///< ascending device indices
  std::vector<std::string> hosts;    ///< host of clients[i]
  std::vector<Segment> segments;     ///< sorted by client, then lane, then t0, then state
  std::vector<DroppedUpdate> drops;  ///< in event order
  double end_s = 0;
};

/// `end_s`: end of the run (summary.json simulated_time_s); later events extend it.
DeviceTimeline device_timeline(const std::vector<TraceEvent>& events, double end_s);

}  // namespace flemu::analysis

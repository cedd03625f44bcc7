#include "analysis/device_timeline.hpp"

#include <algorithm>
#include <map>

namespace flemu::analysis {

const char* to_string(DeviceState s) {
  switch (s) {
    case DeviceState::Downloading: return "downloading";
    case DeviceState::Training: return "training";
    case DeviceState::Uploading: return "uploading";
    case DeviceState::Idle: return "idle";
    case DeviceState::Offline: return "offline";
    case DeviceState::BatteryDead: return "battery dead";
    case DeviceState::Communicating: return "communicating";
    case DeviceState::ReadingDisk: return "reading disk";
  }
  return "?";
}

namespace {

struct OpenOff {
  double since = 0;
  DeviceState state = DeviceState::Offline;
};

/// Gaps of [0, end] not covered by `busy` (which must be sorted by t0).
std::vector<Segment> idle_gaps(int client, const std::vector<Segment>& busy, double end) {
  std::vector<Segment> gaps;
  double covered = 0;
  for (const auto& s : busy) {
    if (s.t0 > covered) gaps.push_back(Segment{client, DeviceState::Idle, covered, s.t0, -1});
    covered = std::max(covered, s.t1);
  }
  if (end > covered) gaps.push_back(Segment{client, DeviceState::Idle, covered, end, -1});
  return gaps;
}

}  // namespace

DeviceTimeline device_timeline(const std::vector<TraceEvent>& events, double end_s) {
  DeviceTimeline tl;
  std::map<int, std::vector<Segment>> per_client, comm_lane, disk_lane;
  std::map<int, std::string> hosts;
  std::map<int, OpenOff> off;
  for (const auto& e : events) end_s = std::max(end_s, e.t);

  for (const auto& e : events) {
    if (e.client < 0) continue;
    auto& segs = per_client[e.client];  // every named client gets a row, even if never busy
    if (!e.host.empty() && e.actor != "server" && !hosts.count(e.client)) hosts[e.client] = e.host;
    if (e.is_span() && (e.kind == "collective" || e.kind == "send" || e.kind == "gossip")) {
      comm_lane[e.client].push_back(Segment{e.client, DeviceState::Communicating, e.t0, e.t, e.round, 1});
    } else if (e.is_span() && e.kind == "disk_read") {
      disk_lane[e.client].push_back(Segment{e.client, DeviceState::ReadingDisk, e.t0, e.t, e.round, 2});
    } else if (e.is_span()) {
      DeviceState st;
      if (e.kind == "download") st = DeviceState::Downloading;
      else if (e.kind == "train") st = DeviceState::Training;
      // A device's own codec work (compressed runs) is compute; the server's decode of its
      // update is not the device's.
      else if ((e.kind == "encode" || e.kind == "decode") && e.actor != "server") st = DeviceState::Training;
      else if (e.kind == "upload") st = DeviceState::Uploading;
      else continue;  // a span kind this reader does not know
      segs.push_back(Segment{e.client, st, e.t0, e.t, e.round});
    } else if (e.kind == "device_off") {
      if (!off.count(e.client))
        off[e.client] = OpenOff{e.t, e.reason == "battery" ? DeviceState::BatteryDead : DeviceState::Offline};
    } else if (e.kind == "device_on") {
      auto it = off.find(e.client);
      if (it == off.end()) continue;
      segs.push_back(Segment{e.client, it->second.state, it->second.since, e.t, -1});
      off.erase(it);
    } else if (e.kind == "update_dropped") {
      tl.drops.push_back(DroppedUpdate{e.client, e.t, e.round, e.reason});
    }
  }
  for (const auto& [client, o] : off) per_client[client].push_back(Segment{client, o.state, o.since, end_s, -1});

  auto by_time = [](const Segment& a, const Segment& b) {
    if (a.t0 != b.t0) return a.t0 < b.t0;
    return a.state < b.state;
  };
  for (auto& [client, segs] : per_client) {
    std::sort(segs.begin(), segs.end(), by_time);
    auto gaps = idle_gaps(client, segs, end_s);
    segs.insert(segs.end(), gaps.begin(), gaps.end());
    std::sort(segs.begin(), segs.end(), by_time);
    tl.clients.push_back(client);
    tl.hosts.push_back(hosts.count(client) ? hosts[client] : "client-" + std::to_string(client));
    tl.segments.insert(tl.segments.end(), segs.begin(), segs.end());
    auto& lane = comm_lane[client];
    std::sort(lane.begin(), lane.end(), by_time);
    tl.segments.insert(tl.segments.end(), lane.begin(), lane.end());
    auto& disk = disk_lane[client];
    std::sort(disk.begin(), disk.end(), by_time);
    tl.segments.insert(tl.segments.end(), disk.begin(), disk.end());
  }
  tl.end_s = end_s;
  return tl;
}

}  // namespace flemu::analysis

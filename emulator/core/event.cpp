#include "emulator/core/event.hpp"

namespace flemu {

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::RoundStart: return "round_start";
    case EventKind::Download: return "download";
    case EventKind::Train: return "train";
    case EventKind::Upload: return "upload";
    case EventKind::Aggregate: return "aggregate";
    case EventKind::Evaluate: return "evaluate";
    case EventKind::RoundEnd: return "round_end";
    case EventKind::UpdateDropped: return "update_dropped";
    case EventKind::DeviceOff: return "device_off";
    case EventKind::DeviceOn: return "device_on";
    case EventKind::Battery: return "battery";
    case EventKind::Report: return "report";
    case EventKind::Estimate: return "estimate";
    case EventKind::Result: return "result";
    case EventKind::Collective: return "collective";
    case EventKind::Send: return "send";
    case EventKind::DiskRead: return "disk_read";
    case EventKind::Gossip: return "gossip";
    case EventKind::Consensus: return "consensus";
    case EventKind::Encode: return "encode";
    case EventKind::Decode: return "decode";
    case EventKind::SplitUp: return "split_up";
    case EventKind::SplitDown: return "split_down";
    case EventKind::ServerCompute: return "server_compute";
  }
  return "?";
}

}  // namespace flemu

// What travels between the server and a client, as each algorithm declares it.
//
// A message is a list of named parts ("model", "control variate", ...), each with its size in
// bytes. The schedules move exactly message.bytes() for every download and upload, so time,
// link energy and metrics.csv's bytes follow the method: SCAFFOLD sends model and control
// variate both ways (2x), FedDyn and FedSpeed send the model only (what a client can derive
// itself is never counted). A codec (compression) replaces a part's bytes with its encoded
// payload's size; the parts say what it encodes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace flemu {

struct WirePart {
  std::string what;   ///< "model", "update", "control variate", ...
  int64_t bytes = 0;  ///< on the wire
};

struct WireMessage {
  std::vector<WirePart> parts;
  int64_t bytes() const {
    int64_t b = 0;
    for (const auto& p : parts) b += p.bytes;
    return b;
  }
};

/// One client's messages of one round: the download (server -> client) and the upload.
struct Wire {
  WireMessage down, up;
};

/// FedAvg's exchange: the model down, the client's model (or its change) up, `model_bytes` each.
inline Wire model_both_ways(int64_t model_bytes) {
  return {{{{"model", model_bytes}}}, {{{"model", model_bytes}}}};
}

}  // namespace flemu

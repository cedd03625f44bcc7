// Typed description of how a run compresses what it sends (a scenario's
// algorithm.compression): one codec for uploads (the client's update), one for downloads (the
// global model). Absent from a scenario: both "none" (dense float32), the run is unchanged.
#pragma once
#include "algorithms/compression/codec.hpp"

namespace flemu {

struct CompressionSpec {
  compression::CodecSpec up;    ///< encodes each client's update (start - trained), per client state
  compression::CodecSpec down;  ///< encodes the global model a client downloads (none | fp16 | qsgd | fedpaq)
  bool enabled() const { return up.name != "none" || down.name != "none"; }
};

}  // namespace flemu

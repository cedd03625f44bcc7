// A codec object of a scenario (scenarios/scenario.schema.json, $defs/codec) -> the compression
// library's typed CodecSpec, for algorithm.compression and choco-sgd's compressor alike. The
// document has passed the schema; keys left out keep CodecSpec's defaults.
#pragma once
#include <nlohmann/json.hpp>

#include "algorithms/compression/codec.hpp"

namespace flemu {

compression::CodecSpec to_codec_spec(const nlohmann::json& codec);

}  // namespace flemu

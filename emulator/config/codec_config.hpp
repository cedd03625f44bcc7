// A codec object of a scenario (scenarios/scenario.schema.json, $defs/codec) -> the compression
// library's typed CodecSpec. The document has passed the schema and has its defaults filled.
#pragma once
#include <nlohmann/json.hpp>

#include "algorithms/compression/codec.hpp"

namespace flemu {

compression::CodecSpec to_codec_spec(const nlohmann::json& codec);

}  // namespace flemu

// The loader's part for algorithm.compression (scenario_loader.cpp calls it): each codec's
// keys checked against the codec (another codec's key is an error, never ignored), its
// defaults filled from the schema's x-default / x-defaults, and typed into CompressionSpec.
// Called on a document the schema validated.
#pragma once
#include <nlohmann/json.hpp>

#include "emulator/config/complain.hpp"
#include "emulator/config/scenario.hpp"

namespace flemu {

/// Resolves doc/algorithm/compression in place (absent: nothing to do) and types it into
/// s.algorithm.compression.
void load_compression(nlohmann::json& doc, Scenario& s, const Complain& complain);

}  // namespace flemu

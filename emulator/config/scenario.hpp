// A whole run, typed: what emulator/config/scenario_loader.cpp produces from one JSON file.
// Config flows one way: JSON -> load_scenario() -> Scenario -> constructors. Nothing below
// the loader sees JSON.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "algorithms/algorithm_spec.hpp"
#include "algorithms/inference/video_infinity.hpp"
#include "emulator/config/overrides.hpp"
#include "platforms/platform_spec.hpp"
#include "workloads/workload_spec.hpp"

namespace flemu {

/// Bad input: message is "<file>: <json pointer>: expected ..." (see scenario_loader.cpp).
struct ScenarioError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct StopSpec {
  int max_rounds = 0;             ///< 0 = no round limit
  double max_time_s = 0;          ///< simulated-time budget, s; 0 = none
  double target_accuracy = -1;    ///< stop once test accuracy >= this; < 0 = none
};

struct EvaluationSpec {
  int every_rounds = 1;   ///< evaluate the global model every N rounds (and always at the end)
  int test_samples = 0;   ///< fixed-seed subset of the test set for intermediate evaluations; 0 = all
  double holdout = 0;     ///< per-client evaluation: share of each client's samples held out; 0 = none
};

enum class TrainingMode {
  Real,     ///< LibTorch computes every update
  Analytic  ///< flop/byte model only: same timeline, no accuracy
};

/// video-infinity (family "video"): the U-Net of workload model "video-unet" (its preset,
/// latent_size and unet_channels) and the clip parallelism of the algorithm's keys.
struct VideoSpec {
  video::VideoUnetShape unet;
  video::ClipParallelParams clip;
};

struct Scenario {
  std::string name;         ///< from "name", else the file stem
  std::string source;       ///< file path (for messages)
  uint64_t seed = 0;
  PlatformSpec platform;
  WorkloadSpec workload;
  AlgorithmSpec algorithm;
  StopSpec stop;
  EvaluationSpec evaluation;
  VideoSpec video;  ///< family "video" only
  TrainingMode training = TrainingMode::Real;
  std::string compute_device = "auto";  ///< "auto" | "cpu" | "cuda"
  std::string output_dir;
  nlohmann::json resolved;  ///< the scenario with every default filled in (written to outputs)
  std::string hash;         ///< xxh64 hex of resolved.dump() without "output"
};

/// The family of algorithm `name` ("sync", "async", "anarchic", ...), from the catalog in the
/// schema (/properties/algorithm/x-algorithms); throws std::invalid_argument for an unknown name.
std::string algorithm_family(const std::string& name);
/// scenarios/scenario.schema.json, parsed once (keys sorted).
const nlohmann::json& scenario_schema();

/// Reads a JSON file as scenario files are read, without judging its content: syntax errors
/// with line and column, numbers out of range, duplicate keys and nesting deeper than 64 with
/// their JSON path. Throws ScenarioError naming the file (sweep files use it too). The
/// ordered form keeps the file's key order (sweep grids vary keys in that order).
nlohmann::ordered_json read_json_document(const std::string& path);
nlohmann::json read_json_file(const std::string& path);

/// Reads, validates against scenarios/scenario.schema.json, and types a scenario file.
/// Throws ScenarioError naming the file, the JSON path and what was expected.
Scenario load_scenario(const std::string& path);
/// Same after applying `overrides` (emulator/config/overrides.hpp) to the file's document;
/// the resolved scenario records them under "overrides".
Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides);
/// Same, from an already parsed document; `source` names it in messages. `file`, when given,
/// is the file the document came from: its stem is the default name and relative paths in
/// the scenario (availability_trace) are relative to it; by default `source` is that file.
Scenario load_scenario(const nlohmann::json& doc, const std::string& source, const std::string& file = "");

}  // namespace flemu

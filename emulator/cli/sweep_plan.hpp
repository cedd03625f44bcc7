// A sweep's variants, planned before anything runs: from a sweep file (format:
// scenarios/sweep.schema.json), from a scenario plus `--vary` axes and `--seeds` given on
// the command line, or both.
//
//   flemu sweep sweep.json                                     the file's variants
//   flemu sweep quickstart.json --vary /platform/classes/phone/uplink=1Mbps,10Mbps --seeds 3
//   flemu sweep sweep.json --vary /algorithm/lr=0.01,0.1       the file's variants x 2 rates
//
// Variants: the grid's combinations, then the list's entries (a scenario alone: the base),
// multiplied by each --vary axis in order, then by the seeds (innermost, so the seeds of one
// variant are neighbours). Labels say what differs ("uplink=1Mbps seed=43"; keys are the
// pointers' last tokens, lengthened with the element's name where two would read alike:
// "phone/uplink"); a variant's group is its label without the seed.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/config/overrides.hpp"

namespace flemu {

struct SweepVariant {
  std::string id;            ///< folder name: "v000-<short label>"
  std::string label;         ///< human-readable: "uplink=1Mbps seed=43"
  std::string group;         ///< label without the seed: variants differing only by seed share it
  nlohmann::json overrides;  ///< pointer (as given) -> value
  nlohmann::json scenario;   ///< base with overrides applied (records them under "overrides")
};

struct SweepPlan {
  std::string name, description, source, output_dir;
  std::string base;          ///< the base scenario file
  nlohmann::json base_scenario;  ///< its document, with any --set applied
  bool seeded = false;       ///< whether seeds are an axis
  std::vector<SweepVariant> variants;
};

/// One `--vary POINTER=v1,v2,...` axis.
struct VaryAxis {
  std::string pointer;
  std::vector<nlohmann::json> values;
};

/// "POINTER=v1,v2,..." -> axis. Values are split at commas outside brackets, braces and
/// quotes ([1,2] stays one value) and typed like --set values (emulator/config/overrides.hpp).
/// Throws ScenarioError("--vary TEXT: expected ...").
VaryAxis parse_vary_option(const std::string& text);

/// What the command line adds to a sweep.
struct SweepRequest {
  std::string path;                  ///< a sweep file, or a scenario file (the base)
  std::vector<VaryAxis> vary;        ///< multiply the variants
  int seeds = 0;                     ///< > 0: this many seeds from the base seed (replaces the file's "seeds")
  std::vector<Override> base_set;    ///< --set on the base scenario, before the variants
  bool smoke = false;                ///< cut every variant down (emulator/config/smoke.hpp), output "<dir>-smoke"
  std::string output_dir;            ///< non-empty: replaces the sweep's output directory
};

/// True for a document that is a sweep rather than a scenario (it has "base" and no
/// "platform"); validate, describe and sweep decide with it.
bool is_sweep_document(const nlohmann::json& doc);

/// Reads the sweep (or scenario) and expands it, validating the sweep file against its
/// schema and every variant as a scenario. Throws ScenarioError naming the file, the JSON
/// path and what was expected; a bad variant is named ("variant v002-uplink_fast: uplink=fast").
SweepPlan plan_sweep(const SweepRequest& request);

/// Compatibility form of plan_sweep for a sweep file alone.
SweepPlan load_sweep(const std::string& path, bool smoke = false, const std::string& output_dir = "");

/// The JSON Schema of sweep files (scenarios/sweep.schema.json), parsed once.
const nlohmann::json& sweep_schema();

}  // namespace flemu

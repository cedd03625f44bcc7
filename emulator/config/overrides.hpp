// `--set POINTER=VALUE` on the command line: a change to a scenario before it is loaded, so
// that a study can rerun one scenario or sweep at another seed or link rate without a copy of
// the file. VALUE is read as JSON (2, 0.5, true, {"a": 1}, "text") and, when that fails, as a
// plain string (10Mbps). The pointer's parent must exist in the document.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flemu {

/// `doc` with each "POINTER=VALUE" of `sets` applied in order. Throws ScenarioError naming
/// `source` and the setting when one is malformed or its pointer has no parent in `doc`.
nlohmann::json apply_sets(nlohmann::json doc, const std::vector<std::string>& sets, const std::string& source);

/// Reads and parses a scenario file as plain JSON (for apply_sets; load_scenario(path) does
/// its own reading with line numbers and duplicate-key checks when there is nothing to set).
nlohmann::json read_scenario_json(const std::string& path);

}  // namespace flemu

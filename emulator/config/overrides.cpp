#include "emulator/config/overrides.hpp"

#include <fstream>

#include "emulator/config/scenario.hpp"

namespace flemu {

nlohmann::json apply_sets(nlohmann::json doc, const std::vector<std::string>& sets, const std::string& source) {
  for (const auto& s : sets) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0 || s[0] != '/')
      throw ScenarioError(source + ": --set " + s + ": expected POINTER=VALUE with a JSON pointer such as /seed=2");
    const std::string pointer = s.substr(0, eq), text = s.substr(eq + 1);
    nlohmann::json value;
    try {
      value = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error&) {
      value = text;  // 10Mbps, fedavg: a string
    }
    nlohmann::json::json_pointer ptr;
    try {
      ptr = nlohmann::json::json_pointer(pointer);
    } catch (const nlohmann::json::exception&) {
      throw ScenarioError(source + ": --set " + s + ": expected a JSON pointer before '='");
    }
    if (!doc.contains(ptr.parent_pointer()))
      throw ScenarioError(source + ": --set " + s + ": expected a pointer whose parent exists in the scenario (" +
                          ptr.parent_pointer().to_string() + " does not)");
    doc[ptr] = value;
  }
  return doc;
}

nlohmann::json read_scenario_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ScenarioError(path + ": expected a readable scenario file");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw ScenarioError(path + ": expected valid JSON (" + e.what() + ")");
  }
}

}  // namespace flemu

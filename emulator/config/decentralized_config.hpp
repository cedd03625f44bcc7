// The loader's part for decentralized scenarios (scenario_loader.cpp calls it): platform.topology
// and the decentralized algorithm keys, typed and checked against each other, with errors
// naming the JSON path. Called on a document the schema validated, defaults filled.
#pragma once
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "emulator/config/complain.hpp"
#include "emulator/config/scenario.hpp"

namespace flemu {


/// Types platform.topology and the decentralized keys of `doc` into `s` (whose platform,
/// workload and algorithm are typed already), and builds the graph and its mixing matrix once
/// so that a disconnected graph, a bad edge list or mixing file is an error at load time.
/// `scenario_dir` resolves relative file paths, which the resolved document then holds
/// absolute. For a scenario without a decentralized algorithm, a topology is an error.
void load_decentralized(nlohmann::json& doc, Scenario& s, const std::string& scenario_dir, const Complain& complain);

}  // namespace flemu

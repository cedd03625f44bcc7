#include "emulator/config/smoke.hpp"

#include <algorithm>
#include <string>

#include "emulator/config/scenario.hpp"

namespace flemu {

namespace {

// Analytics: the same protocol over at most 30 users per user class (parties unchanged).
void cut_down_analytics(nlohmann::json& s) {
  const std::string party_class = s["algorithm"].value("party_class", "party");
  for (auto& cls : s["platform"]["classes"])
    if (cls.value("name", "") != party_class) cls["count"] = std::min(cls.value("count", 0), 30);
}

// Zeroth-order: 2 rounds in at most 20 dimensions, FZooS with at most 200 random features.
void cut_down_zeroth_order(nlohmann::json& s) {
  s["stop"] = {{"rounds", 2}};
  auto& objective = s["workload"]["objective"];
  objective["dimension"] = std::min(objective.value("dimension", 300), 20);
  auto& a = s["algorithm"];
  if (a.value("name", "") == "fzoos") {
    auto& g = a["surrogate"];
    if (!g.is_object()) g = nlohmann::json::object();
    g["rff_features"] = std::min(g.value("rff_features", 10000), 200);
    g["rff_neighbours"] = std::min(g.value("rff_neighbours", 500), 60);
    g["gp_neighbours"] = std::min(g.value("gp_neighbours", 150), 40);
  }
}

void rename_smoke(nlohmann::json& s) {
  if (s.contains("name")) s["name"] = s["name"].get<std::string>() + "-smoke";
  if (s.contains("output") && s["output"].contains("directory"))
    s["output"]["directory"] = s["output"]["directory"].get<std::string>() + "-smoke";
}

}  // namespace

nlohmann::json cut_down(nlohmann::json s) {
  const std::string family = s.contains("algorithm") && s["algorithm"].contains("name")
                                 ? algorithm_family(s["algorithm"]["name"].get<std::string>())
                                 : "sync";
  if (family == "inference") {  // no data: the same model on the same devices, 2 tokens
    s["stop"] = {{"rounds", 2}};
    rename_smoke(s);
    return s;
  }
  if (family == "analytics" || family == "zeroth-order") {
    family == "analytics" ? cut_down_analytics(s) : cut_down_zeroth_order(s);
    rename_smoke(s);
    return s;
  }
  s["stop"] = {{"rounds", 2}};
  auto& w = s["workload"];
  if (w.value("dataset", "") != "synthetic-regression") w["dataset"] = "synthetic";  // a problem of its own
  int per_client = std::min(w.value("samples_per_client", 64), 64);
  // Shards need a multiple of the shards per client.
  if (w.contains("partition") && w["partition"].value("scheme", "") == "shards") {
    const int spc = w["partition"].value("shards_per_client", 2);
    per_client = spc * std::max(1, per_client / spc);
  }
  w["samples_per_client"] = per_client;
  if (s.contains("evaluation")) s["evaluation"].erase("test_samples");
  // Cluster algorithms: at most 2 local steps per round (a round of DDP is that many all-reduces).
  if (s.contains("algorithm") && s["algorithm"].contains("inner_steps"))
    s["algorithm"]["inner_steps"] = std::min(s["algorithm"]["inner_steps"].get<int>(), 2);
  // Cluster platforms: at most 2 nodes of 2 GPUs (still a hierarchical all-reduce).
  if (s.contains("platform") && s["platform"].contains("cluster")) {
    auto& c = s["platform"]["cluster"];
    for (const char* key : {"nodes", "gpus_per_node"})
      if (c.contains(key) && c[key].is_number_integer()) c[key] = std::min(c[key].get<int>(), 2);
  }
  if (s.contains("name")) s["name"] = s["name"].get<std::string>() + "-smoke";
  if (s.contains("output") && s["output"].contains("directory"))
    s["output"]["directory"] = s["output"]["directory"].get<std::string>() + "-smoke";
  return s;
}

}  // namespace flemu

#include "emulator/config/smoke.hpp"

#include <algorithm>

namespace flemu {

nlohmann::json cut_down(nlohmann::json s) {
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

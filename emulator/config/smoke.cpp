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
  if (family == "video") {  // no data, no stop: the same video on the same GPUs, 2 denoising steps
    s["algorithm"]["denoising_steps"] = std::min(s["algorithm"].value("denoising_steps", 30), 2);
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
  const std::string dataset = w.value("dataset", "");
  const bool text = dataset == "fortunes" || dataset == "synthetic-text";
  if (text) {
    w["dataset"] = "synthetic-text";
  } else if (dataset != "synthetic-regression") {
    w["dataset"] = "synthetic";  // synthetic-regression: a problem of its own
  }
  if (text) {
    // A narrow, short-context copy of the model (the same depth: split points stay valid).
    auto& t = w["transformer"];
    const int context = t.is_object() && t.contains("context") ? t["context"].get<int>() : 16;
    t["d_model"] = 32;
    t["heads"] = 2;
    t["mlp_hidden"] = 64;
    t["context"] = std::min(context, 16);
  }
  if (text && w.contains("init") && w["init"].contains("pretrain")) {
    // A few steps of pretraining, into a cache of its own (the smoke's synthetic corpus).
    auto& p = w["init"]["pretrain"];
    p["steps"] = std::min(p.value("steps", 10), 10);
    p["batch_size"] = std::min(p.value("batch_size", 8), 8);
    w["init"]["cache"] = w["init"].value("cache", std::string("out/checkpoints")) + "-smoke";
  }
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

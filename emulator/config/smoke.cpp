#include "emulator/config/smoke.hpp"

#include <algorithm>

namespace flemu {

nlohmann::json cut_down(nlohmann::json s) {
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
  if (s.contains("name")) s["name"] = s["name"].get<std::string>() + "-smoke";
  if (s.contains("output") && s["output"].contains("directory"))
    s["output"]["directory"] = s["output"]["directory"].get<std::string>() + "-smoke";
  return s;
}

}  // namespace flemu

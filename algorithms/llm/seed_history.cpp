#include "algorithms/llm/seed_history.hpp"

#include <stdexcept>

namespace flemu {

void SeedHistory::record(int version, uint64_t bytes, double replay_flops) {
  if (version != static_cast<int>(bytes_.size()) + 1) throw std::logic_error("SeedHistory: versions out of order");
  bytes_.push_back(bytes);
  flops_.push_back(replay_flops);
}

void SeedHistory::synced(int client, int version) {
  int& v = holds_[client];
  if (version > v) v = version;
}

std::pair<uint64_t, double> SeedHistory::cost(SeedDownload mode, int client, int version, uint64_t model_bytes) const {
  if (mode == SeedDownload::Model) return {model_bytes, 0.0};
  auto it = holds_.find(client);
  const int held = it == holds_.end() ? 0 : it->second;
  uint64_t bytes = 0;
  double flops = 0;
  for (int v = held + 1; v <= version && v <= static_cast<int>(bytes_.size()); ++v) {
    bytes += bytes_[v - 1];
    flops += flops_[v - 1];
    if (bytes >= model_bytes) return {model_bytes, 0.0};
  }
  return {bytes, flops};
}

void plan_seed_download(ClientPlan& plan, const SeedHistory& history, SeedDownload mode, int client, int version,
                        uint64_t model_bytes) {
  const auto [bytes, replay_flops] = history.cost(mode, client, version, model_bytes);
  Wire w;
  w.down.parts.push_back({replay_flops > 0 ? "seed history" : "model", static_cast<int64_t>(bytes)});
  plan.wire = w;
  plan.download_flops = replay_flops;
}

}  // namespace flemu

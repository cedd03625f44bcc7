// What a client of a seed-based method (Ferret, FedKSeed) downloads when it replays the
// server's updates instead of downloading the model: one small table of seed coefficients per
// model version it missed, regenerating the random directions on the device. Every client
// holds version 0 (the pretrained base model is on the device before training starts).
#pragma once
#include <cstdint>
#include <map>
#include <vector>

#include "algorithms/algorithm.hpp"
#include "algorithms/llm/llm_params.hpp"
#include "algorithms/wire.hpp"

namespace flemu {

class SeedHistory {
 public:
  /// The server made model version `version` from a table of `bytes` bytes whose replay costs
  /// a device `replay_flops`. Versions are recorded in order 1, 2, ...
  void record(int version, uint64_t bytes, double replay_flops);
  /// `client` now holds `version` (it trained from it and its update was aggregated).
  void synced(int client, int version);
  /// Bytes and device flops for `client` to reach `version`: the tables of the versions it
  /// missed, or the dense model (`model_bytes`, nothing to replay) when that is smaller or
  /// `mode` is Model.
  std::pair<uint64_t, double> cost(SeedDownload mode, int client, int version, uint64_t model_bytes) const;

 private:
  std::vector<uint64_t> bytes_;    // by version - 1
  std::vector<double> flops_;
  std::map<int, int> holds_;       // client -> version (absent: 0)
};

/// A seed method's (Ferret's, FedKSeed's) download in `plan` for `client` training from model
/// version `version`: what cost() chose (the seed history, whose replay the device pays in
/// flops, or the model) as the wire's down part; the up part is the client's payload, whose
/// size the schedule reads from it.
void plan_seed_download(ClientPlan& plan, const SeedHistory& history, SeedDownload mode, int client, int version,
                        uint64_t model_bytes);

}  // namespace flemu

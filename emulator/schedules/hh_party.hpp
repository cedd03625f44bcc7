// A party's server (a silo) in heavy-hitter analytics, as a SimGrid actor on its host.
//
// It collects its users' reports level by level (hh_arrivals, hh_user), then does what the
// method asks of a party (algorithms/analytics: pem.hpp, tap.hpp):
//   pem        forwards each level's raw reports to the aggregator (GRR/OUE: after getting
//              the level's survivors back, so its users can download the candidates);
//   pem-local  runs PEM on its own users and uploads its top-k list;
//   tap/taps   shared levels: estimates, uploads the counts, waits for the aggregator's
//              survivors; then extends them on its own (taps: after receiving the prior, when
//              its turn comes) and uploads its list.
// Estimation costs flops_per_check per support check on the party's host. Calls that
// advance simulated time: collecting (waiting for users), estimating, transfers.
#pragma once
#include "emulator/schedules/hh_federation.hpp"

namespace flemu {

class HhPartyServer {
 public:
  HhPartyServer(HhFederation& fed, int party) : fed_(fed), party_(party) {}
  void operator()();

 private:
  void pooled();
  void local_pem();
  void tap();
  /// The aggregator's message of `kind` about `level` (messages travel in parallel and may
  /// overtake each other: a small prior can pass the survivors sent just before it).
  HhDown receive(HhDown::Kind kind, int level);
  /// The level's counts from this party's users, scaled to the party's population.
  analytics::LevelCounts estimate(int l, const std::vector<uint64_t>& candidates, double* sd = nullptr);

  HhFederation& fed_;
  int party_;
  std::vector<HhDown> early_;
};

}  // namespace flemu

// The aggregator of heavy-hitter analytics (the platform's server), as a SimGrid actor.
//
//   pem        gathers every party's raw reports of a level, estimates (flops_per_check per
//              support check on its host), keeps PEM's top k, and (GRR/OUE) sends the
//              survivors to the parties, whose users need the next candidates;
//   pem-local  gathers the parties' lists and merges them;
//   tap        shared levels: sums the parties' counts, keeps the top k1 and sends them back;
//              then gathers the lists and merges them;
//   taps       the same shared levels; then, party after party in the plan's order, sends the
//              prior (the lists so far) and waits for that party's list: phase II runs in
//              sequence, so the time to the answer grows with the number of parties.
// The answer (top-k, clipped at 0 after summing) and its time are left in the federation.
#pragma once
#include "emulator/schedules/hh_federation.hpp"

namespace flemu {

class HhAggregator {
 public:
  explicit HhAggregator(HhFederation& fed) : fed_(fed) {}
  void operator()();

 private:
  /// The next `count` messages about `level`, by party (messages arrive in any order; those
  /// about later levels wait).
  std::vector<HhUp> gather(int count, int level);
  void pooled();
  void tap();
  void merge(const std::vector<std::vector<analytics::ItemCount>>& lists);

  HhFederation& fed_;
  std::vector<HhUp> early_;
};

}  // namespace flemu

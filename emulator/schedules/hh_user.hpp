// A user's one report, as a SimGrid actor on the user's device (analytics).
//
// The user perturbs its item's prefix for its level (algorithms/analytics/prefix_tree.hpp,
// level_report) and sends the report, report_bytes(oracle) on the wire, to its party's server
// over its own uplink. GRR and OUE users first download the level's candidate prefixes from
// the party (card trap 6: the frequency oracle changes the protocol). The report is a pure
// function of (seed, party, user, candidates): a user killed mid-way (device off) sends the
// same report when it tries again, so retrying costs no privacy. Calls that advance simulated
// time: the two transfers.
#pragma once
#include <memory>

#include "emulator/schedules/hh_federation.hpp"

namespace flemu {

struct HhUserStatus {
  bool failed = false;  ///< the actor was killed (device off) before its report arrived
  bool done = false;
};

class HhUser {
 public:
  HhUser(HhFederation& fed, int party, uint64_t user, int attempt, std::shared_ptr<HhUserStatus> status)
      : fed_(fed), party_(party), user_(user), attempt_(attempt), status_(std::move(status)) {}
  void operator()();

 private:
  HhFederation& fed_;
  int party_;
  uint64_t user_;
  int attempt_;
  std::shared_ptr<HhUserStatus> status_;
};

}  // namespace flemu

// An anarchic client's own rules (Yang et al. 2022, "Anarchic Federated Learning"): when it
// takes part and how many local steps it runs, decided from its own state. Pure functions;
// the caller supplies the random draws.
#pragma once
#include <cstdint>

namespace flemu {

struct ParticipationPolicy {
  double think_time_s = 30;   ///< mean time between decisions, s (exponential)
  double participation = 1.0; ///< probability to participate at a decision when allowed
  double min_charge = 0.0;    ///< participate only with battery fraction > this
  enum class Steps { Fixed, Charge, Random } steps = Steps::Fixed;
  int min_steps = 1;
  int max_steps = 20;
};

/// Whether a client with battery fraction `charge` (1 without battery) participates, given a
/// uniform draw `u` in [0, 1).
bool decides_to_participate(const ParticipationPolicy& p, double charge, double u);

/// Local steps for a client with battery fraction `charge`, given a uniform draw `u` in [0, 1).
int local_steps_for(const ParticipationPolicy& p, double charge, double u);

}  // namespace flemu

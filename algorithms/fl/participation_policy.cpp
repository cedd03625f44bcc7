#include "algorithms/fl/participation_policy.hpp"

#include <algorithm>
#include <cmath>

#include "algorithms/algorithm_spec.hpp"

namespace flemu {

bool decides_to_participate(const ParticipationPolicy& p, double charge, double u) {
  return charge > p.min_charge && u < p.participation;
}

int local_steps_for(const ParticipationPolicy& p, double charge, double u) {
  const int span = p.max_steps - p.min_steps;
  switch (p.steps) {
    case ParticipationPolicy::Steps::Fixed: return p.max_steps;
    case ParticipationPolicy::Steps::Charge:
      return p.min_steps + static_cast<int>(std::lround(span * std::clamp(charge, 0.0, 1.0)));
    case ParticipationPolicy::Steps::Random:
      return p.min_steps + std::min(span, static_cast<int>(u * (span + 1)));
  }
  return p.max_steps;
}

const ParticipationPolicy& AlgorithmSpec::policy_for(const std::string& class_name) const {
  static const ParticipationPolicy default_policy;
  if (auto it = policies.find(class_name); it != policies.end()) return it->second;
  if (auto it = policies.find("*"); it != policies.end()) return it->second;
  return default_policy;
}

}  // namespace flemu

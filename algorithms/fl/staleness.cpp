#include "algorithms/fl/staleness.hpp"

#include <cmath>
#include <stdexcept>

namespace flemu {

double staleness_weight(const StalenessSpec& spec, int staleness) {
  if (staleness < 0)
    throw std::invalid_argument("staleness_weight: staleness must be >= 0, got " + std::to_string(staleness));
  const double tau = staleness;
  switch (spec.function) {
    case StalenessFunction::Constant:
      return 1.0;
    case StalenessFunction::Polynomial:
      if (!(spec.a > 0)) throw std::invalid_argument("staleness_weight: polynomial needs a > 0");
      return std::pow(tau + 1.0, -spec.a);
    case StalenessFunction::Hinge:
      if (!(spec.a > 0) || !(spec.b >= 0)) throw std::invalid_argument("staleness_weight: hinge needs a > 0 and b >= 0");
      return tau <= spec.b ? 1.0 : 1.0 / (spec.a * (tau - spec.b) + 1.0);
  }
  throw std::invalid_argument("staleness_weight: unknown staleness function");
}

StalenessFunction staleness_function_from_name(const std::string& name) {
  if (name == "constant") return StalenessFunction::Constant;
  if (name == "polynomial") return StalenessFunction::Polynomial;
  if (name == "hinge") return StalenessFunction::Hinge;
  throw std::invalid_argument("unknown staleness function \"" + name + "\" (expected constant, polynomial or hinge)");
}

std::string staleness_function_name(StalenessFunction f) {
  switch (f) {
    case StalenessFunction::Constant: return "constant";
    case StalenessFunction::Polynomial: return "polynomial";
    case StalenessFunction::Hinge: return "hinge";
  }
  return "?";
}

}  // namespace flemu

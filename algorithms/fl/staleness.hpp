// Staleness weighting s(τ) for asynchronous FL — Xie, Koyejo, Gupta, "Asynchronous Federated
// Optimization" (FedAsync), 2019, Sec. 5.2 ("staleness function"):
//
//   constant    s(τ) = 1
//   polynomial  s(τ) = (τ + 1)^(-a)                       (a > 0)
//   hinge       s(τ) = 1                 if τ <= b
//               s(τ) = 1 / (a (τ - b) + 1)  otherwise     (a > 0, b >= 0)
//
// τ = t - τ_client: how many global versions the server advanced while the client trained
// (0 = fresh). FedBuff's 1/sqrt(1 + τ) (Nguyen et al. 2022) is polynomial with a = 0.5.
#pragma once
#include <string>

namespace flemu {

enum class StalenessFunction { Constant, Polynomial, Hinge };

struct StalenessSpec {
  StalenessFunction function = StalenessFunction::Polynomial;  ///< which s(τ)
  double a = 0.5;  ///< polynomial exponent / hinge slope (unitless, > 0); FedAsync's experiments use a = 0.5 (poly), a = 10 (hinge)
  double b = 4;    ///< hinge: staleness tolerated at full weight, in versions (>= 0); FedAsync's experiments use b = 4
};

/// s(τ) for `staleness` >= 0, in (0, 1]. Throws std::invalid_argument for a negative
/// staleness or parameters out of range.
double staleness_weight(const StalenessSpec& spec, int staleness);

/// "constant" | "polynomial" | "hinge" (throws std::invalid_argument for another name).
StalenessFunction staleness_function_from_name(const std::string& name);
std::string staleness_function_name(StalenessFunction f);

}  // namespace flemu

// Parameters of the federated heavy-hitter methods (PEM, PEM per party, TAP, TAPS) and the
// plans they share: which prefix length each level estimates, and how users are split into
// the disjoint groups that report at each level (one report per user, so the whole protocol
// is epsilon-LDP by parallel composition; card A.6).
// Defaults equal the schema's (scenarios/scenario.schema.json, algorithm keys x-for "analytics").
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/analytics/frequency_oracle.hpp"

namespace flemu::analytics {

enum class HhMethod {
  Pem,       ///< PEM over the pooled users: parties forward raw reports, the aggregator runs PEM (non-federated reference)
  PemLocal,  ///< PEM inside each party; the aggregator sums the parties' top-k lists (the natural federated baseline)
  Tap,       ///< TAP-like (reconstruction, tap.hpp): shared shallow trie, then independent adaptive extension
  Taps       ///< TAPS-like: TAP plus consensus pruning with the earlier parties' noisy prior, parties in sequence
};
const char* to_string(HhMethod m);
/// "pem" | "pem-local" | "tap" | "taps"; throws std::invalid_argument otherwise.
HhMethod hh_method_from_name(const std::string& name);

struct HhParams {
  HhMethod method = HhMethod::Tap;
  OracleKind oracle = OracleKind::Olh;  ///< frequency oracle of every report
  double epsilon = 2;      ///< per-user LDP budget (> 0), spent once per user
  int k = 10;              ///< size of the top-k target
  int item_bits = 32;      ///< m: bits per item (from the workload)
  int step_bits = 4;       ///< gamma (TAP) = eta (PEM): prefix bits added per level; card default 4 (PEM's code: 1)
  int shared_bits = 8;     ///< TAP/TAPS: L1, depth of the shared shallow trie in bits (a multiple of step_bits)
  double shared_keep = 2;  ///< TAP/TAPS: k1 = shared_keep * k prefixes the aggregator keeps per shared level
  double keep_sd = 2;      ///< TAP/TAPS phase II: keep candidates whose estimate exceeds keep_sd standard deviations...
  double keep_max = 4;     ///< ...at least k and at most keep_max * k of them (the adaptive extension, [recon])
  double list_size = 2;    ///< TAP/TAPS: k' = list_size * k items each party uploads
  double phase1_share = -1;  ///< TAP/TAPS: share r of each party's users in phase I; < 0: users split evenly over all levels
  bool random_order = true;  ///< TAPS: parties in a seeded random order (else in party index order)

  int keep_count(double factor) const;  ///< max(k, round(factor * k))
};

/// Prefix length (bits) of each level of PEM: s0 = floor(log2 k) + 1, then + eta up to m
/// (Wang, Li, Jha, "Locally differentially private heavy hitter identification", TDSC 2019,
/// Sec. 5; G = 1 + ceil((m - s0) / eta) levels).
std::vector<int> pem_level_bits(const HhParams& p);

/// Prefix lengths of TAP: gamma, 2 gamma, ..., L1 (phase I, shared) then L1 + gamma, ..., m
/// (phase II, per party). phase1_levels() says how many are shared.
std::vector<int> tap_level_bits(const HhParams& p);
int tap_phase1_levels(const HhParams& p);

/// The levels of `p.method` (PEM and PEM-local: pem_level_bits; TAP/TAPS: tap_level_bits).
std::vector<int> level_bits(const HhParams& p);

/// Share of a party's users reporting at each level: even, or (TAP/TAPS with phase1_share
/// >= 0) phase1_share split evenly over the shared levels and the rest over the others.
std::vector<double> level_shares(const HhParams& p);

/// Checks what the schema cannot (throws std::invalid_argument with the reason):
/// step_bits <= item_bits <= 64, shared_bits a multiple of step_bits and < item_bits, ...
void check_params(const HhParams& p);

}  // namespace flemu::analytics

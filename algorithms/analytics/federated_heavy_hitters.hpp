// The four heavy-hitter methods end to end, as pure maths (no time, no network): the
// reference that the emulation (emulator/schedules/hh_*.cpp) must reproduce number for
// number, and the fast path for sweeps at a million users (`flemu analytics`).
//
// Who holds what: parties j = 0..P-1, each with its users' items (m-bit values). A plan fixes
// which level every user reports at (disjoint groups: each user reports once). A user's report
// is a pure function of (seed, party, user, the level's candidates), so any order of arrival
// gives the same reports.
//
// Wire sizes (card A.6), bytes: a user's report is report_bytes(oracle); a GRR/OUE user first
// downloads its level's candidates (candidates x prefix bytes). Party <-> aggregator messages
// carry a 4-byte entry count plus their entries: counts 4 B each; prefixes ceil(bits/8) B;
// items with counts ceil(m/8) + 4 B; forwarded raw reports report_bytes each.
// Pure maths: no SimGrid, no I/O.
#pragma once
#include <cstdint>
#include <vector>

#include "algorithms/analytics/heavy_hitter_params.hpp"
#include "algorithms/analytics/pem.hpp"
#include "algorithms/analytics/tap.hpp"

namespace flemu::analytics {

/// Seed-stream tags of the heavy-hitter protocols (derive_seed(seed, {tag, ...})).
enum HhStream : uint64_t { HhGroups = 181, HhReports = 182, HhOrder = 183, HhFastPath = 184 };

/// Message sizes, bytes.
namespace wire {
constexpr uint64_t kHeader = 4;
constexpr uint64_t kCount = 4;
inline uint64_t item_bytes(int item_bits) { return (static_cast<uint64_t>(item_bits) + 7) / 8; }
inline uint64_t counts(uint64_t n) { return kHeader + n * kCount; }
inline uint64_t prefixes(uint64_t n, int bits) { return kHeader + n * ((static_cast<uint64_t>(bits) + 7) / 8); }
inline uint64_t item_counts(uint64_t n, int item_bits) { return kHeader + n * (item_bytes(item_bits) + kCount); }
inline uint64_t raw_reports(uint64_t n, uint64_t report_bytes) { return kHeader + n * report_bytes; }
/// What a GRR/OUE user downloads before reporting (no header: the party's broadcast format).
inline uint64_t candidate_list(uint64_t n, int bits) { return n * ((static_cast<uint64_t>(bits) + 7) / 8); }
}  // namespace wire

/// Who reports where, fixed before anyone reports.
struct HhPlan {
  HhParams params;
  std::vector<int> bits;                         ///< prefix length of each level
  int phase1_levels = 0;                         ///< TAP/TAPS: shared levels; PEM: 0
  std::vector<uint64_t> party_users;             ///< n_j
  std::vector<std::vector<uint16_t>> level_of;   ///< [party][user]: the level the user reports at
  std::vector<std::vector<uint64_t>> group;      ///< [party][level]: users reporting there
  std::vector<int> order;                        ///< TAPS: parties in phase-II order; others 0..P-1
  int levels() const { return static_cast<int>(bits.size()); }
  int parties() const { return static_cast<int>(party_users.size()); }
};

/// The plan of `params` for parties of `party_users` users. PEM (pooled) groups all users
/// together (each level gets an even share of everyone); the other methods group each
/// party's users on their own (level_shares).
HhPlan make_hh_plan(const HhParams& params, const std::vector<uint64_t>& party_users, uint64_t seed);

/// Seed of the report of user `user` of party `party`.
uint64_t report_seed(uint64_t seed, int party, uint64_t user);

/// Users per reporting user, to scale a group's counts to its party (0 without reports).
inline double population_scale(uint64_t population, uint64_t reports) {
  return reports ? static_cast<double>(population) / static_cast<double>(reports) : 0.0;
}

/// Work an estimation does, in support checks (GRR: one per report; OUE: a bit per report
/// and candidate; OLH: a hash per report and candidate).
double support_checks(OracleKind kind, uint64_t reports, uint64_t candidates);

struct HhOutcome {
  std::vector<ItemCount> top;   ///< the answer, best first, counts clipped at 0
  int missing = 0;              ///< TAP/TAPS/PEM-local: (answer item, party) pairs without an estimate
  uint64_t reports = 0;         ///< users who reported (each once)
  double bytes_user_up = 0;     ///< user -> party reports
  double bytes_user_down = 0;   ///< party -> user candidate lists (GRR/OUE)
  double bytes_party_up = 0;    ///< party -> aggregator
  double bytes_party_down = 0;  ///< aggregator -> party
  double checks = 0;            ///< support checks of all estimations
};

/// Runs the plan's method on `party_items` (party_items[j].size() == plan.party_users[j]).
/// `fast`: level counts drawn by sample_level instead of built from per-user reports.
HhOutcome run_heavy_hitters(const HhPlan& plan, const std::vector<std::vector<uint64_t>>& party_items, uint64_t seed,
                            bool fast = false);

}  // namespace flemu::analytics

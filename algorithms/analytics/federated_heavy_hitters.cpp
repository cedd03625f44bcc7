#include "algorithms/analytics/federated_heavy_hitters.hpp"

#include <numeric>
#include <stdexcept>

namespace flemu::analytics {

HhPlan make_hh_plan(const HhParams& params, const std::vector<uint64_t>& party_users, uint64_t seed) {
  check_params(params);
  if (party_users.empty()) throw std::invalid_argument("heavy hitters: at least one party");
  HhPlan plan;
  plan.params = params;
  plan.bits = level_bits(params);
  const bool tap = params.method == HhMethod::Tap || params.method == HhMethod::Taps;
  plan.phase1_levels = tap ? tap_phase1_levels(params) : 0;
  plan.party_users = party_users;
  const auto shares = level_shares(params);
  const size_t levels = plan.bits.size();
  const size_t parties = party_users.size();
  plan.level_of.resize(parties);
  plan.group.assign(parties, std::vector<uint64_t>(levels, 0));
  if (params.method == HhMethod::Pem) {
    // One population: the groups are drawn over all users, party 0's first.
    const uint64_t total = std::accumulate(party_users.begin(), party_users.end(), uint64_t{0});
    const auto all = assign_groups(total, group_sizes(total, levels, shares), derive_seed(seed, {HhGroups}));
    uint64_t at = 0;
    for (size_t j = 0; j < parties; ++j) {
      plan.level_of[j].assign(all.begin() + static_cast<std::ptrdiff_t>(at),
                              all.begin() + static_cast<std::ptrdiff_t>(at + party_users[j]));
      at += party_users[j];
    }
  } else {
    for (size_t j = 0; j < parties; ++j)
      plan.level_of[j] =
          assign_groups(party_users[j], group_sizes(party_users[j], levels, shares), derive_seed(seed, {HhGroups, j}));
  }
  for (size_t j = 0; j < parties; ++j)
    for (uint16_t l : plan.level_of[j]) ++plan.group[j][l];
  plan.order = taps_party_order(static_cast<int>(parties), params.method == HhMethod::Taps && params.random_order,
                                derive_seed(seed, {HhOrder}));
  return plan;
}

uint64_t report_seed(uint64_t seed, int party, uint64_t user) {
  return derive_seed(seed, {HhReports, static_cast<uint64_t>(party), user});
}

double support_checks(OracleKind kind, uint64_t reports, uint64_t candidates) {
  const double n = static_cast<double>(reports);
  return kind == OracleKind::Grr ? n : n * static_cast<double>(candidates);
}

namespace {

/// Level counts of the users of `parties` who report at `level`, and the bytes and work that
/// took. The one place where reports are made and tallied.
class LevelEstimator {
 public:
  LevelEstimator(const HhPlan& plan, const std::vector<std::vector<uint64_t>>& items, uint64_t seed, bool fast,
                 HhOutcome& out)
      : plan_(plan), items_(items), seed_(seed), fast_(fast), out_(out) {}

  LevelCounts estimate(const std::vector<int>& parties, int level, const std::vector<uint64_t>& candidates) {
    const int bits = plan_.bits[static_cast<size_t>(level)];
    const CandidateDomain domain(candidates, bits);
    const FrequencyOracle fo = domain.oracle(plan_.params.oracle, plan_.params.epsilon);
    const uint64_t rb = report_bytes(fo);
    std::vector<Report> reports;
    std::vector<uint64_t> held;
    for (int j : parties) {
      const auto& level_of = plan_.level_of[static_cast<size_t>(j)];
      for (uint64_t u = 0; u < level_of.size(); ++u) {
        if (level_of[u] != level) continue;
        const uint64_t item = items_[static_cast<size_t>(j)][u];
        if (fast_) {
          held.push_back(item);
        } else {
          Rng rng(report_seed(seed_, j, u));
          reports.push_back(level_report(fo, domain, item, rng));
        }
        out_.bytes_user_up += static_cast<double>(rb);
        if (fo.kind != OracleKind::Olh) out_.bytes_user_down += static_cast<double>(wire::candidate_list(candidates.size(), bits));
        ++out_.reports;
      }
    }
    LevelCounts lc;
    if (fast_) {
      Rng rng(derive_seed(seed_, {HhFastPath, static_cast<uint64_t>(level), static_cast<uint64_t>(parties.front())}));
      lc = sample_level(fo, domain, held, rng);
    } else {
      lc = estimate_level(fo, domain, reports);
    }
    out_.checks += support_checks(fo.kind, lc.reports, candidates.size());
    last_oracle_ = fo;
    return lc;
  }
  const FrequencyOracle& last_oracle() const { return last_oracle_; }

 private:
  const HhPlan& plan_;
  const std::vector<std::vector<uint64_t>>& items_;
  uint64_t seed_;
  bool fast_;
  HhOutcome& out_;
  FrequencyOracle last_oracle_;
};

void run_pem_pooled(const HhPlan& plan, LevelEstimator& est, HhOutcome& out) {
  const HhParams& p = plan.params;
  std::vector<int> everyone(static_cast<size_t>(plan.parties()));
  std::iota(everyone.begin(), everyone.end(), 0);
  const uint64_t population = std::accumulate(plan.party_users.begin(), plan.party_users.end(), uint64_t{0});
  std::vector<uint64_t> candidates = all_prefixes(plan.bits[0]);
  for (int l = 0; l < plan.levels(); ++l) {
    const LevelCounts lc = est.estimate(everyone, l, candidates);
    // Each party forwards its users' raw reports of the level.
    for (int j : everyone)
      out.bytes_party_up += static_cast<double>(wire::raw_reports(plan.group[j][l], report_bytes(est.last_oracle())));
    if (l + 1 == plan.levels()) {
      out.top = pem_top_items(lc, p.k, population_scale(population, lc.reports));
      break;
    }
    const auto survivors = pem_survivors(lc, p.k);
    // GRR/OUE users of the next level need its candidates: the aggregator sends the survivors.
    if (p.oracle != OracleKind::Olh)
      out.bytes_party_down += static_cast<double>(plan.parties() * wire::prefixes(survivors.size(), plan.bits[l]));
    candidates = extend_prefixes(survivors, plan.bits[l], plan.bits[l + 1]);
  }
}

std::vector<ItemCount> pem_in_party(const HhPlan& plan, int j, LevelEstimator& est) {
  std::vector<uint64_t> candidates = all_prefixes(plan.bits[0]);
  for (int l = 0;; ++l) {
    const LevelCounts lc = est.estimate({j}, l, candidates);
    if (l + 1 == plan.levels())
      return pem_top_items(lc, plan.params.k, population_scale(plan.party_users[j], lc.reports));
    candidates = extend_prefixes(pem_survivors(lc, plan.params.k), plan.bits[l], plan.bits[l + 1]);
  }
}

std::vector<ItemCount> tap_phase2(const HhPlan& plan, int j, std::vector<uint64_t> candidates, LevelEstimator& est,
                                  const std::vector<ItemCount>* prior) {
  const HhParams& p = plan.params;
  for (int l = plan.phase1_levels;; ++l) {
    const LevelCounts raw = est.estimate({j}, l, candidates);
    const double scale = population_scale(plan.party_users[j], raw.reports);
    const LevelCounts lc = scaled(raw, scale);
    std::vector<bool> supported;
    if (prior) supported = prior_supported(lc.candidates, plan.bits[l], *prior, p.k);
    const std::vector<bool>* sup = prior ? &supported : nullptr;
    if (l + 1 == plan.levels()) return tap_party_list(lc, p, sup);
    const auto survivors = tap_adaptive_survivors(lc, rare_count_sd(est.last_oracle(), raw.reports, scale), p, sup);
    candidates = extend_prefixes(survivors, plan.bits[l], plan.bits[l + 1]);
  }
}

void run_tap(const HhPlan& plan, LevelEstimator& est, HhOutcome& out) {
  const HhParams& p = plan.params;
  const int P = plan.parties();
  std::vector<uint64_t> candidates = all_prefixes(plan.bits[0]);
  for (int l = 0; l < plan.phase1_levels; ++l) {
    std::vector<std::vector<double>> counts;
    for (int j = 0; j < P; ++j) {
      const LevelCounts lc = est.estimate({j}, l, candidates);
      counts.push_back(scaled(lc, population_scale(plan.party_users[j], lc.reports)).counts);
      out.bytes_party_up += static_cast<double>(wire::counts(candidates.size()));
    }
    const auto survivors = tap_shared_survivors(candidates, counts, static_cast<size_t>(p.keep_count(p.shared_keep)));
    out.bytes_party_down += static_cast<double>(P * wire::prefixes(survivors.size(), plan.bits[l]));
    candidates = extend_prefixes(survivors, plan.bits[l], plan.bits[l + 1]);
  }
  const bool taps = p.method == HhMethod::Taps;
  std::vector<std::vector<ItemCount>> lists;  // in phase-II order
  for (int j : plan.order) {
    std::vector<ItemCount> prior;
    if (taps) {
      prior = taps_prior(lists);
      out.bytes_party_down += static_cast<double>(wire::item_counts(prior.size(), p.item_bits));
    }
    lists.push_back(tap_phase2(plan, j, candidates, est, taps ? &prior : nullptr));
    out.bytes_party_up += static_cast<double>(wire::item_counts(lists.back().size(), p.item_bits));
  }
  const MergedTop m = merge_party_lists(lists, p.k);
  out.top = m.top;
  out.missing = m.missing;
}

}  // namespace

HhOutcome run_heavy_hitters(const HhPlan& plan, const std::vector<std::vector<uint64_t>>& party_items, uint64_t seed,
                            bool fast) {
  if (party_items.size() != plan.party_users.size()) throw std::invalid_argument("run_heavy_hitters: one item list per party");
  for (size_t j = 0; j < party_items.size(); ++j)
    if (party_items[j].size() != plan.party_users[j])
      throw std::invalid_argument("run_heavy_hitters: party item lists must match the plan");
  HhOutcome out;
  LevelEstimator est(plan, party_items, seed, fast, out);
  switch (plan.params.method) {
    case HhMethod::Pem:
      run_pem_pooled(plan, est, out);
      for (auto& ic : out.top) ic.count = std::max(0.0, ic.count);
      break;
    case HhMethod::PemLocal: {
      std::vector<std::vector<ItemCount>> lists;
      for (int j = 0; j < plan.parties(); ++j) {
        lists.push_back(pem_in_party(plan, j, est));
        out.bytes_party_up += static_cast<double>(wire::item_counts(lists.back().size(), plan.params.item_bits));
      }
      const MergedTop m = merge_party_lists(lists, plan.params.k);
      out.top = m.top;
      out.missing = m.missing;
      break;
    }
    case HhMethod::Tap:
    case HhMethod::Taps:
      run_tap(plan, est, out);
      break;
  }
  return out;
}

}  // namespace flemu::analytics

#include "emulator/schedules/hh_party.hpp"

namespace flemu {

using namespace analytics;

HhDown HhPartyServer::receive(HhDown::Kind kind, int level) {
  for (auto it = early_.begin(); it != early_.end(); ++it)
    if (it->kind == kind && it->level == level) {
      HhDown d = std::move(*it);
      early_.erase(it);
      return d;
    }
  HhParty& party = fed_.parties[static_cast<size_t>(party_)];
  for (;;) {
    HhDown d = std::move(*party.inbox.pop());
    if (d.kind == kind && d.level == level) return d;
    early_.push_back(std::move(d));
  }
}

analytics::LevelCounts HhPartyServer::estimate(int l, const std::vector<uint64_t>& candidates, double* sd) {
  HhParty& party = fed_.parties[static_cast<size_t>(party_)];
  open_level(fed_, party, l, candidates);
  const auto reports = collect_level(fed_, party, l);
  const LevelCounts raw = estimate_on_host(fed_, party_, l, candidates, reports);
  const double scale = population_scale(fed_.plan.party_users[static_cast<size_t>(party_)], raw.reports);
  if (sd) *sd = rare_count_sd(party.levels[static_cast<size_t>(l)].oracle, raw.reports, scale);
  return scaled(raw, scale);
}

void HhPartyServer::pooled() {
  HhParty& party = fed_.parties[static_cast<size_t>(party_)];
  std::vector<uint64_t> candidates = all_prefixes(fed_.plan.bits[0]);
  for (int l = 0; l < fed_.plan.levels(); ++l) {
    if (l > 0 && fed_.needs_candidates()) {
      const auto down = receive(HhDown::Survivors, l - 1);
      candidates = extend_prefixes(down.survivors, fed_.plan.bits[l - 1], fed_.plan.bits[l]);
    }
    open_level(fed_, party, l, candidates);
    HhUp up;
    up.kind = HhUp::RawReports, up.party = party_, up.level = l;
    up.reports = collect_level(fed_, party, l);
    const uint64_t bytes = wire::raw_reports(up.reports.size(), report_bytes(party.levels[static_cast<size_t>(l)].oracle));
    send_up(fed_, party, std::move(up), bytes);
  }
}

void HhPartyServer::local_pem() {
  HhParty& party = fed_.parties[static_cast<size_t>(party_)];
  const HhParams& p = fed_.params();
  std::vector<uint64_t> candidates = all_prefixes(fed_.plan.bits[0]);
  HhUp up;
  up.kind = HhUp::List, up.party = party_, up.level = fed_.plan.levels() - 1;
  for (int l = 0;; ++l) {
    const LevelCounts lc = estimate(l, candidates);
    if (l + 1 == fed_.plan.levels()) {
      up.list = pem_top_items(lc, p.k, 1.0);  // already scaled to the party
      break;
    }
    candidates = extend_prefixes(pem_survivors(lc, p.k), fed_.plan.bits[l], fed_.plan.bits[l + 1]);
  }
  const uint64_t bytes = wire::item_counts(up.list.size(), p.item_bits);
  send_up(fed_, party, std::move(up), bytes);
}

void HhPartyServer::tap() {
  HhParty& party = fed_.parties[static_cast<size_t>(party_)];
  const HhParams& p = fed_.params();
  const auto& bits = fed_.plan.bits;
  std::vector<uint64_t> candidates = all_prefixes(bits[0]);
  for (int l = 0; l < fed_.plan.phase1_levels; ++l) {
    HhUp up;
    up.kind = HhUp::Counts, up.party = party_, up.level = l;
    up.counts = estimate(l, candidates).counts;
    send_up(fed_, party, std::move(up), wire::counts(candidates.size()));
    const auto down = receive(HhDown::Survivors, l);
    candidates = extend_prefixes(down.survivors, bits[l], bits[l + 1]);
  }
  std::vector<ItemCount> prior;
  const bool taps = p.method == HhMethod::Taps;
  if (taps) prior = receive(HhDown::Prior, fed_.plan.phase1_levels).prior;  // my turn
  HhUp up;
  up.kind = HhUp::List, up.party = party_, up.level = fed_.plan.levels() - 1;
  for (int l = fed_.plan.phase1_levels;; ++l) {
    double sd = 0;
    const LevelCounts lc = estimate(l, candidates, &sd);
    std::vector<bool> supported;
    if (taps) supported = prior_supported(lc.candidates, bits[l], prior, p.k);
    const std::vector<bool>* sup = taps ? &supported : nullptr;
    if (l + 1 == fed_.plan.levels()) {
      up.list = tap_party_list(lc, p, sup);
      break;
    }
    candidates = extend_prefixes(tap_adaptive_survivors(lc, sd, p, sup), bits[l], bits[l + 1]);
  }
  const uint64_t bytes = wire::item_counts(up.list.size(), p.item_bits);
  send_up(fed_, party, std::move(up), bytes);
}

void HhPartyServer::operator()() {
  switch (fed_.params().method) {
    case HhMethod::Pem: pooled(); break;
    case HhMethod::PemLocal: local_pem(); break;
    case HhMethod::Tap:
    case HhMethod::Taps: tap(); break;
  }
}

}  // namespace flemu

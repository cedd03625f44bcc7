#include "emulator/schedules/hh_aggregator.hpp"

#include <algorithm>
#include <numeric>

namespace sg4 = simgrid::s4u;

namespace flemu {

using namespace analytics;

std::vector<HhUp> HhAggregator::gather(int count, int level) {
  std::vector<HhUp> got;
  for (auto it = early_.begin(); it != early_.end() && static_cast<int>(got.size()) < count;) {
    if (it->level == level) {
      got.push_back(std::move(*it));
      it = early_.erase(it);
    } else {
      ++it;
    }
  }
  while (static_cast<int>(got.size()) < count) {
    HhUp up = std::move(*fed_.aggregator_inbox.pop());
    if (up.level == level)
      got.push_back(std::move(up));
    else
      early_.push_back(std::move(up));  // a party already ahead (pem with OLH never waits)
  }
  // Arrival order is timing; what is computed from the messages must not depend on it.
  std::sort(got.begin(), got.end(), [](const HhUp& a, const HhUp& b) { return a.party < b.party; });
  return got;
}

void HhAggregator::merge(const std::vector<std::vector<ItemCount>>& lists) {
  const MergedTop m = merge_party_lists(lists, fed_.params().k);
  fed_.top = m.top;
  fed_.missing = m.missing;
}

void HhAggregator::pooled() {
  const HhParams& p = fed_.params();
  const int P = fed_.plan.parties();
  const uint64_t population = std::accumulate(fed_.plan.party_users.begin(), fed_.plan.party_users.end(), uint64_t{0});
  std::vector<uint64_t> candidates = all_prefixes(fed_.plan.bits[0]);
  for (int l = 0; l < fed_.plan.levels(); ++l) {
    std::vector<Report> reports;
    for (auto& up : gather(P, l))
      for (auto& r : up.reports) reports.push_back(std::move(r));
    const LevelCounts lc = estimate_on_host(fed_, -1, l, candidates, reports);
    if (l + 1 == fed_.plan.levels()) {
      fed_.top = pem_top_items(lc, p.k, population_scale(population, lc.reports));
      for (auto& ic : fed_.top) ic.count = std::max(0.0, ic.count);
      return;
    }
    const auto survivors = pem_survivors(lc, p.k);
    if (fed_.needs_candidates())
      for (int j = 0; j < P; ++j) {
        HhDown down;
        down.kind = HhDown::Survivors, down.level = l, down.survivors = survivors;
        send_down(fed_, j, std::move(down), wire::prefixes(survivors.size(), fed_.plan.bits[l]));
      }
    candidates = extend_prefixes(survivors, fed_.plan.bits[l], fed_.plan.bits[l + 1]);
  }
}

void HhAggregator::tap() {
  const HhParams& p = fed_.params();
  const int P = fed_.plan.parties();
  std::vector<uint64_t> candidates = all_prefixes(fed_.plan.bits[0]);
  for (int l = 0; l < fed_.plan.phase1_levels; ++l) {
    std::vector<std::vector<double>> counts;
    for (auto& up : gather(P, l)) counts.push_back(std::move(up.counts));
    const auto survivors = tap_shared_survivors(candidates, counts, static_cast<size_t>(p.keep_count(p.shared_keep)));
    for (int j = 0; j < P; ++j) {
      HhDown down;
      down.kind = HhDown::Survivors, down.level = l, down.survivors = survivors;
      send_down(fed_, j, std::move(down), wire::prefixes(survivors.size(), fed_.plan.bits[l]));
    }
    candidates = extend_prefixes(survivors, fed_.plan.bits[l], fed_.plan.bits[l + 1]);
  }
  std::vector<std::vector<ItemCount>> lists;
  if (p.method == HhMethod::Taps) {
    for (int j : fed_.plan.order) {  // phase II, one party after the other
      HhDown down;
      down.kind = HhDown::Prior, down.level = fed_.plan.phase1_levels, down.prior = taps_prior(lists);
      const uint64_t bytes = wire::item_counts(down.prior.size(), p.item_bits);
      send_down(fed_, j, std::move(down), bytes);
      lists.push_back(std::move(gather(1, fed_.plan.levels() - 1).front().list));
    }
  } else {
    for (auto& up : gather(P, fed_.plan.levels() - 1)) lists.push_back(std::move(up.list));
  }
  merge(lists);
}

void HhAggregator::operator()() {
  switch (fed_.params().method) {
    case HhMethod::Pem: pooled(); break;
    case HhMethod::PemLocal: {
      std::vector<std::vector<ItemCount>> lists;
      for (auto& up : gather(fed_.plan.parties(), fed_.plan.levels() - 1)) lists.push_back(std::move(up.list));
      merge(lists);
      break;
    }
    case HhMethod::Tap:
    case HhMethod::Taps: tap(); break;
  }
  fed_.result_time_s = sg4::Engine::get_clock();
  Event e{fed_.result_time_s, NAN, EventKind::Result, "aggregator", fed_.platform.server->get_name()};
  e.count = static_cast<int>(fed_.top.size());
  fed_.bus.emit(e);
}

}  // namespace flemu

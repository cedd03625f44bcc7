#include "emulator/schedules/hh_federation.hpp"

#include <algorithm>
#include <cmath>

#include "emulator/core/device_transfer.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

void open_level(HhFederation& fed, HhParty& party, int l, const std::vector<uint64_t>& candidates) {
  LevelCollection& lv = party.levels[static_cast<size_t>(l)];
  if (lv.open) return;  // OLH levels open at t = 0
  const int bits = fed.plan.bits[static_cast<size_t>(l)];
  lv.domain.emplace(fed.needs_candidates() ? candidates : std::vector<uint64_t>{}, bits);
  lv.oracle = lv.domain->oracle(fed.params().oracle, fed.params().epsilon);
  lv.open = true;
  lv.deadline_s = sg4::Engine::get_clock() + fed.scenario.algorithm.report_window_s;
  party.wake->release();
}

std::vector<analytics::Report> collect_level(HhFederation& fed, HhParty& party, int l) {
  LevelCollection& lv = party.levels[static_cast<size_t>(l)];
  for (;;) {
    const double now = sg4::Engine::get_clock();
    if (lv.reports.size() >= lv.expected || now >= lv.deadline_s) break;
    party.report_arrived->acquire_timeout(lv.deadline_s - now);
  }
  lv.closed = true;
  party.wake->release();  // the arrivals actor drops what it still holds for this level
  std::sort(lv.reports.begin(), lv.reports.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<analytics::Report> out;
  out.reserve(lv.reports.size());
  std::vector<char> got(party.user_devices.size(), 0);
  for (auto& [u, r] : lv.reports) {
    got[u] = 1;
    out.push_back(std::move(r));
  }
  lv.reports.clear();
  // Users of the level's group who did not report in the window.
  const auto& level_of = fed.plan.level_of[static_cast<size_t>(party.index)];
  for (size_t u = 0; u < level_of.size(); ++u)
    if (level_of[u] == l && !got[u]) {
      const int device = party.user_devices[u];
      Event e{sg4::Engine::get_clock(), NAN, EventKind::UpdateDropped, "user-" + std::to_string(device),
              fed.devices[static_cast<size_t>(device)].name, l + 1, device};
      e.party = party.index;
      e.reason = "window";
      fed.bus.emit(e);
    }
  return out;
}

analytics::LevelCounts estimate_on_host(HhFederation& fed, int party, int l, const std::vector<uint64_t>& candidates,
                                        const std::vector<analytics::Report>& reports) {
  const analytics::CandidateDomain domain(candidates, fed.plan.bits[static_cast<size_t>(l)]);
  const auto fo = domain.oracle(fed.params().oracle, fed.params().epsilon);
  const double start = sg4::Engine::get_clock();
  const double flops =
      analytics::support_checks(fo.kind, reports.size(), candidates.size()) * fed.scenario.algorithm.flops_per_check;
  if (flops > 0) {
    const int device = party < 0 ? -1 : fed.parties[static_cast<size_t>(party)].device;
    const bool metered = device >= 0 && fed.fleet.wants_activity(device);
    const int cores = sg4::this_actor::get_host()->get_core_count();
    sg4::ExecPtr exec = sg4::this_actor::exec_init(flops / cores)->set_thread_count(cores);
    exec->start();
    if (metered) fed.fleet.activity_changed(device);  // the host's draw goes up
    exec->wait();
    if (metered) fed.fleet.activity_changed(device);
  }
  auto lc = analytics::estimate_level(fo, domain, reports);
  const std::string actor = party < 0 ? "aggregator" : "party-" + std::to_string(party);
  Event e{sg4::Engine::get_clock(), start, EventKind::Estimate, actor, sg4::this_actor::get_host()->get_name(), l + 1};
  e.party = party;
  e.flops = flops;
  e.count = static_cast<int>(reports.size());
  e.candidates = static_cast<int>(candidates.size());
  fed.bus.emit(e);
  return lc;
}

void send_up(HhFederation& fed, HhParty& party, HhUp msg, uint64_t bytes) {
  const double start = sg4::Engine::get_clock();
  transfer_bytes(TransferWay::ToServer, fed.platform.server, party.device, bytes);
  Event e{sg4::Engine::get_clock(), start, EventKind::Upload, "party-" + std::to_string(party.index),
          party.host->get_name(), msg.level + 1};
  e.party = party.index;
  e.bytes = static_cast<double>(bytes);
  fed.bus.emit(e);
  fed.aggregator_inbox.push(std::move(msg));
}

void send_down(HhFederation& fed, int party, HhDown msg, uint64_t bytes) {
  fed.parties[static_cast<size_t>(party)].outbox.push({std::move(msg), bytes});
}

void run_party_downlink(HhFederation& fed, int party_index) {
  sg4::Actor::self()->daemonize();
  HhParty& party = fed.parties[static_cast<size_t>(party_index)];
  for (;;) {
    auto [msg, bytes] = std::move(*party.outbox.pop());
    const double start = sg4::Engine::get_clock();
    transfer_bytes(TransferWay::ToDevice, fed.platform.server, party.device, bytes);
    Event e{sg4::Engine::get_clock(), start, EventKind::Download, "party-" + std::to_string(party_index),
            party.host->get_name(), msg.level + 1};
    e.party = party_index;
    e.bytes = static_cast<double>(bytes);
    fed.bus.emit(e);
    party.inbox.push(std::move(msg));
  }
}

}  // namespace flemu

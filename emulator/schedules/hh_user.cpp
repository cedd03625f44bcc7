#include "emulator/schedules/hh_user.hpp"

#include <stdexcept>

#include "emulator/core/host_transfer.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

void HhUser::operator()() {
  // A daemon: the run ends with the answer, not with the last straggler's report.
  sg4::Actor::self()->daemonize();
  auto status = status_;
  sg4::this_actor::on_exit([status](bool failed) { status->failed = failed && !status->done; });
  HhParty& party = fed_.parties[static_cast<size_t>(party_)];
  const int l = fed_.plan.level_of[static_cast<size_t>(party_)][user_];
  LevelCollection& lv = party.levels[static_cast<size_t>(l)];
  const int device = party.user_devices[user_];
  const std::string actor = "user-" + std::to_string(device);
  const std::string& host = fed_.devices[static_cast<size_t>(device)].name;
  const std::string tag = std::to_string(device) + "-" + std::to_string(attempt_);

  if (fed_.needs_candidates()) {
    const double start = sg4::Engine::get_clock();
    const uint64_t bytes = analytics::wire::candidate_list(lv.domain->size(), lv.domain->bits());
    receive_from_device(fed_.platform, device, party.device, "candidates-" + tag, bytes);
    Event e{sg4::Engine::get_clock(), start, EventKind::Download, actor, host, l + 1, device};
    e.party = party_;
    e.bytes = static_cast<double>(bytes);
    fed_.bus.emit(e);
  }
  Rng rng(analytics::report_seed(fed_.scenario.seed, party_, user_));
  analytics::Report report =
      analytics::level_report(lv.oracle, *lv.domain, fed_.items[static_cast<size_t>(party_)][user_], rng);
  const uint64_t bytes = analytics::report_bytes(lv.oracle);
  const double start = sg4::Engine::get_clock();
  send_to_device(fed_.platform, device, party.device, "report-" + tag, bytes);
  Event e{sg4::Engine::get_clock(), start, EventKind::Report, actor, host, l + 1, device};
  e.party = party_;
  e.bytes = static_cast<double>(bytes);
  fed_.bus.emit(e);
  status->done = true;
  // One report per user, ever (card check 4): a second delivery would be a bug of the
  // emulator, and would spend the user's privacy budget twice.
  if (party.reported[user_]) throw std::logic_error("user " + std::to_string(device) + " reported twice");
  party.reported[user_] = 1;
  if (lv.closed) {
    ++lv.late;
    return;
  }
  lv.reports.emplace_back(user_, std::move(report));
  party.report_arrived->release();
}

}  // namespace flemu

#include "emulator/schedules/hh_arrivals.hpp"

#include <limits>
#include <map>
#include <queue>
#include <set>

#include "emulator/schedules/hh_user.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

void HhDeviceWatch::on_device_state(int device, bool on, const std::string&) {
  if (!on) return;
  const auto [party, user] = fed_.user_of_device[static_cast<size_t>(device)];
  if (party < 0) return;
  HhParty& p = fed_.parties[static_cast<size_t>(party)];
  p.came_online.push_back(user);
  p.wake->release();
}

void HhArrivals::operator()() {
  sg4::Actor::self()->daemonize();
  HhParty& party = fed_.parties[static_cast<size_t>(party_)];
  const auto& level_of = fed_.plan.level_of[static_cast<size_t>(party_)];
  const double heartbeat = fed_.scenario.platform.server.heartbeat_s;
  using Due = std::pair<double, uint64_t>;  // (time, user): ties go to the smaller user
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due;
  for (uint64_t u = 0; u < party.user_devices.size(); ++u) due.emplace(party.arrival_s[u], u);
  std::vector<std::vector<uint64_t>> waiting(party.levels.size());  // arrived before their level opened
  std::map<uint64_t, std::shared_ptr<HhUserStatus>> in_flight;
  std::set<uint64_t> offline;  // due, but their device is off: waiting for it to come on
  std::vector<int> attempts(party.user_devices.size(), 0);

  for (;;) {
    const double now = sg4::Engine::get_clock();
    for (size_t l = 0; l < party.levels.size(); ++l)
      if (party.levels[l].open && !waiting[l].empty()) {
        for (uint64_t u : waiting[l]) due.emplace(now, u);
        waiting[l].clear();
      }
    for (uint64_t u : party.came_online)
      if (offline.erase(u)) due.emplace(now, u);
    party.came_online.clear();
    for (auto it = in_flight.begin(); it != in_flight.end();) {
      if (it->second->done) {
        it = in_flight.erase(it);
      } else if (it->second->failed) {
        due.emplace(now, it->first);  // asked again now: if the device is still off, it waits for it
        it = in_flight.erase(it);
      } else {
        ++it;
      }
    }
    if (due.empty() && in_flight.empty() && offline.empty()) {
      bool pending = false;
      for (const auto& w : waiting) pending = pending || !w.empty();
      if (!pending) return;  // every user reported or was missed
    }
    double next = due.empty() ? std::numeric_limits<double>::infinity() : due.top().first;
    if (!in_flight.empty()) next = std::min(next, now + heartbeat);  // notice killed reporters
    if (next > now) {
      if (std::isinf(next))
        party.wake->acquire();
      else
        party.wake->acquire_timeout(next - now);
      continue;
    }
    const uint64_t u = due.top().second;
    due.pop();
    const LevelCollection& lv = party.levels[level_of[u]];
    const int device = party.user_devices[u];
    if (lv.closed || party.reported[u]) continue;  // missed (the party reports it) or done
    if (!lv.open) {
      waiting[level_of[u]].push_back(u);
      continue;
    }
    if (!fed_.fleet.can_participate(device)) {
      offline.insert(u);
      continue;
    }
    auto status = std::make_shared<HhUserStatus>();
    in_flight[u] = status;
    sg4::Actor::create("user-" + std::to_string(device), fed_.platform.devices[static_cast<size_t>(device)],
                       HhUser(fed_, party_, u, attempts[u]++, status));
  }
}

}  // namespace flemu

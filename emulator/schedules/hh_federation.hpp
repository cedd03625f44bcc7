// What the actors of a heavy-hitter (analytics) run share: the plan of who reports where, the
// users' items, each party server's collections of reports per level, and the queues between
// the parties and the aggregator. Owned by run_analytics(); actors hold a reference.
//
// The protocol itself lives in algorithms/analytics (federated_heavy_hitters.hpp is its
// time-free reference); the actors (hh_user, hh_arrivals, hh_party, hh_aggregator) move its
// messages through SimGrid and call the same step functions, so an emulated run in which every
// user reports gives the reference's answer exactly.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <simgrid/s4u.hpp>

#include "algorithms/analytics/federated_heavy_hitters.hpp"
#include "emulator/config/scenario.hpp"
#include "emulator/core/event.hpp"
#include "emulator/core/fleet.hpp"
#include "emulator/schedules/message_queue.hpp"
#include "platforms/star_platform.hpp"

namespace flemu {

/// Party -> aggregator.
struct HhUp {
  enum Kind { Counts, RawReports, List } kind = Counts;
  int party = 0;
  int level = 0;
  std::vector<double> counts;                  ///< Counts: the level's candidates, scaled to the party
  std::vector<analytics::Report> reports;      ///< RawReports: the level's reports, by user
  std::vector<analytics::ItemCount> list;      ///< List: the party's items with counts
};

/// Aggregator -> party.
struct HhDown {
  enum Kind { Survivors, Prior } kind = Survivors;
  int level = 0;                               ///< Survivors: the level they survived
  std::vector<uint64_t> survivors;
  std::vector<analytics::ItemCount> prior;     ///< TAPS
};

/// One level's reports at one party.
struct LevelCollection {
  bool open = false, closed = false;
  double deadline_s = 0;
  std::optional<analytics::CandidateDomain> domain;  ///< what users report against (OLH: its bits only)
  analytics::FrequencyOracle oracle;
  std::vector<std::pair<uint64_t, analytics::Report>> reports;  ///< (user index in the party, report)
  uint64_t expected = 0;  ///< users of the level's group
  uint64_t late = 0;      ///< reports that arrived after the level closed
};

struct HhParty {
  int index = 0;
  int device = 0;                     ///< the party server's device index
  simgrid::s4u::Host* host = nullptr;
  std::vector<int> user_devices;      ///< device of each user, in party order
  std::vector<double> arrival_s;      ///< when each user arrives
  std::vector<LevelCollection> levels;
  std::vector<char> reported;         ///< per user: its one report was delivered (privacy bookkeeping)
  simgrid::s4u::SemaphorePtr report_arrived = simgrid::s4u::Semaphore::create(0);
  simgrid::s4u::SemaphorePtr wake = simgrid::s4u::Semaphore::create(0);  ///< wakes the arrivals actor
  std::vector<uint64_t> came_online;  ///< users whose device came on since the arrivals actor last looked
  MessageQueue<HhDown> inbox;
  MessageQueue<std::pair<HhDown, uint64_t>> outbox;  ///< the aggregator's messages to this party, in order
};

struct HhFederation {
  const Scenario& scenario;
  std::vector<DeviceSpec> devices;
  StarPlatform platform;
  Fleet& fleet;
  EventBus& bus;
  analytics::HhPlan plan;
  std::vector<std::vector<uint64_t>> items;  ///< [party][user]
  std::vector<HhParty> parties;
  MessageQueue<HhUp> aggregator_inbox;
  std::vector<std::pair<int, uint64_t>> user_of_device;  ///< device -> (party, user); party -1 if not a user
  // The answer, set by the aggregator.
  std::vector<analytics::ItemCount> top;
  int missing = 0;
  double result_time_s = -1;

  const analytics::HhParams& params() const { return plan.params; }
  bool needs_candidates() const { return params().oracle != analytics::OracleKind::Olh; }
};

/// Party side: opens level `l` for its users (they may report from now on, until the
/// report window closes) against `candidates` (ignored by OLH, whose levels open at t = 0).
void open_level(HhFederation& fed, HhParty& party, int l, const std::vector<uint64_t>& candidates);
/// Party side: waits until the level's group has reported or its window closed, closes it and
/// returns its reports (by user index); reports missed users.
std::vector<analytics::Report> collect_level(HhFederation& fed, HhParty& party, int l);
/// Estimates a level on the calling actor's host (simulated compute flops_per_check per
/// support check) and reports it; `party` -1 for the aggregator.
analytics::LevelCounts estimate_on_host(HhFederation& fed, int party, int l, const std::vector<uint64_t>& candidates,
                                        const std::vector<analytics::Report>& reports);
/// Party -> aggregator: moves `bytes`, then hands `msg` over.
void send_up(HhFederation& fed, HhParty& party, HhUp msg, uint64_t bytes);
/// Aggregator -> party: queued for the party's downlink actor (returns at once; messages to
/// several parties travel in parallel, to one party one after the other, as on one connection).
void send_down(HhFederation& fed, int party, HhDown msg, uint64_t bytes);
/// The party's downlink: a daemon on its host that moves each queued message's bytes from the
/// aggregator, then hands the message to the party's inbox.
void run_party_downlink(HhFederation& fed, int party);

}  // namespace flemu

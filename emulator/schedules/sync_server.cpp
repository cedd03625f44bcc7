#include "emulator/schedules/sync_server.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include <simgrid/s4u.hpp>

#include "emulator/core/device_transfer.hpp"
#include "emulator/core/update_compression.hpp"
#include "emulator/schedules/engagement.hpp"
#include "emulator/schedules/per_client_eval.hpp"
#include "emulator/schedules/server_inbox.hpp"
#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

SyncServer::SyncServer(Federation& fed, std::unique_ptr<SyncAlgorithm> algorithm, ServerOutcome& outcome)
    : fed_(fed), algorithm_(std::move(algorithm)), outcome_(outcome) {}

std::vector<ClientUpdate> SyncServer::run_round(int round, const std::shared_ptr<const Params>& global,
                                                bool& nobody, bool& deadline_passed) {
  const Scenario& sc = fed_.scenario;
  const AlgorithmSpec& spec = sc.algorithm;
  fed_.fleet.await_changes_due_now();
  std::vector<int> candidates;
  for (int i = 0; i < fed_.num_devices(); ++i)
    if (fed_.fleet.can_participate(i)) candidates.push_back(i);
  nobody = candidates.empty();
  deadline_passed = false;
  if (nobody) return {};
  const int count = static_cast<int>(std::ceil(spec.clients_per_round * (1.0 + spec.over_selection) - 1e-9));
  const auto selected = algorithm_->select_clients(
      round, candidates, count, derive_seed(sc.seed, SeedStream::ClientSampling, {uint64_t(round)}));
  // Updates to wait for: K (uniform participation), or everyone drawn (Bernoulli).
  const int wanted = spec.participation == AlgorithmSpec::Participation::Bernoulli
                         ? static_cast<int>(selected.size())
                         : std::min<int>(spec.clients_per_round, static_cast<int>(candidates.size()));
  // Bernoulli participation drew nobody: the round happens without an update (drawn again
  // with the same seed, it would draw nobody again).
  if (selected.empty()) deadline_passed = true;

  Event start{sg4::Engine::get_clock(), NAN, EventKind::RoundStart, "server", "server", round};
  start.count = static_cast<int>(selected.size());
  fed_.bus.emit(start);

  std::vector<std::unique_ptr<TrainOrder>> orders;
  for (int c : selected) {
    auto order = std::make_unique<TrainOrder>();
    order->round = round;
    order->base_version = round - 1;
    ClientPlan plan = algorithm_->plan(c, round, global);
    order->global = plan.start ? plan.start : global;
    order->local = std::move(plan.local);
    order->wire = std::move(plan.wire);
    order->download_flops = plan.download_flops;
    order->encoder = algorithm_->encoder();
    order->split = algorithm_->split_plan();
    order->seed = derive_seed(sc.seed, SeedStream::Training, {uint64_t(round), uint64_t(c)});
    orders.push_back(std::move(order));
  }
  // (Not when downloads are compressed: each client then trains from the decoded broadcast,
  // which only its own actor knows.)
  if (fed_.trainer.prefers_groups() && !(fed_.compression && fed_.compression->encodes_down())) {
    // One stacked job for the round's clients (a GPU technique): the group is the selected
    // set, fixed by the seed, so results do not depend on timing. Clients that are later
    // lost simply never collect theirs.
    std::vector<TrainJob> jobs;
    for (size_t i = 0; i < orders.size(); ++i) jobs.push_back(make_train_job(fed_, selected[i], *orders[i]));
    Trainer& trainer = fed_.trainer;
    std::shared_future<std::vector<TrainResult>> group =
        fed_.pool.submit([&trainer, jobs] { return trainer.train_group(jobs); }).share();
    for (size_t i = 0; i < orders.size(); ++i) {
      orders[i]->group = group;
      orders[i]->group_index = static_cast<int>(i);
    }
  }
  // The server's end of every download and upload of the round, posted at once (SimGrid comms
  // only: a fluid shared link needs none). Not for split learning: its per-batch messages go
  // through the same device mailboxes, each with its own helper (device_transfer.hpp), so the
  // round's posted upload must not be waiting there.
  const bool split = algorithm_->split_plan() != nullptr;
  std::vector<uint64_t> download_bytes;
  for (const auto& o : orders) {
    // A compressed download carries the encoded broadcast of the round's model.
    const WireMessage down = fed_.compression && fed_.compression->encodes_down()
                                 ? with_model_bytes(o->wire.down, fed_.compression->broadcast(global, round - 1)->bytes)
                                 : o->wire.down;
    download_bytes.push_back(static_cast<uint64_t>(down.bytes()));
  }
  std::optional<RoundTransfers> transfers;
  if (!fed_.fluid && !split) transfers.emplace(fed_.platform.server, selected, download_bytes);
  std::map<int, Engaged> engaged;  // by device: still expected to answer
  for (size_t i = 0; i < orders.size(); ++i) {
    orders[i]->server_end = split ? ServerEnd::Helper : ServerEnd::Posted;
    engaged[selected[i]] = engage_client(fed_, selected[i], std::move(orders[i]));
  }

  const double inf = std::numeric_limits<double>::infinity();
  const double deadline_at = spec.deadline_s > 0 ? sg4::Engine::get_clock() + spec.deadline_s : inf;
  LostClients lost(sc.platform.server.heartbeat_s);
  std::vector<ClientUpdate> updates;
  // Sleep until an update arrives, a lost client is noticed or the deadline passes.
  while (static_cast<int>(updates.size()) < wanted && !engaged.empty()) {
    const double now = sg4::Engine::get_clock();
    bool gone = false;
    for (int c : lost.noticed(now))
      if (engaged.erase(c)) {
        emit_dropped(fed_, round, c, fed_.fleet.off_reason(c));
        gone = true;
      }
    if (gone) continue;
    if (now >= deadline_at) {
      deadline_passed = true;
      break;
    }
    ServerInbox::Item item;
    if (!fed_.inbox->next(std::min(deadline_at, lost.next_notice()), item)) continue;
    if (!item.message) {
      if (!item.on && engaged.count(item.device)) lost.went_off(item.device);
      continue;
    }
    const ClientUpdate& u = item.message->update;
    if (u.round == round && engaged.count(u.client)) {
      check_update(fed_, u);
      engaged.erase(u.client);
      updates.push_back(u);
    }
    // Otherwise an update of an earlier round, already reported dropped when that round
    // ended: a straggler whose upload landed in the same instant it was stopped. Never
    // aggregated.
  }
  // Stragglers: over-selected clients that were not needed, or late for the deadline.
  for (auto& [c, e] : engaged) {
    stop_client(fed_, c, e);
    emit_dropped(fed_, round, c, deadline_passed ? "deadline" : "over_selection");
  }
  // Arrival order depends on simulated timing only, but sort by client so that aggregation's
  // summation order is a property of the set of updates, not of their arrival.
  std::sort(updates.begin(), updates.end(), [](const auto& a, const auto& b) { return a.client < b.client; });
  return updates;
}

void SyncServer::run() {
  const Scenario& sc = fed_.scenario;
  auto global = std::make_shared<const Params>(fed_.trainer.initial_params(derive_seed(sc.seed, SeedStream::ModelInit)));
  StopRule stop(fed_, outcome_);
  int round = 0;
  for (;;) {
    bool nobody = false, deadline_passed = false;
    auto updates = run_round(round + 1, global, nobody, deadline_passed);
    if (updates.empty() && !deadline_passed) {
      // Every engaged client was lost: try again at once (the fleet has changed). Nobody
      // could take part: sleep until a device comes on, the time budget is spent or a week
      // has passed.
      if (stop.idle(sg4::Engine::get_clock())) break;
      if (nobody) wait_for_device(fed_, stop.idle_until());
      continue;
    }
    stop.busy();
    ++round;
    // A round whose deadline passed before any update arrived still happened: it leaves the
    // model as it was.
    if (!updates.empty()) {
      global = std::make_shared<const Params>(algorithm_->aggregate(*global, updates));
      check_model(fed_, *global, round);
      for (const auto& u : updates) trained_.insert(u.client);
    }
    if (stop.close_round(round, static_cast<int>(updates.size()), global)) break;
  }
  outcome_.state = algorithm_->footprint();
  if (!fed_.holdouts.empty())
    outcome_.per_client =
        std::make_shared<const PerClientReport>(evaluate_clients(fed_, *algorithm_, global, round, trained_));
  stop.finish(round, *global);
}

}  // namespace flemu

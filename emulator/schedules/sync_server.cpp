#include "emulator/schedules/sync_server.hpp"

#include <cmath>
#include <limits>
#include <map>

#include <simgrid/s4u.hpp>

#include "emulator/core/device_transfer.hpp"
#include "emulator/schedules/engagement.hpp"
#include "emulator/schedules/server_inbox.hpp"
#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

SyncServer::SyncServer(Federation& fed, std::unique_ptr<SyncAlgorithm> algorithm, ServerOutcome& outcome)
    : fed_(fed), algorithm_(std::move(algorithm)), outcome_(outcome) {}

std::vector<ClientUpdate> SyncServer::run_round(int round, const std::shared_ptr<const Params>& global) {
  const Scenario& sc = fed_.scenario;
  const AlgorithmSpec& spec = sc.algorithm;
  std::vector<int> candidates;
  for (int i = 0; i < fed_.num_devices(); ++i)
    if (fed_.fleet.can_participate(i)) candidates.push_back(i);
  if (candidates.empty()) return {};
  const int wanted = std::min<int>(spec.clients_per_round, static_cast<int>(candidates.size()));
  const int count = static_cast<int>(std::ceil(spec.clients_per_round * (1.0 + spec.over_selection) - 1e-9));
  const auto selected = algorithm_->select_clients(
      round, candidates, count, derive_seed(sc.seed, SeedStream::ClientSampling, {uint64_t(round)}));

  Event start{sg4::Engine::get_clock(), NAN, EventKind::RoundStart, "server", "server", round};
  start.count = static_cast<int>(selected.size());
  fed_.bus.emit(start);

  std::vector<std::unique_ptr<TrainOrder>> orders;
  for (int c : selected) {
    auto order = std::make_unique<TrainOrder>();
    order->round = round;
    order->base_version = round - 1;
    const Download dl = algorithm_->download(round, c, global, fed_.trainer.model());
    order->global = dl.start;
    order->download_bytes = static_cast<int64_t>(dl.bytes);
    order->download_flops = dl.device_flops;
    order->encoder = algorithm_->encoder();
    order->split = algorithm_->split_plan();
    order->local = algorithm_->local_training(c, round);
    order->seed = derive_seed(sc.seed, SeedStream::Training, {uint64_t(round), uint64_t(c)});
    orders.push_back(std::move(order));
  }
  if (fed_.trainer.prefers_groups()) {
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
  // The server's end of every download and upload of the round, posted at once. Not for split
  // learning: its per-batch messages go through the same device mailboxes, each with its own
  // helper (device_transfer.hpp), so the round's posted upload must not be waiting there.
  const bool split = algorithm_->split_plan() != nullptr;
  std::vector<uint64_t> download_bytes;
  for (const auto& o : orders) download_bytes.push_back(static_cast<uint64_t>(o->download_bytes));
  std::unique_ptr<RoundTransfers> transfers;
  if (!split) transfers = std::make_unique<RoundTransfers>(fed_.platform.server, selected, download_bytes);
  std::map<int, Engaged> engaged;  // by device: still expected to answer
  for (size_t i = 0; i < orders.size(); ++i) {
    orders[i]->server_end = split ? ServerEnd::Helper : ServerEnd::Posted;
    engaged[selected[i]] = engage_client(fed_, selected[i], std::move(orders[i]));
  }

  const double inf = std::numeric_limits<double>::infinity();
  const double deadline_at = spec.deadline_s > 0 ? sg4::Engine::get_clock() + spec.deadline_s : inf;
  const double heartbeat = sc.platform.server.heartbeat_s;
  std::vector<ClientUpdate> updates;
  bool deadline_passed = false;
  while (static_cast<int>(updates.size()) < wanted && !engaged.empty()) {
    const double now = sg4::Engine::get_clock();
    if (now >= deadline_at) {
      deadline_passed = true;
      break;
    }
    auto msg = fed_.inbox->next(std::min(heartbeat, deadline_at - now));
    if (msg) {
      const ClientUpdate& u = msg->update;
      if (u.round == round && engaged.count(u.client)) {
        engaged.erase(u.client);
        updates.push_back(u);
      }
      // Otherwise an update of an earlier round, already reported dropped when that round
      // ended: a straggler whose upload landed in the same instant it was stopped. Never
      // aggregated.
      continue;
    }
    // Heartbeat: give up on the clients whose device went off.
    forget_lost_clients(fed_, engaged, [round](int) { return round; });
  }
  // Stragglers: over-selected clients that were not needed, or late for the deadline.
  for (auto& [c, e] : engaged) {
    if (!e.status->failed) e.actor->kill();
    emit_dropped(fed_, round, c, deadline_passed ? "deadline" : "over_selection");
  }
  // Arrival order depends on simulated timing only, but sort by client so that aggregation's
  // summation order is a property of the set of updates, not of their arrival.
  std::sort(updates.begin(), updates.end(), [](const auto& a, const auto& b) { return a.client < b.client; });
  return updates;
}

void SyncServer::operator()() {
  const Scenario& sc = fed_.scenario;
  auto global = std::make_shared<const Params>(fed_.trainer.initial_params(derive_seed(sc.seed, SeedStream::ModelInit)));
  StopRule stop(fed_, outcome_);
  int round = 0;
  for (;;) {
    auto updates = run_round(round + 1, global);
    if (updates.empty()) {
      // Nobody could take part, or every engaged client was lost: try again at the next
      // heartbeat.
      if (stop.idle(sg4::Engine::get_clock())) break;
      sg4::this_actor::sleep_for(sc.platform.server.heartbeat_s);
      continue;
    }
    stop.busy();
    ++round;
    global = std::make_shared<const Params>(algorithm_->aggregate(*global, updates));
    if (stop.close_round(round, static_cast<int>(updates.size()), global)) break;
  }
  stop.finish(round, *global);
}

}  // namespace flemu

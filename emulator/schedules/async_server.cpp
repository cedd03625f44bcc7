#include "emulator/schedules/async_server.hpp"

#include <limits>
#include <map>

#include <simgrid/s4u.hpp>

#include "algorithms/fl/fedasync.hpp"
#include "algorithms/fl/client_steps.hpp"
#include "algorithms/fl/fedbuff.hpp"
#include "emulator/schedules/engagement.hpp"
#include "emulator/core/idle_devices.hpp"
#include "emulator/schedules/server_inbox.hpp"
#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

void AsyncServer::run() {
  const Scenario& sc = fed_.scenario;
  const AlgorithmSpec& spec = sc.algorithm;
  const bool buffered = spec.name == "fedbuff";
  // Clients run a stateless step (plain SGD, FedProx's or FedSAM's: key local_step) and
  // exchange the model both ways.
  const LocalTrainingSpec local = stateless_local_training(spec);
  const Wire wire = model_both_ways(fed_.trainer.model().bytes);
  FedBuffParams buff_params;
  buff_params.buffer_size = spec.buffer_size;
  buff_params.server_lr = spec.server_lr;
  buff_params.staleness = spec.staleness;
  FedBuffBuffer buffer(buff_params);

  auto global = std::make_shared<const Params>(fed_.trainer.initial_params(derive_seed(sc.seed, SeedStream::ModelInit)));
  fed_.model_version = 0;
  StopRule stop(fed_, outcome_);
  std::map<int, Engaged> engaged;
  uint64_t dispatches = 0;
  int merged_in_version = 0;

  auto begin_version = [&] {
    Event e{sg4::Engine::get_clock(), NAN, EventKind::RoundStart, "server", "server", fed_.model_version + 1};
    e.count = spec.concurrency;
    fed_.bus.emit(e);
  };
  // The devices it may engage: not engaged and able to take part, kept by the fleet's news
  // (idle_devices.hpp): the same pick as scanning every device, in O(log N).
  ReadyDevices ready(fed_.num_devices(), [this](int i) { return fed_.fleet.can_participate(i); });
  fed_.fleet.subscribe(&ready);
  struct Unsubscribe {
    Fleet& fleet;
    FleetObserver* observer;
    ~Unsubscribe() { fleet.unsubscribe(observer); }
  } unsubscribe{fed_.fleet, &ready};
  auto fill = [&] {
    fed_.fleet.await_changes_due_now();
    while (static_cast<int>(engaged.size()) < spec.concurrency) {
      if (ready.count() == 0) return;
      Rng rng(derive_seed(sc.seed, SeedStream::ClientSampling, {dispatches}));
      const int c = ready.kth(static_cast<int64_t>(rng.below(static_cast<uint64_t>(ready.count()))));
      ready.engage(c);
      auto order = std::make_unique<TrainOrder>();
      order->round = fed_.model_version + 1;
      order->base_version = fed_.model_version;
      order->global = global;
      order->local = local;
      order->wire = wire;
      order->seed = derive_seed(sc.seed, SeedStream::Training, {dispatches, uint64_t(c)});
      ++dispatches;
      engaged[c] = engage_client(fed_, c, std::move(order));
    }
  };

  LostClients lost(sc.platform.server.heartbeat_s);
  begin_version();
  for (;;) {
    fill();
    if (engaged.empty()) {
      // Nobody can take part: sleep until a device comes on, the time budget is spent or a
      // week has passed.
      if (stop.idle(sg4::Engine::get_clock())) break;
      wait_for_device(fed_, stop.idle_until());
      continue;
    }
    stop.busy();
    // Lost clients free their slot at once (a steady stream of updates must not hide them).
    bool freed = false;
    for (int c : lost.noticed(sg4::Engine::get_clock())) {
      auto it = engaged.find(c);
      if (it == engaged.end()) continue;
      emit_dropped(fed_, it->second.base_version + 1, c, fed_.fleet.off_reason(c));
      engaged.erase(it);
      ready.release(c);
      freed = true;
    }
    if (freed) continue;
    ServerInbox::Item item;
    if (!fed_.inbox->next(lost.next_notice(), item)) continue;
    if (!item.message) {
      // A device went off (noticed at the next heartbeat) or came on (the loop refills).
      if (!item.on && engaged.count(item.device)) lost.went_off(item.device);
      continue;
    }
    const auto msg = std::move(item.message);
    const ClientUpdate& u = msg->update;
    if (!engaged.erase(u.client)) continue;  // a client given up on: its update is stale news
    check_update(fed_, u);
    ready.release(u.client);
    const int staleness = fed_.model_version - u.base_version;
    bool new_version = false;
    if (buffered) {
      buffer.add(model_delta(*u.params, *u.start), staleness);
      ++merged_in_version;
      if (buffer.full()) {
        global = std::make_shared<const Params>(buffer.flush(*global));
        new_version = true;
      }
    } else {
      global = std::make_shared<const Params>(fedasync_update(*global, *u.params, spec.alpha, spec.staleness, staleness));
      merged_in_version = 1;
      new_version = true;
    }
    if (!new_version) continue;
    const int version = ++fed_.model_version;
    check_model(fed_, *global, version);
    const bool done = stop.close_round(version, merged_in_version, global);
    merged_in_version = 0;
    if (done) break;
    begin_version();
  }
  // Clients still at work when the run stops: their work is not used.
  for (auto& [c, e] : engaged) {
    stop_client(fed_, c, e);
    emit_dropped(fed_, e.base_version + 1, c, "stopped");
  }
  stop.finish(fed_.model_version, *global);
}

}  // namespace flemu

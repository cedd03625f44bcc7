#include "emulator/schedules/anarchic_server.hpp"

#include <map>

#include <simgrid/s4u.hpp>

#include "algorithms/fl/afa.hpp"
#include "algorithms/aggregation.hpp"
#include "algorithms/fl/client_steps.hpp"
#include "algorithms/fl/fedavg.hpp"
#include "emulator/schedules/client_actor.hpp"
#include "emulator/core/device_transfer.hpp"
#include "emulator/schedules/engagement.hpp"
#include "emulator/schedules/server_inbox.hpp"
#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

namespace {

constexpr uint64_t kRequestBytes = 1024;  // "send me the model": a small control message

/// What the anarchic clients and the server share: the current model, the clients that pulled
/// it and owe an update, and counters that survive a client actor's restarts.
struct AnarchicBoard {
  std::shared_ptr<const Params> model;
  std::map<int, int> engaged;  ///< device -> model version it pulled
  std::vector<uint64_t> decisions;
  std::vector<int> requests;
};

class AnarchicClient {
 public:
  AnarchicClient(Federation& fed, int device, std::shared_ptr<AnarchicBoard> board)
      : fed_(fed), device_(device), board_(std::move(board)) {}
  void operator()() {
    sg4::Actor::self()->daemonize();
    const AlgorithmSpec& spec = fed_.scenario.algorithm;
    const ParticipationPolicy& policy = spec.policy_for(fed_.devices[device_].class_name);
    for (;;) {
      // One generator per decision: the sequence survives restarts and is independent of
      // how other devices fare.
      Rng rng(derive_seed(fed_.scenario.seed, SeedStream::Policy, {uint64_t(device_), board_->decisions[device_]++}));
      sg4::this_actor::sleep_for(rng.exponential(policy.think_time_s));
      const double charge = fed_.fleet.charge_fraction(device_);
      if (!fed_.fleet.can_participate(device_) || !decides_to_participate(policy, charge, rng.uniform())) continue;
      // Ask for the model; the server answers with the model it has when the request lands.
      transfer_bytes(TransferWay::ToServer, fed_.platform.server, device_, kRequestBytes, ServerEnd::Helper, fed_.fluid);
      TrainOrder order;
      order.round = ++board_->requests[device_];
      order.base_version = fed_.model_version;
      order.global = board_->model;
      order.local = stateless_local_training(spec);  // plain SGD, FedProx's or FedSAM's step
      order.local.steps = local_steps_for(policy, charge, rng.uniform());
      order.wire = model_both_ways(fed_.trainer.model().bytes);
      order.seed = derive_seed(fed_.scenario.seed, SeedStream::Training, {uint64_t(device_), uint64_t(order.round)});
      board_->engaged[device_] = order.base_version;
      try {
        download_train_upload(fed_, device_, order);
      } catch (const std::exception& e) {  // not SimGrid's kill, which is no std::exception
        report_failure(fed_, device_, order.round, e);
        return;
      }
    }
  }

 private:
  Federation& fed_;
  int device_;
  std::shared_ptr<AnarchicBoard> board_;
};

class AnarchicServer {
 public:
  AnarchicServer(Federation& fed, ServerOutcome& outcome, std::shared_ptr<AnarchicBoard> board)
      : fed_(fed), outcome_(outcome), board_(std::move(board)) {}
  void operator()() { run_guarded(outcome_, [this] { run(); }); }

 private:
  void run();
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates);

  Federation& fed_;
  ServerOutcome& outcome_;
  std::shared_ptr<AnarchicBoard> board_;
  std::shared_ptr<AfaCsMemory> silos_;  // shared: actors' functors are copied
};

Params AnarchicServer::aggregate(const Params& global, const std::vector<ClientUpdate>& updates) {
  const AlgorithmSpec& spec = fed_.scenario.algorithm;
  if (spec.name == "fedavg-anarchic") return server_step(global, fedavg_average(updates), spec.server_lr);
  std::vector<Params> normalised;
  for (const auto& u : updates) normalised.push_back(afa_normalized_update(*u.start, *u.params, u.local_lr, u.local_steps));
  if (spec.name == "afa-cs") {
    if (!silos_) silos_ = std::make_shared<AfaCsMemory>(fed_.num_devices());
    for (size_t i = 0; i < updates.size(); ++i) afa_cs_remember(*silos_, updates[i].client, std::move(normalised[i]));
    return afa_cs_step(global, *silos_, spec.server_lr, spec.lr);
  }
  std::vector<const Params*> ptrs;
  for (const auto& g : normalised) ptrs.push_back(&g);
  return afa_cd_step(global, ptrs, spec.server_lr, spec.lr);
}

void AnarchicServer::run() {
  const Scenario& sc = fed_.scenario;
  const AlgorithmSpec& spec = sc.algorithm;
  board_->model = std::make_shared<const Params>(fed_.trainer.initial_params(derive_seed(sc.seed, SeedStream::ModelInit)));
  fed_.model_version = 0;
  StopRule stop(fed_, outcome_);
  std::vector<ClientUpdate> arrived;

  auto begin_version = [&] {
    Event e{sg4::Engine::get_clock(), NAN, EventKind::RoundStart, "server", "server", fed_.model_version + 1};
    e.count = spec.updates_per_step;
    fed_.bus.emit(e);
  };
  LostClients lost(sc.platform.server.heartbeat_s);
  begin_version();
  for (;;) {
    const double now = sg4::Engine::get_clock();
    // The clients that pulled the model on a device that went off are lost.
    for (int c : lost.noticed(now)) {
      auto it = board_->engaged.find(c);
      if (it == board_->engaged.end()) continue;
      emit_dropped(fed_, it->second + 1, c, fed_.fleet.off_reason(c));
      board_->engaged.erase(it);
    }
    // Time is up once no update is on its way (the version in progress cannot complete
    // otherwise); a week without any update: no device will come.
    const bool time_up = stop.time_up(now);
    if (time_up ? board_->engaged.empty() : stop.idle(now)) {
      stop.idle(now);  // sets the stop reason
      break;
    }
    ServerInbox::Item item;
    const double until = time_up ? lost.next_notice() : std::min(lost.next_notice(), stop.idle_until());
    if (!fed_.inbox->next(until, item)) continue;
    if (!item.message) {
      if (!item.on && board_->engaged.count(item.device)) lost.went_off(item.device);
      continue;
    }
    const auto msg = std::move(item.message);
    if (!board_->engaged.erase(msg->update.client)) continue;  // given up on: stale news
    check_update(fed_, msg->update);
    stop.busy();
    arrived.push_back(msg->update);
    if (static_cast<int>(arrived.size()) < spec.updates_per_step) continue;
    std::sort(arrived.begin(), arrived.end(), [](const auto& a, const auto& b) {
      return a.client != b.client ? a.client < b.client : a.round < b.round;
    });
    board_->model = std::make_shared<const Params>(aggregate(*board_->model, arrived));
    const int version = ++fed_.model_version;
    check_model(fed_, *board_->model, version);
    const bool done = stop.close_round(version, static_cast<int>(arrived.size()), board_->model);
    arrived.clear();
    if (done) break;
    begin_version();
  }
  stop.finish(fed_.model_version, *board_->model);
}

}  // namespace

void start_anarchic(Federation& fed, ServerOutcome& outcome) {
  auto board = std::make_shared<AnarchicBoard>();
  board->decisions.assign(fed.num_devices(), 0);
  board->requests.assign(fed.num_devices(), 0);
  sg4::Actor::create("server", fed.platform.server, AnarchicServer(fed, outcome, board));
  for (int i = 0; i < fed.num_devices(); ++i) {
    auto actor = sg4::Actor::create("client-" + std::to_string(i), fed.platform.devices[i],
                                    AnarchicClient(fed, i, board));
    actor->set_auto_restart(true);
  }
}

}  // namespace flemu

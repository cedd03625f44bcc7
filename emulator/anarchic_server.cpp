#include "emulator/anarchic_server.hpp"

#include <map>

#include <simgrid/s4u.hpp>

#include "algorithms/afa.hpp"
#include "algorithms/aggregation.hpp"
#include "algorithms/fedavg.hpp"
#include "emulator/client_actor.hpp"
#include "emulator/engagement.hpp"
#include "emulator/server_inbox.hpp"
#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

namespace {

constexpr double kRequestBytes = 1024;  // "send me the model": a small control message

/// What survives a client actor's restarts: its decision and request counters.
struct AnarchicMemory {
  std::vector<uint64_t> decisions;
  std::vector<int> requests;
};

class AnarchicClient {
 public:
  AnarchicClient(Federation& fed, int device, std::shared_ptr<AnarchicMemory> memory)
      : fed_(fed), device_(device), memory_(std::move(memory)) {}
  void operator()() {
    sg4::Actor::self()->daemonize();
    const ParticipationPolicy& policy = fed_.scenario.algorithm.policy_for(fed_.devices[device_].class_name);
    for (;;) {
      // One generator per decision: the sequence survives restarts and is independent of
      // how other devices fare.
      Rng rng(derive_seed(fed_.scenario.seed, SeedStream::Policy, {uint64_t(device_), memory_->decisions[device_]++}));
      sg4::this_actor::sleep_for(rng.exponential(policy.think_time_s));
      const double charge = fed_.fleet.charge_fraction(device_);
      if (!fed_.fleet.can_participate(device_) || !decides_to_participate(policy, charge, rng.uniform())) continue;
      const int request = ++memory_->requests[device_];
      auto msg = std::make_unique<ServerMessage>();
      msg->kind = ServerMessage::ModelRequest;
      msg->update.client = device_;
      msg->update.round = request;
      msg->update.local_steps = local_steps_for(policy, charge, rng.uniform());
      sg4::Mailbox::by_name(Federation::server_mailbox)->put(msg.release(), kRequestBytes);
      receive_train_and_upload(fed_, device_, request);
    }
  }

 private:
  Federation& fed_;
  int device_;
  std::shared_ptr<AnarchicMemory> memory_;
};

class AnarchicServer {
 public:
  AnarchicServer(Federation& fed, ServerOutcome& outcome) : fed_(fed), outcome_(outcome) {}
  void operator()();

 private:
  Params aggregate(const Params& global, const std::vector<ClientUpdate>& updates);

  Federation& fed_;
  ServerOutcome& outcome_;
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

void AnarchicServer::operator()() {
  fed_.inbox = std::make_shared<ServerInbox>();
  const Scenario& sc = fed_.scenario;
  const AlgorithmSpec& spec = sc.algorithm;
  auto global = std::make_shared<const Params>(fed_.trainer.initial_params(derive_seed(sc.seed, SeedStream::ModelInit)));
  fed_.model_version = 0;
  StopRule stop(fed_, outcome_);
  std::map<int, Engaged> engaged;  // clients that pulled the model and owe an update
  std::vector<ClientUpdate> arrived;

  auto begin_version = [&] {
    Event e{sg4::Engine::get_clock(), NAN, EventKind::RoundStart, "server", "server", fed_.model_version + 1};
    e.count = spec.updates_per_step;
    fed_.bus.emit(e);
  };
  begin_version();
  for (;;) {
    auto msg = fed_.inbox->next(sc.platform.server.heartbeat_s);
    const double now = sg4::Engine::get_clock();
    if (!msg) {
      forget_lost_clients(fed_, engaged, [&](int c) { return engaged.at(c).base_version + 1; });
      if (stop.idle(now)) break;
      continue;
    }
    stop.busy();
    const int c = msg->update.client;
    if (msg->kind == ServerMessage::ModelRequest) {
      auto order = std::make_unique<TrainOrder>();
      order->round = msg->update.round;  // the client's request number: it waits for this one
      order->base_version = fed_.model_version;
      order->global = global;
      order->local.steps = msg->update.local_steps;
      order->local.batch_size = spec.batch_size;
      order->local.lr = spec.lr;
      order->seed = derive_seed(sc.seed, SeedStream::Training, {uint64_t(c), uint64_t(msg->update.round)});
      engaged[c] = Engaged{nullptr, nullptr, fed_.model_version};
      send_order(fed_, c, std::move(order));
      continue;
    }
    if (!engaged.erase(c)) continue;  // given up on at a heartbeat: stale news
    arrived.push_back(msg->update);
    if (static_cast<int>(arrived.size()) < spec.updates_per_step) continue;
    std::sort(arrived.begin(), arrived.end(), [](const auto& a, const auto& b) {
      return a.client != b.client ? a.client < b.client : a.round < b.round;
    });
    global = std::make_shared<const Params>(aggregate(*global, arrived));
    const int version = ++fed_.model_version;
    const bool done = stop.close_round(version, static_cast<int>(arrived.size()), global);
    arrived.clear();
    if (done) break;
    begin_version();
  }
  stop.finish(fed_.model_version, *global);
  // Clients may be waiting for a model they asked for: a stop order matches their receive.
  // (SimGrid 3.32's link energy plugin crashes when the engine kills an actor blocked in a
  // receive that no send matched: CommImpl::get_traversed_links on a comm without source.)
  for (int i = 0; i < fed_.num_devices(); ++i) {
    auto order = std::make_unique<TrainOrder>();
    order->stop = true;
    sg4::Mailbox::by_name(Federation::device_mailbox(i))
        ->put_init(order.release(), kRequestBytes)
        ->detach([](void* p) { delete static_cast<TrainOrder*>(p); });
  }
}

}  // namespace

void start_anarchic(Federation& fed, ServerOutcome& outcome) {
  auto memory = std::make_shared<AnarchicMemory>();
  memory->decisions.assign(fed.num_devices(), 0);
  memory->requests.assign(fed.num_devices(), 0);
  sg4::Actor::create("server", fed.platform.server, AnarchicServer(fed, outcome));
  for (int i = 0; i < fed.num_devices(); ++i) {
    auto actor = sg4::Actor::create("client-" + std::to_string(i), fed.platform.devices[i],
                                    AnarchicClient(fed, i, memory));
    actor->set_auto_restart(true);
  }
}

}  // namespace flemu

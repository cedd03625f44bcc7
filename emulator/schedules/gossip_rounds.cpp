#include "emulator/schedules/gossip_rounds.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <simgrid/s4u.hpp>

#include "algorithms/decentralized/gossip.hpp"
#include "emulator/core/network_graph.hpp"
#include "emulator/schedules/engagement.hpp"
#include "emulator/schedules/node_models.hpp"
#include "emulator/schedules/peer_exchange.hpp"
#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

namespace {

/// What one round's node actors and the bookkeeping share. Owned by a shared_ptr that every
/// actor of the round holds, so it outlives the round's last transfer.
struct RoundState {
  int round = 0;
  MixingMatrix w;                                 ///< W_t restricted to the present nodes
  std::vector<std::vector<int>> out_peers;        ///< who node i sends to (j with W_ji > 0)
  std::vector<std::shared_ptr<const Params>> start;  ///< models at the round's start (all nodes)
  std::vector<std::vector<PeerMessage>> sent;     ///< [phase][node]: what node i sends in phase q
  std::vector<std::shared_ptr<const Params>> result;
  std::vector<char> done, failed;
  /// [phase]: mixes already computed, by their terms (node index, weight), own term included.
  /// Nodes whose rows are equal and who received the same values get the same bits
  /// (mix_in_index_order), so the sum is made once: on the complete graph with W = J, once per
  /// phase instead of n times.
  std::vector<std::map<std::vector<std::pair<int, double>>, std::shared_ptr<const Params>>> mixes;
  sg4::SemaphorePtr finished = sg4::Semaphore::create(0);
};

/// One node's part of a round, as an actor on its device.
class NodeRound {
 public:
  NodeRound(Federation& fed, GossipAlgorithm& algo, std::shared_ptr<RoundState> st, int node)
      : fed_(fed), algo_(algo), st_(std::move(st)), node_(node) {}

  void operator()() {
    auto st = st_;
    const int i = node_;
    sg4::this_actor::on_exit([st, i](bool failed) {
      if (failed) st->failed[i] = 1;
    });
    const Scenario& sc = fed_.scenario;
    const ModelInfo& model = fed_.trainer.model();
    const auto start = st->start[i];

    TrainJob job;
    job.client = i;
    job.round = st->round;
    job.seed = derive_seed(sc.seed, SeedStream::Training, {uint64_t(st->round), uint64_t(i)});
    job.start = start;
    job.indices = fed_.partitions[i];
    job.local = algo_.local_training(i, st->round);
    const double flops = training_flops(model, job.local, int64_t(job.indices->size()));
    Trainer& trainer = fed_.trainer;
    auto trained_future = fed_.pool.submit([&trainer, job] { return trainer.train(job); });
    const int cores = fed_.devices[i].cores;
    const double t0 = sg4::Engine::get_clock();
    auto exec = sg4::this_actor::exec_init(flops / cores)->set_thread_count(cores);

    std::shared_ptr<const Params> mixed;
    Fleet& fleet = fed_.fleet;
    if (algo_.order() == GossipOrder::MixWhileTraining) {
      exec->start();
      if (fleet.wants_activity(i)) fleet.activity_changed(i);  // the host's draw goes up
      mixed = gossip_phase(0, start);  // the pre-training model, while the device computes
      exec->wait();
      if (fleet.wants_activity(i)) fleet.activity_changed(i);
      TrainResult trained = trained_future.get();
      emit_train(t0, flops, trained);
      st->result[i] = std::make_shared<const Params>(algo_.finish_round(*start, trained.params, *mixed));
    } else {
      exec->start();
      if (fleet.wants_activity(i)) fleet.activity_changed(i);
      exec->wait();
      if (fleet.wants_activity(i)) fleet.activity_changed(i);
      TrainResult trained = trained_future.get();
      emit_train(t0, flops, trained);
      auto z = std::make_shared<const Params>(std::move(trained.params));
      for (int q = 0; q < algo_.gossip_steps(); ++q) z = gossip_phase(q, z);
      st->result[i] = z;
    }
    st->done[i] = 1;
    st->finished->release();
  }

 private:
  void emit_train(double t0, double flops, const TrainResult& trained) {
    Event tr = node_event(fed_, EventKind::Train, st_->round, node_, t0);
    tr.flops = flops;
    tr.steps = static_cast<int>(trained.steps);
    tr.loss = trained.mean_loss;
    fed_.bus.emit(tr);
  }

  /// Phase q: send z to the out-neighbours, receive from the in-neighbours, mix with W_t.
  std::shared_ptr<const Params> gossip_phase(int q, const std::shared_ptr<const Params>& value) {
    RoundState& st = *st_;
    const int i = node_;
    const MixingRow& row = st.w.rows[i];
    // What goes on the wire: the model, or what the method makes of it (CHOCO's compressed
    // difference, whose encoding the device computes first).
    const auto out = algo_.outgoing(i, st.round, q, value, static_cast<uint64_t>(fed_.trainer.model().bytes));
    if (out.encode_ops > 0) {
      const int cores = fed_.devices[i].cores;
      sg4::this_actor::exec_init(out.encode_ops / cores)->set_thread_count(cores)->wait();
    }
    const std::shared_ptr<const Params>& z = out.own;
    PeerMessage& msg = st.sent[q][i];
    msg.from = i;
    msg.phase = q;
    msg.value = out.message;
    const uint64_t bytes = out.bytes;
    const double t0 = sg4::Engine::get_clock();
    Fleet& fleet = fed_.fleet;
    auto st_ptr = st_;
    const ExchangeResult got =
        exchange_with_peers(i, &msg, st.out_peers[i], row.peers, bytes, fed_.scenario.platform.server.heartbeat_s,
                            [st_ptr, &fleet](int j) { return !st_ptr->failed[j] && fleet.can_participate(j); });
    Event g = node_event(fed_, EventKind::Gossip, st.round, i, t0);
    g.bytes = static_cast<double>(bytes) * got.sent;
    g.count = got.sent;
    fed_.bus.emit(g);
    // A neighbour whose value did not arrive gives its weight to the node's own.
    double self = row.self;
    std::vector<int> idx;
    std::vector<const Params*> values;
    std::vector<double> weights;
    size_t r = 0;
    for (size_t k = 0; k < row.peers.size(); ++k) {
      if (r < got.received_from.size() && got.received_from[r] == row.peers[k]) {
        idx.push_back(row.peers[k]);
        values.push_back(got.values[r].get());
        weights.push_back(row.weights[k]);
        ++r;
      } else {
        self += row.weights[k];
      }
    }
    if (algo_.custom_mix()) return std::make_shared<const Params>(algo_.mix(i, st.round, *z, self, idx, values, weights));
    std::vector<std::pair<int, double>> terms;
    terms.reserve(idx.size() + 1);
    for (size_t k = 0; k < idx.size(); ++k) terms.emplace_back(idx[k], weights[k]);
    terms.emplace_back(i, self);
    std::sort(terms.begin(), terms.end());
    auto& cache = st.mixes[q];
    if (auto hit = cache.find(terms); hit != cache.end()) return hit->second;
    auto mixed = std::make_shared<const Params>(mix_in_index_order(i, self, *z, idx, values, weights));
    cache.emplace(std::move(terms), mixed);
    return mixed;
  }

  Federation& fed_;
  GossipAlgorithm& algo_;
  std::shared_ptr<RoundState> st_;
  int node_;
};

class GossipRounds {
 public:
  GossipRounds(Federation& fed, std::unique_ptr<GossipAlgorithm> algo, ServerOutcome& outcome)
      : fed_(fed), algo_(std::move(algo)), outcome_(outcome) {}

  void operator()() {
    const Scenario& sc = fed_.scenario;
    const int n = fed_.num_devices();
    // Every node starts from the same model (the usual decentralized initialisation).
    auto x0 = std::make_shared<const Params>(fed_.trainer.initial_params(derive_seed(sc.seed, SeedStream::ModelInit)));
    models_.assign(n, x0);
    tested_ = node_sample(n, sc.algorithm.decentralized.node_evaluation, derive_seed(sc.seed, SeedStream::Gossip));
    StopRule stop(fed_, outcome_);
    int round = 0;
    std::shared_ptr<const Params> mean = x0;
    for (;;) {
      std::vector<bool> present(n);
      int count = 0;
      for (int i = 0; i < n; ++i) count += (present[i] = fed_.fleet.can_participate(i));
      if (count == 0) {
        if (stop.idle(sg4::Engine::get_clock())) break;
        sg4::this_actor::sleep_for(sc.platform.server.heartbeat_s);
        continue;
      }
      stop.busy();
      ++round;
      const int updated = run_round(round, present, count);
      mean = average_and_report(fed_, round, models_);
      if (!tested_.empty() && evaluation_due(fed_, round)) test_node_models(fed_, round, tested_, models_);
      if (stop.close_round(round, updated, mean)) break;
    }
    stop.finish(round, *mean);
  }

 private:
  /// Runs round `round` with the present nodes; returns how many finished it.
  int run_round(int round, const std::vector<bool>& present, int count) {
    const int n = fed_.num_devices();
    Event start = rounds_event(EventKind::RoundStart, round);
    start.count = count;
    fed_.bus.emit(start);

    auto st = std::make_shared<RoundState>();
    st->round = round;
    st->w = restrict_to_present(fed_.graph->mixing_at(round), present);
    st->out_peers.assign(n, {});
    for (int i = 0; i < n; ++i)
      for (int j : st->w.rows[i].peers) st->out_peers[j].push_back(i);  // i receives from j: j sends to i
    st->start = models_;
    st->sent.assign(algo_->gossip_steps(), std::vector<PeerMessage>(n));
    st->mixes.assign(algo_->gossip_steps(), {});
    st->result.assign(n, nullptr);
    st->done.assign(n, 0);
    st->failed.assign(n, 0);
    for (int i = 0; i < n; ++i)
      if (present[i])
        sg4::Actor::create("client-" + std::to_string(i), fed_.platform.devices[i], NodeRound(fed_, *algo_, st, i));

    // Wait until every present node finished or was lost (noticed at the next heartbeat).
    const double heartbeat = fed_.scenario.platform.server.heartbeat_s;
    auto settled = [&] {
      int k = 0;
      for (int i = 0; i < n; ++i)
        if (present[i] && (st->done[i] || st->failed[i] || !fed_.fleet.can_participate(i))) ++k;
      return k;
    };
    while (settled() < count) st->finished->acquire_timeout(heartbeat);

    algo_->end_round(round, st->done);
    int updated = 0;
    for (int i = 0; i < n; ++i) {
      if (!present[i]) continue;
      if (st->done[i]) {
        models_[i] = st->result[i];
        ++updated;
      } else {
        emit_dropped(fed_, round, i, fed_.fleet.off_reason(i));
      }
    }
    return updated;
  }

  Federation& fed_;
  std::shared_ptr<GossipAlgorithm> algo_;
  ServerOutcome& outcome_;
  std::vector<std::shared_ptr<const Params>> models_;
  std::vector<int> tested_;
};

}  // namespace

void start_gossip_rounds(Federation& fed, ServerOutcome& outcome) {
  sg4::Actor::create("server", fed.platform.server,
                     GossipRounds(fed,
                                  make_gossip_algorithm(fed.scenario.algorithm, fed.trainer.model(), fed.num_devices(),
                                                        fed.scenario.seed),
                                  outcome));
}

}  // namespace flemu

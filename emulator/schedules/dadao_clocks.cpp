#include "emulator/schedules/dadao_clocks.hpp"


#include <cmath>
#include <stdexcept>

#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include "algorithms/decentralized/dadao.hpp"
#include "emulator/core/device_transfer.hpp"
#include "emulator/core/network_graph.hpp"
#include "emulator/schedules/node_models.hpp"
#include "emulator/schedules/run_stop.hpp"
#include "workloads/rng.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

namespace {

/// What DADAO's actors share; single-threaded (SimGrid runs one actor at a time).
struct DadaoRun {
  const RegressionProblem* problem = nullptr;
  DadaoConstants c;
  std::array<double, 36> flow{};
  double time_unit = 1;
  double edge_rate = 0;  ///< events per unit of DADAO time, per edge
  bool resource = false, at_send = false;
  double edge_loss = 0;
  std::vector<DadaoNode> nodes;
  std::vector<Rng> node_clock, edge_clock;
  int round = 1;
  int gradients_in_round = 0;
  RunStop stop;
  double now_units() const { return sg4::Engine::get_clock() / time_unit; }
};

void emit_message(Federation& fed, int round, int from, int to, double t0, uint64_t bytes, const char* lost) {
  Event g = node_event(fed, EventKind::Gossip, round, from, t0);
  g.peer = to;
  if (lost) {
    g.count = 0;
    g.reason = lost;
  } else {
    g.count = 1;
    g.bytes = static_cast<double>(bytes);
  }
  fed.bus.emit(g);
}

class GradientClock {
 public:
  GradientClock(Federation& fed, std::shared_ptr<DadaoRun> run, int node) : fed_(fed), run_(std::move(run)), i_(node) {}
  void operator()() {
    DadaoRun& run = *run_;
    const double flops = run.problem->samples * fed_.trainer.model().train_flops_per_sample;
    for (;;) {
      if (!run.stop.sleep_for(run.node_clock[i_].exponential(run.time_unit))) return;
      const double t0 = sg4::Engine::get_clock();
      if (!fed_.fleet.can_participate(i_)) continue;  // a device that is off computes nothing
      DadaoNode& node = run.nodes[i_];
      dadao_advance(node, run.now_units(), run.flow);
      const auto grad = run.problem->gradient(i_, node.x);
      if (run.resource) {
        const int cores = fed_.devices[i_].cores;
        try {
          auto exec = sg4::this_actor::exec_init(flops / cores)->set_host(fed_.platform.devices[i_])->set_thread_count(cores);
          exec->start();
          if (fed_.fleet.wants_activity(i_)) fed_.fleet.activity_changed(i_);  // the host's draw goes up
          const bool done = run.stop.wait(exec);
          if (fed_.fleet.wants_activity(i_)) fed_.fleet.activity_changed(i_);
          if (!done) return;
        } catch (const simgrid::Exception&) {
          if (fed_.fleet.wants_activity(i_)) fed_.fleet.activity_changed(i_);
          continue;  // the device went off while computing: the gradient is lost
        }
        dadao_advance(node, run.now_units(), run.flow);
      }
      dadao_gradient_step(node, grad, run.c);
      run.gradients_in_round++;
      Event tr = node_event(fed_, EventKind::Train, run.round, i_, t0);
      tr.flops = flops;
      tr.steps = 1;
      fed_.bus.emit(tr);
    }
  }

 private:
  Federation& fed_;
  std::shared_ptr<DadaoRun> run_;
  int i_;
};

class EdgeClock {
 public:
  EdgeClock(Federation& fed, std::shared_ptr<DadaoRun> run, int edge, int a, int b)
      : fed_(fed), run_(std::move(run)), e_(edge), a_(a), b_(b) {}
  void operator()() {
    DadaoRun& run = *run_;
    const uint64_t bytes = static_cast<uint64_t>(fed_.trainer.model().bytes);
    for (;;) {
      if (!run.stop.sleep_for(run.edge_clock[e_].exponential(run.time_unit / run.edge_rate))) return;
      const double t0 = sg4::Engine::get_clock();
      const char* lost = nullptr;
      if (!fed_.fleet.can_participate(a_) || !fed_.fleet.can_participate(b_))
        lost = "offline";
      else if (run.edge_loss > 0 && run.edge_clock[e_].uniform() < run.edge_loss)
        lost = "lost";
      if (lost) {
        emit_message(fed_, run.round, a_, b_, t0, 0, lost);
        continue;
      }
      DadaoNode& na = run.nodes[a_];
      DadaoNode& nb = run.nodes[b_];
      dadao_advance(na, run.now_units(), run.flow);
      dadao_advance(nb, run.now_units(), run.flow);
      std::vector<double> ma = dadao_message(na), mb = dadao_message(nb);
      if (run.resource) {
        // Both messages travel at once; the jumps wait for the later one.
        try {
          auto ab = start_peer_flow(a_, b_, [&] { return sg4::Comm::sendto_async(fed_.platform.devices[a_], fed_.platform.devices[b_], bytes); });
          auto ba = start_peer_flow(b_, a_, [&] { return sg4::Comm::sendto_async(fed_.platform.devices[b_], fed_.platform.devices[a_], bytes); });
          const bool done = run.stop.wait({ab, ba});
          peer_flow_ended(a_, b_);
          if (!done) return;
        } catch (const simgrid::Exception&) {
          peer_flow_ended(a_, b_);
          emit_message(fed_, run.round, a_, b_, t0, 0, "offline");  // an end went off on the way
          continue;
        }
        dadao_advance(na, run.now_units(), run.flow);
        dadao_advance(nb, run.now_units(), run.flow);
        if (!run.at_send) ma = dadao_message(na), mb = dadao_message(nb);
      }
      dadao_communication_step(na, nb, ma, mb, run.c);
      emit_message(fed_, run.round, a_, b_, t0, bytes, nullptr);
      emit_message(fed_, run.round, b_, a_, t0, bytes, nullptr);
    }
  }

 private:
  Federation& fed_;
  std::shared_ptr<DadaoRun> run_;
  int e_, a_, b_;
};

class DadaoRounds {
 public:
  DadaoRounds(Federation& fed, std::shared_ptr<DadaoRun> run, ServerOutcome& outcome)
      : fed_(fed), run_(std::move(run)), outcome_(outcome) {}
  void operator()() {
    DadaoRun& run = *run_;
    const int n = fed_.num_devices();
    const RegressionProblem& p = *run.problem;
    StopRule stop(fed_, outcome_);
    auto global = std::make_shared<const Params>();
    int round = 0;
    for (;;) {
      ++round;
      run.round = round;
      int on = 0;
      for (int i = 0; i < n; ++i) on += fed_.fleet.can_participate(i);
      Event start = rounds_event(EventKind::RoundStart, round);
      start.count = on;
      fed_.bus.emit(start);
      sg4::this_actor::sleep_for(fed_.scenario.algorithm.decentralized.round_time_s);
      // The states as of now, on copies: measuring must not change the run.
      std::vector<double> mean(p.dim, 0.0);
      std::vector<std::vector<double>> xs;
      for (int i = 0; i < n; ++i) {
        DadaoNode copy = run.nodes[i];
        dadao_advance(copy, run.now_units(), run.flow);
        for (int q = 0; q < p.dim; ++q) mean[q] += copy.x[q] / n;
        xs.push_back(copy.x);
      }
      double consensus = 0, optimum = 0;
      for (const auto& x : xs)
        for (int q = 0; q < p.dim; ++q) {
          consensus += (x[q] - mean[q]) * (x[q] - mean[q]) / n;
          optimum += (x[q] - p.optimum[q]) * (x[q] - p.optimum[q]) / n;
        }
      Event c = rounds_event(EventKind::Consensus, round);
      c.consensus = consensus;
      c.optimum_distance = optimum;
      fed_.bus.emit(c);
      global = std::make_shared<const Params>(mean.begin(), mean.end());
      const int gradients = run.gradients_in_round;
      run.gradients_in_round = 0;
      if (stop.close_round(round, gradients, global)) break;
    }
    run.stop.stop();
    stop.finish(round, *global);
  }

 private:
  Federation& fed_;
  std::shared_ptr<DadaoRun> run_;
  ServerOutcome& outcome_;
};

}  // namespace

void start_dadao(Federation& fed, ServerOutcome& outcome) {
  if (!fed.regression) throw std::invalid_argument("dadao runs on the synthetic-regression workload");
  if (!fed.graph->spectrum) throw std::invalid_argument("dadao needs the graph's spectra (at most 4000 nodes)");
  const Scenario& sc = fed.scenario;
  const DadaoSpec& spec = sc.algorithm.decentralized.dadao;
  const GraphSpectrum& s = *fed.graph->spectrum;
  auto run = std::make_shared<DadaoRun>();
  run->problem = fed.regression.get();
  const Smoothness sm = regression_smoothness(*fed.regression);
  // Lambda = rate x L / |E| with the nominal rate lambda_mix: chi1(Lambda) = chi1 / lambda_mix.
  // comm_rate_factor changes the rate used; rescale_beta recomputes beta~ for it.
  const double rate = s.lambda_mix * spec.comm_rate_factor;
  run->c = dadao_constants(sm.mu, sm.L, s.chi1 / (spec.rescale_beta ? rate : s.lambda_mix));
  run->flow = dadao_flow_matrix(run->c);
  run->time_unit = spec.time_unit_s;
  run->edge_rate = rate / s.edges;
  run->resource = spec.events == "resource";
  run->at_send = spec.payload == "at-send";
  run->edge_loss = spec.edge_loss;
  const int n = fed.num_devices();
  for (int i = 0; i < n; ++i) {
    Rng init(derive_seed(sc.seed, SeedStream::ModelInit, {uint64_t(i)}));
    std::vector<double> x0(fed.regression->dim);
    for (auto& v : x0) v = init.normal();
    run->nodes.push_back(dadao_node(x0));
    run->node_clock.emplace_back(derive_seed(sc.seed, SeedStream::Gossip, {0, uint64_t(i)}));
  }
  const auto& edges = fed.graph->topology.edges;
  for (size_t e = 0; e < edges.size(); ++e) run->edge_clock.emplace_back(derive_seed(sc.seed, SeedStream::Gossip, {1, e}));

  sg4::Actor::create("server", fed.platform.server, DadaoRounds(fed, run, outcome));
  // Every clock runs on the server host and only acts on the devices (their computations and
  // transfers): a device that is off simply loses the events that fall while it is off.
  for (int i = 0; i < n; ++i)
    sg4::Actor::create("clock-" + std::to_string(i), fed.platform.server, GradientClock(fed, run, i));
  for (size_t e = 0; e < edges.size(); ++e)
    sg4::Actor::create("edge-" + std::to_string(edges[e].a) + "-" + std::to_string(edges[e].b), fed.platform.server,
                       EdgeClock(fed, run, static_cast<int>(e), edges[e].a, edges[e].b));
}

}  // namespace flemu

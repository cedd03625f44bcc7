// The client-side bookkeeping and server steps of the local-rule algorithms
// (algorithms/fl/*), on two-element vectors, by hand; and what each one declares it sends.
#include <catch2/catch.hpp>

#include "algorithms/aggregation.hpp"
#include "algorithms/algorithm.hpp"
#include "algorithms/fl/client_steps.hpp"
#include "algorithms/fl/fedavgm.hpp"
#include "algorithms/fl/fedcm.hpp"
#include "algorithms/fl/feddyn.hpp"
#include "algorithms/fl/fedopt.hpp"
#include "algorithms/fl/fedsmoo.hpp"
#include "algorithms/fl/fedspeed.hpp"
#include "algorithms/fl/scaffold.hpp"

using namespace flemu;

namespace {

std::shared_ptr<const Params> vec(float a, float b) { return std::make_shared<const Params>(Params{a, b}); }

void check(const Params& got, double a, double b) {
  REQUIRE(got.size() == 2);
  CHECK(got[0] == Approx(a).epsilon(1e-6));
  CHECK(got[1] == Approx(b).epsilon(1e-6));
}

ClientUpdate update(int client, std::shared_ptr<const Params> start, std::shared_ptr<const Params> end, int steps = 2,
                    double lr = 0.1) {
  ClientUpdate u;
  u.client = client;
  u.start = std::move(start);
  u.params = std::move(end);
  u.num_samples = 100;
  u.local_steps = steps;
  u.local_lr = lr;
  return u;
}

/// Σ coef_k v_k of a combination of two-element vectors.
Params sum_of(const Combination& terms) {
  Params sum{0, 0};
  for (const auto& t : terms)
    for (int j = 0; j < 2; ++j) sum[j] += static_cast<float>(t.coef * (*t.vector)[j]);
  return sum;
}

/// Clients 0 and 2 of a 4-client federation moved from x = (1, 1) to (0.8, 0.9) and
/// (0.6, 1.1) in 2 steps of η 0.1: Δ_0 = (−0.2, −0.1), Δ_2 = (−0.4, 0.1), x̄ = (0.7, 1).
std::vector<ClientUpdate> two_updates(const std::shared_ptr<const Params>& x) {
  return {update(0, x, vec(0.8f, 0.9f)), update(2, x, vec(0.6f, 1.1f))};
}

AlgorithmContext context(int n) {
  AlgorithmContext c;
  c.num_clients = n;
  c.model_params = 2;
  c.model_bytes = 8;
  return c;
}

}  // namespace

TEST_CASE("conventions: round learning rate, weight decay, clip in every local step", "[local_rule][algorithm]") {
  AlgorithmSpec spec;
  spec.lr = 0.1;
  spec.lr_decay = 0.5;
  spec.weight_decay = 1e-3;
  spec.clip_norm = 10;
  CHECK(round_lr(spec, 1) == Approx(0.1));
  CHECK(round_lr(spec, 3) == Approx(0.025));  // 0.1 · 0.5²
  const LocalTrainingSpec l = conventional_local_training(spec, 2);
  CHECK(l.lr == Approx(0.05));
  CHECK(l.rule.weight_decay == 1e-3);
  CHECK(l.rule.clip_norm == 10);
  CHECK(l.rule.clip_scope == LocalStep::ClipScope::Corrected);
  spec.local_step = AlgorithmSpec::ClientStep::Sam;
  spec.rho = 0.05;
  const LocalTrainingSpec sam = stateless_local_training(spec);
  CHECK(sam.rule.gradient_evaluations() == 2);
  CHECK(sam.rule.rho == 0.05);
  CHECK(sam.lr == Approx(0.1));  // async and anarchic clients: no rounds, no decay
}

TEST_CASE("Bernoulli participation: seeded, sorted, never empty", "[algorithm]") {
  std::vector<int> all(100);
  for (int i = 0; i < 100; ++i) all[i] = i;
  const auto a = bernoulli_sample(all, 0.1, 3);
  CHECK(a == bernoulli_sample(all, 0.1, 3));
  CHECK(std::is_sorted(a.begin(), a.end()));
  // Binomial(100, 0.1) over many rounds: mean near 10, and the count varies.
  double sum = 0;
  size_t lo = 100, hi = 0;
  for (uint64_t s = 0; s < 400; ++s) {
    const size_t n = bernoulli_sample(all, 0.1, s).size();
    sum += n, lo = std::min(lo, n), hi = std::max(hi, n);
  }
  CHECK(sum / 400 == Approx(10).margin(0.6));
  CHECK(lo < 7);
  CHECK(hi > 13);
  // A tiny probability still gives someone (drawn again, then one uniform pick).
  CHECK(bernoulli_sample({4, 9}, 1e-9, 1).size() == 1);
  CHECK(bernoulli_sample({}, 0.5, 1).empty());
}

TEST_CASE("SCAFFOLD option II: client variate, server variate, by hand", "[algorithm][scaffold]") {
  // c_i⁺ = c_i − c − (y − x)/(K η) with c_i = (0, 1), c = (0.5, 0), x = (1, 1), y = (0.8, 0.9),
  // K = 2, η = 0.1: (0 − 0.5 + 0.2/0.2, 1 − 0 + 0.1/0.2) = (0.5, 1.5)
  const Params ci{0, 1}, c{0.5, 0};
  check(scaffold_client_variate(&ci, &c, {1, 1}, {0.8f, 0.9f}, 2, 0.1), 0.5, 1.5);
  // First round: c_i = c = 0: c_i⁺ = −(y − x)/(K η) = (1, 0.5)
  check(scaffold_client_variate(nullptr, nullptr, {1, 1}, {0.8f, 0.9f}, 2, 0.1), 1.0, 0.5);
  // c ← c + (1/N) Σ Δc_i with N = 4, Δc = (0.5, 0.5) and (1, −1): (0.5 + 0.375, 0 − 0.125)
  check(scaffold_server_variate(&c, {{0.5, 0.5}, {1, -1}}, 4), 0.875, -0.125);
  CHECK_THROWS_AS(scaffold_client_variate(nullptr, nullptr, {1, 1}, {1, 1}, 0, 0.1), std::invalid_argument);
}

TEST_CASE("SCAFFOLD as an algorithm: state per client, correction c − c_i, 2x on the wire", "[algorithm][scaffold]") {
  AlgorithmSpec spec;
  spec.name = "scaffold";
  auto algo = make_sync_algorithm(spec, context(4));
  const auto x = vec(1, 1);
  // Round 1: no state yet: no correction, nothing stored.
  ClientPlan p = algo->plan(2, 1, x);
  CHECK(p.local.inputs.correction.empty());
  CHECK(p.wire.down.bytes() == 16);
  CHECK(p.wire.up.bytes() == 16);
  CHECK(algo->footprint().client_bytes == 0);
  // Clients 0 and 2 moved to (0.8, 0.9) and (0.6, 1.1) in 2 steps of η 0.1.
  const Params next = algo->aggregate(*x, {update(0, x, vec(0.8f, 0.9f)), update(2, x, vec(0.6f, 1.1f))});
  check(next, 0.7, 1.0);  // the mean (server_lr 1)
  // c_0 = (1, 0.5), c_2 = (2, −0.5); c = (0 + (1 + 2)/4, (0.5 − 0.5)/4) = (0.75, 0)
  const auto f = algo->footprint();
  CHECK(f.clients == 2);
  CHECK(f.client_bytes == 2 * 2 * 4);
  CHECK(f.server_bytes == 8);
  CHECK(f.client_slots == std::vector<std::string>{"c_i"});
  // Round 2: client 2 runs with c − c_2 = (0.75 − 2, 0 + 0.5); client 1 (no state) with c.
  auto correction_of = [&](int client) {
    Params sum{0, 0};
    for (const auto& t : algo->plan(client, 2, x).local.inputs.correction)
      for (int j = 0; j < 2; ++j) sum[j] += static_cast<float>(t.coef * (*t.vector)[j]);
    return sum;
  };
  check(correction_of(2), -1.25, 0.5);
  check(correction_of(1), 0.75, 0.0);
}

TEST_CASE("FedAvg, FedProx and FedSAM: the step each orders, one model each way", "[algorithm]") {
  AlgorithmSpec spec;
  spec.prox_mu = 0.3;
  spec.rho = 0.05;
  for (const std::string name : {"fedavg", "fedprox", "fedsam"}) {
    spec.name = name;
    auto algo = make_sync_algorithm(spec, context(4));
    const ClientPlan p = algo->plan(0, 1, vec(1, 1));
    INFO(name);
    CHECK(p.wire.down.bytes() == 8);
    CHECK(p.wire.up.bytes() == 8);
    CHECK(p.local.rule.prox_mu == (name == "fedprox" ? 0.3 : 0.0));
    CHECK(p.local.rule.gradient_evaluations() == (name == "fedsam" ? 2 : 1));
    CHECK(algo->footprint().client_slots.empty());
  }
}

TEST_CASE("FedDyn: dual per client, the mean of all N duals added on the server", "[algorithm][feddyn]") {
  const Params h{1, 0};
  // h_i + (end − start) = (1 − 0.2, 0 + 0.2)
  check(feddyn_client_dual(&h, {1, 1}, {0.8f, 1.2f}), 0.8, 0.2);
  // x̄ + Σh/N = (0.7 + 0.4/4, 1 − 0.8/4)
  const Params sum{0.4f, -0.8f};
  check(feddyn_server_model({0.7f, 1}, &sum, 4), 0.8, 0.8);
  AlgorithmSpec spec;
  spec.name = "feddyn";
  spec.lambda = 0.1;
  auto algo = make_sync_algorithm(spec, context(4));
  const auto x = vec(1, 1);
  // Round 1, no dual yet: correction λ(0 − x) = (−0.1, −0.1), weight decay λ.
  ClientPlan p = algo->plan(0, 1, x);
  check(sum_of(p.local.inputs.correction), -0.1, -0.1);
  CHECK(p.local.rule.weight_decay == Approx(0.1));
  CHECK(p.wire.down.bytes() == 8);
  CHECK(p.wire.up.bytes() == 8);
  // Σh = Δ_0 + Δ_2 = (−0.6, 0); x = x̄ + Σh/4 = (0.7 − 0.15, 1)
  const Params next = algo->aggregate(*x, two_updates(x));
  check(next, 0.55, 1.0);
  // Round 2: client 0's correction λ(h_0 − x) = 0.1((−0.2, −0.1) − (1, 1))
  check(sum_of(algo->plan(0, 2, x).local.inputs.correction), -0.12, -0.11);
  CHECK(algo->footprint().client_bytes == 16);
  CHECK(algo->footprint().server_bytes == 8);
}

TEST_CASE("FedSpeed: code form by default, the paper's options by name", "[algorithm][fedspeed]") {
  AlgorithmSpec spec;
  spec.name = "fedspeed";
  spec.rho = 0.1;
  spec.lambda = 0.1;
  auto algo = make_sync_algorithm(spec, context(4));
  const auto x = vec(1, 1);
  const ClientPlan p = algo->plan(1, 1, x);
  CHECK(p.local.rule.ascent == LocalStep::Ascent::Normalized);
  CHECK(p.local.rule.grad_weight == 0);
  CHECK(p.local.rule.perturbed_weight == 1);
  CHECK(p.local.rule.weight_decay == Approx(0.1));
  CHECK(p.local.rule.gradient_evaluations() == 2);
  CHECK(p.wire.down.bytes() == 8);  // 1x: h_i − x^t is formed on the client
  CHECK(p.wire.up.bytes() == 8);
  check(algo->aggregate(*x, two_updates(x)), 0.55, 1.0);  // FedDyn's server ("all")
  // The paper: merged gradient, unnormalised ascent, x = mean over P_t of (x_i + h_i):
  // ((0.8 − 0.2 + 0.6 − 0.4)/2, (0.9 − 0.1 + 1.1 + 0.1)/2)
  spec.merge_alpha = 0.25;
  spec.ascent = LocalStep::Ascent::Unnormalized;
  spec.dual_average = AlgorithmSpec::DualAverage::Active;
  auto paper = make_sync_algorithm(spec, context(4));
  const ClientPlan q = paper->plan(1, 1, x);
  CHECK(q.local.rule.ascent == LocalStep::Ascent::Unnormalized);
  CHECK(q.local.rule.grad_weight == Approx(0.75));
  CHECK(q.local.rule.perturbed_weight == Approx(0.25));
  check(paper->aggregate(*x, two_updates(x)), 0.4, 1.0);
}

TEST_CASE("FedSMOO: the dynamic dual μ_i and the global perturbation s", "[algorithm][fedsmoo]") {
  // μ_i + Σe − K s = (1 + 0.5 − 3·0.1, 0 + 0.5 − 0)
  const Params mu{1, 0}, esum{0.5f, 0.5f}, s{0.1f, 0};
  check(fedsmoo_client_dual(&mu, &esum, &s, 3, 2), 1.2, 0.5);
  // s = ρ μ̄/‖μ̄‖ = 0.5 (3, 4)/5
  check(fedsmoo_perturbation({3, 4}, 0.5), 0.3, 0.4);
  AlgorithmSpec spec;
  spec.name = "fedsmoo";
  spec.rho = 0.1;
  auto algo = make_sync_algorithm(spec, context(4));
  const auto x = vec(1, 1);
  ClientPlan p = algo->plan(0, 1, x);
  CHECK(p.local.rule.ascent_feedback);
  CHECK(p.local.inputs.ascent_offset.empty());  // μ_i = s = 0 at first
  CHECK(p.wire.down.bytes() == 16);
  CHECK(p.wire.up.bytes() == 16);
  auto ups = two_updates(x);
  for (auto& u : ups) u.ascent_sum = vec(3, 4);  // Σe of each client; s was 0: μ_i = (3, 4)
  check(algo->aggregate(*x, ups), 0.55, 1.0);     // FedDyn's server
  // s = 0.1 (3, 4)/5 = (0.06, 0.08). Round 2, client 0: a = −μ_0 − s, r = s.
  p = algo->plan(0, 2, x);
  check(sum_of(p.local.inputs.ascent_offset), -3.06, -4.08);
  check(sum_of(p.local.inputs.ascent_drift), 0.06, 0.08);
  CHECK(algo->footprint().client_slots == std::vector<std::string>{"h_i", "mu_i"});
  CHECK(algo->footprint().client_bytes == 2 * 2 * 2 * 4);
  CHECK(algo->footprint().server_bytes == 2 * 2 * 4);
}

TEST_CASE("FedCM and MoFedSAM: the previous round's update as a global momentum", "[algorithm][fedcm]") {
  const auto x = vec(1, 1);
  // −Δ/(K η) = (1, 0.5) and (2, −0.5): mean (1.5, 0)
  check(fedcm_momentum(two_updates(x)), 1.5, 0.0);
  AlgorithmSpec spec;
  spec.gradient_weight = 0.1;
  for (const std::string name : {"fedcm", "mofedsam"}) {
    INFO(name);
    spec.name = name;
    auto algo = make_sync_algorithm(spec, context(4));
    ClientPlan p = algo->plan(0, 1, x);
    CHECK(p.local.inputs.correction.empty());  // m^1 = 0
    CHECK(p.wire.down.bytes() == 16);
    CHECK(p.wire.up.bytes() == 8);
    check(algo->aggregate(*x, two_updates(x)), 0.7, 1.0);  // FedAvg's server
    p = algo->plan(0, 2, x);
    check(sum_of(p.local.inputs.correction), 0.9 * 1.5, 0.0);  // (1 − α) m
    if (name == "fedcm") {
      CHECK(p.local.rule.grad_weight == Approx(0.1));
      CHECK(p.local.rule.gradient_evaluations() == 1);
    } else {
      CHECK(p.local.rule.grad_weight == 0);
      CHECK(p.local.rule.perturbed_weight == Approx(0.1));
      CHECK(p.local.rule.gradient_evaluations() == 2);
    }
  }
}

TEST_CASE("FedGamma: SCAFFOLD's variates with SAM steps, 2x on the wire", "[algorithm]") {
  AlgorithmSpec spec;
  spec.name = "fedgamma";
  auto algo = make_sync_algorithm(spec, context(4));
  const auto x = vec(1, 1);
  algo->aggregate(*x, two_updates(x));  // c_0 = (1, 0.5), c_2 = (2, −0.5), c = (0.75, 0)
  const ClientPlan p = algo->plan(2, 2, x);
  check(sum_of(p.local.inputs.correction), -1.25, 0.5);
  CHECK(p.local.rule.gradient_evaluations() == 2);
  CHECK(p.wire.down.bytes() == 16);
  CHECK(p.wire.up.bytes() == 16);
}

TEST_CASE("FedAdam, FedYogi, FedAvgM: server optimizers on the averaged update", "[algorithm][fedopt]") {
  // Δ = (−0.3, 0) then (−0.1, 0.2); β1 0.9, β2 0.99, τ 1e-3, η 0.1, v starts at τ².
  // Adam, step 1: m = (−0.03, 0), v = 0.99e-6 + 0.01·0.09 = 9.0099e-4:
  //   x₁ = 1 − 0.1·0.03/(0.0300165 + 0.001) = 0.9032773
  // step 2: m = (−0.037, 0.02), v = (9.9198e-4, 4.0098e-4): x = (0.7894161, 1.0951272)
  AdaptiveServerState adam, yogi;
  Params x{1, 1};
  x = adaptive_server_step(adam, x, {-0.3f, 0}, SecondMoment::Adam, 0.1, 0.9, 0.99, 1e-3);
  check(x, 0.9032773, 1.0);
  x = adaptive_server_step(adam, x, {-0.1f, 0.2f}, SecondMoment::Adam, 0.1, 0.9, 0.99, 1e-3);
  check(x, 0.7894161, 1.0951272);
  // Yogi: v ← v − (1 − β2) Δ² sign(v − Δ²): step 1 v = (1e-6 + 9e-4, 1e-6); step 2 v =
  // (9.01e-4 + 1e-4, 1e-6 + 4e-4): x = (0.7899150, 1.0951249)
  x = {1, 1};
  x = adaptive_server_step(yogi, x, {-0.3f, 0}, SecondMoment::Yogi, 0.1, 0.9, 0.99, 1e-3);
  x = adaptive_server_step(yogi, x, {-0.1f, 0.2f}, SecondMoment::Yogi, 0.1, 0.9, 0.99, 1e-3);
  check(x, 0.7899150, 1.0951249);
  CHECK(yogi.v[0] == Approx(1.001e-3));
  // FedAvgM, β 0.9, η 1: m = Δ, x = (0.7, 1); then m = 0.9 (−0.3, 0) + (−0.1, 0.2)
  Params m;
  Params y = server_momentum_step(m, {1, 1}, {-0.3f, 0}, 1.0, 0.9);
  check(y, 0.7, 1.0);
  y = server_momentum_step(m, y, {-0.1f, 0.2f}, 1.0, 0.9);
  check(y, 0.7 - 0.37, 1.2);
  // As algorithms: the same, from the clients' average; state reported.
  AlgorithmSpec spec;
  spec.name = "fedadam";
  spec.server_lr = 0.1;
  auto algo = make_sync_algorithm(spec, context(4));
  const auto x0 = vec(1, 1);
  check(algo->aggregate(*x0, {update(0, x0, vec(0.7f, 1))}), 0.9032773, 1.0);
  CHECK(algo->footprint().server_bytes == 16);
  CHECK(algo->plan(0, 1, x0).wire.down.bytes() == 8);
}

// Zeroth-order FL: the black-box suite, the estimators and surrogates (FZooS's GP with its
// ANALYTIC mean gradient, the RFF model), the work model the emulation charges, and runs.
#include <catch2/catch.hpp>

#include <cmath>

#include <nlohmann/json.hpp>

#include "algorithms/zeroth_order/fedzo.hpp"
#include "algorithms/zeroth_order/fzoos.hpp"
#include "test_support.hpp"
#include "workloads/objectives/black_box.hpp"
#include "workloads/rng.hpp"

using namespace flemu;
using namespace flemu::zo;
using nlohmann::json;

TEST_CASE("black boxes: Quadratic's closed-form optimum, Ackley and Levy >= 0", "[zeroth-order]") {
  BlackBoxSpec spec;
  spec.dimension = 300;
  spec.heterogeneity = 0.5;
  BlackBoxProblem q(spec, 5, 3);
  CHECK(q.optimum_value() == Approx(-0.024667).margin(1e-6));  // the card's value at d = 300
  const Vec best(300, 0.475);                                   // p = 20 x - 10 = -0.5
  CHECK(q.global_value(best) == Approx(q.optimum_value()).epsilon(1e-12));
  Rng rng(1);
  for (int t = 0; t < 20; ++t) {
    Vec x(300);
    for (auto& v : x) v = rng.uniform();
    CHECK(q.global_value(x) >= q.optimum_value());
  }
  // Clients differ (heterogeneity), yet average to the global function.
  CHECK(q.value(0, best) != q.value(1, best));
  for (auto f : {BlackBoxFunction::Ackley, BlackBoxFunction::Levy}) {
    spec.function = f;
    BlackBoxProblem p(spec, 5, 3);
    CHECK_FALSE(p.optimum_exact());
    for (int t = 0; t < 10; ++t) {
      Vec x(300);
      for (auto& v : x) v = rng.uniform();
      for (int i = 0; i < 5; ++i) CHECK(p.value(i, x) >= -1e-12);
    }
  }
  spec.function = BlackBoxFunction::Ackley;
  spec.heterogeneity = 0;
  BlackBoxProblem a(spec, 3, 3);
  CHECK(a.value(0, Vec(300, 0.5)) == Approx(0).margin(1e-9));  // identical clients, centre p = 0
  CHECK(black_box_from_name("levy") == BlackBoxFunction::Levy);
  CHECK_THROWS(black_box_from_name("rosenbrock"));
}

TEST_CASE("RGF estimate: exact direction for a linear function with q = d orthonormal directions", "[zeroth-order]") {
  const Vec a{1.0, -2.0, 0.5, 3.0};
  QueryCounter f([&](const Vec& x) {
    double s = 0;
    for (size_t j = 0; j < x.size(); ++j) s += a[j] * x[j];
    return s;
  });
  FedZoParams p;
  p.directions = 4;
  const Vec x{0.1, 0.2, 0.3, 0.4};
  const Vec g = rgf_estimate(p, f, x, f(x), 5, nullptr);
  for (size_t j = 0; j < 4; ++j) CHECK(g[j] == Approx(a[j] / 4).margin(1e-6));  // the code's 1/q scale
  CHECK(f.queries() == 5);
  CHECK(fedzo_local_work(p, 4).queries == 1 + 10 * 5);
}

TEST_CASE("GP surrogate: analytic mean gradient equals the mean's finite difference", "[zeroth-order]") {
  Rng rng(4);
  const int d = 6;
  PointSet ps;
  ps.d = d;
  std::vector<double> y;
  auto f = [](const Vec& x) {
    double s = 0;
    for (size_t j = 0; j < x.size(); ++j) s += std::sin(3 * x[j]) * (j + 1);
    return s;
  };
  for (int i = 0; i < 60; ++i) {
    Vec x(d);
    for (auto& v : x) v = 0.4 + 0.1 * rng.uniform(-1, 1);
    ps.add(x.data());
    y.push_back(f(x));
  }
  const GpModel gp = fit_gp(ps, y, 1e-6);
  CHECK(gp.lengthscale > 1e-3);
  CHECK(gp.lengthscale < 1e3);
  const Vec x(d, 0.42);
  const Vec g = gp_mean_gradient(gp, x);
  for (int j = 0; j < d; ++j) {
    Vec hi = x, lo = x;
    hi[j] += 1e-5, lo[j] -= 1e-5;
    CHECK(g[j] == Approx((gp_mean(gp, hi) - gp_mean(gp, lo)) / 2e-5).epsilon(1e-4).margin(1e-6));
    // and the surrogate's gradient points like the true one: 3 (j + 1) cos(3 x)
    CHECK(g[j] == Approx(3 * (j + 1) * std::cos(3 * 0.42)).epsilon(0.2));
  }
  // Gradient variance: larger away from the data than at it.
  PointSet cand;
  cand.d = d;
  cand.add(ps.row(0));
  const Vec far(d, 0.9);
  cand.add(far.data());
  const auto var = gp_gradient_variance(ps, gp.lengthscale, 1e-6, cand);
  CHECK(var[1] > var[0]);
}

TEST_CASE("RFF surrogate: fits its points, analytic gradient equals finite difference", "[zeroth-order]") {
  const int d = 4;
  const RffFeatures feat = make_rff_features(d, 800, 1.0, 9);
  PointSet ps;
  ps.d = d;
  std::vector<double> y;
  Rng rng(2);
  for (int i = 0; i < 40; ++i) {
    Vec x(d);
    for (auto& v : x) v = rng.uniform();
    ps.add(x.data());
    y.push_back(x[0] * x[0] - x[1] + 2);
  }
  const Vec w = fit_rff_weights(feat, ps, y, 1e-8);
  double ymin = y[0];
  for (double v : y) ymin = std::min(ymin, v);
  const Vec x0(ps.row(3), ps.row(3) + d);
  CHECK(rff_value(feat, w, x0) + ymin == Approx(y[3]).margin(1e-3));  // interpolates (scaled back)
  const Vec g = rff_gradient(feat, w, x0);
  for (int j = 0; j < d; ++j) {
    Vec hi = x0, lo = x0;
    hi[j] += 1e-5, lo[j] -= 1e-5;
    CHECK(g[j] == Approx((rff_value(feat, w, hi) - rff_value(feat, w, lo)) / 2e-5).epsilon(1e-4).margin(1e-6));
  }
}

TEST_CASE("FZooS beats FedZO per query on a small Quadratic and Ackley", "[zeroth-order]") {
  // The claim at d = 300 is measured in scenarios/studies/zeroth-order; here d = 20, 3
  // clients, 4 rounds, small surrogates. Compare the gap at the queries FZooS used.
  for (auto fn : {BlackBoxFunction::Quadratic, BlackBoxFunction::Ackley}) {
    BlackBoxSpec spec;
    spec.function = fn;
    spec.dimension = 20;
    BlackBoxProblem prob(spec, 3, 5);
    const Vec x0 = prob.initial_point(6);
    FzoosParams fp;
    fp.lr = 0.02, fp.rff_features = 300, fp.rff_neighbours = 100, fp.gp_neighbours = 60;
    const RffFeatures feat = make_rff_features(20, fp.rff_features, 1.0, 7);
    std::vector<FzoosClient> clients(3);
    Vec x = x0, gw;
    int64_t fz_queries = 0;
    for (int r = 0; r < 4; ++r) {
      std::vector<Vec> xs;
      for (int i = 0; i < 3; ++i) {
        auto res = fzoos_local(fp, clients[i], [&](const Vec& z) { return prob.value(i, z); }, x, r ? &gw : nullptr, feat,
                               derive_seed(1, {uint64_t(r), uint64_t(i)}));
        CHECK(res.queries > 0);
        fz_queries += res.queries;
        xs.push_back(res.x);
      }
      const Vec next = average_step(x, xs, 1.0);
      std::vector<Vec> ups;
      for (int i = 0; i < 3; ++i) {
        const Work w = fzoos_surrogate_work(fp, clients[i], 20);
        auto s = fzoos_surrogate(fp, clients[i], [&](const Vec& z) { return prob.value(i, z); }, next, xs[i], feat,
                                 derive_seed(2, {uint64_t(r), uint64_t(i)}));
        CHECK(s.queries == w.queries);
        fz_queries += s.queries;
        ups.push_back(s.weights);
      }
      gw = fzoos_global_weights(ups);
      x = next;
    }
    const double fz_gap = prob.global_value(x) - prob.optimum_value();
    FedZoParams zp;
    zp.lr = 0.02;
    Vec y = x0;
    int64_t zo_queries = 0;
    for (int r = 0; zo_queries < fz_queries; ++r) {
      std::vector<Vec> ys;
      for (int i = 0; i < 3; ++i) {
        auto res = fedzo_local(zp, [&](const Vec& z) { return prob.value(i, z); }, y, derive_seed(3, {uint64_t(r), uint64_t(i)}));
        zo_queries += res.queries;
        ys.push_back(res.x);
      }
      y = average_step(y, ys, 1.0);
    }
    const double zo_gap = prob.global_value(y) - prob.optimum_value();
    INFO(to_string(fn) << ": FZooS gap " << fz_gap << " after " << fz_queries << " queries; FedZO gap " << zo_gap
                       << " after " << zo_queries);
    CHECK(fz_gap < zo_gap);
  }
}

namespace {

json zo_scenario(const std::string& method, const std::string& out) {
  json j = json::parse(R"({
    "seed": 3,
    "platform": {"network": "exact", "server": {"speed": "20Gf"},
                 "classes": [{"name": "lab", "count": 3, "speed": "1Gf", "bandwidth": "10Mbps", "latency": "10ms"}]},
    "workload": {"objective": {"function": "quadratic", "dimension": 12, "heterogeneity": 0.5, "flops_per_query": 1e8}},
    "algorithm": {"name": "fedzo", "lr": 0.02, "local_iters": 4},
    "stop": {"rounds": 3}
  })");
  j["algorithm"]["name"] = method;
  if (method == "fzoos") j["algorithm"]["surrogate"] = {{"rff_features", 200}, {"rff_neighbours", 60}, {"gp_neighbours", 40}};
  j["output"]["directory"] = out;
  return j;
}

}  // namespace

TEST_CASE("zeroth-order runs: queries cost device time, bytes as the formulas, jobs do not change bits",
          "[zeroth-order][e2e]") {
  for (const std::string method : {"fedzo", "fzoos"}) {
    std::string events[2], metrics[2];
    for (int jobs : {1, 2}) {
      const auto dir = test::scratch_dir("zo-" + method);
      const auto path = dir / "scenario.json";
      test::write_file(path, zo_scenario(method, (dir / "out").string()).dump(2));
      auto r = test::run_flemu("run --quiet --jobs " + std::to_string(jobs) + " " + path.string());
      INFO(r.output);
      REQUIRE(r.exit_code == 0);
      events[jobs - 1] = test::read_file(dir / "out" / "events.jsonl");
      metrics[jobs - 1] = test::read_file(dir / "out" / "metrics.csv");
      const json s = json::parse(test::read_file(dir / "out" / "summary.json"));
      INFO(method << " " << s.dump());
      CHECK(s["rounds"] == 3);
      CHECK(s["final_value"].get<double>() < s["initial_value"].get<double>());
      CHECK(s["final_gap"].get<double>() >= 0);  // never below the closed-form optimum
      if (method == "fedzo") {
        CHECK(s["queries"] == 3 * 3 * (1 + 4 * 21));          // rounds x clients x (1 + T (q + 1))
        CHECK(s["bytes_down"] == 3 * 3 * 4 * 12);             // x down, fp32
        // Each round: the queries' compute dominates, 85 x 1e8 flop on a 1 Gf device.
        CHECK(s["simulated_time_s"].get<double>() > 3 * 85 * 0.1);
      } else {
        CHECK(s["bytes_up"].get<double>() > 3 * 3 * 4 * 200);  // the surrogates' weights go up
      }
    }
    INFO(method);
    CHECK(events[0] == events[1]);
    CHECK(metrics[0] == metrics[1]);
  }
}

// DADAO (algorithms/decentralized/dadao.hpp, emulator/schedules/dadao_clocks.hpp): the jumps'
// invariants and fixed point on hand-made states, and the card's acceptance check end to end:
// n = 10 on its synthetic regression, complete, ring and star graphs, linear convergence of
// (1/n) sum_i ||x_i - x*||^2 to <= 1e-5 of its initial value by t = 150 units, with about
// lambda_mix t edge events and n t gradient events (card decentralized.md section 7, item 4).
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "algorithms/decentralized/dadao.hpp"
#include "test_support.hpp"
#include "workloads/data/synthetic_regression.hpp"

using namespace flemu;
using namespace flemu::test;
using nlohmann::json;

TEST_CASE("DADAO: sums of z and z~ stay 0, and the optimum is a fixed point of every jump and of the flow",
          "[dadao]") {
  const RegressionProblem p = make_regression_problem(3, 50, 2, 11);
  const Smoothness s = regression_smoothness(p);
  REQUIRE(s.mu > 0);
  REQUIRE(s.L >= s.mu);
  const DadaoConstants c = dadao_constants(s.mu, s.L, 0.7);
  const auto flow = dadao_flow_matrix(c);
  // Fixed point: x = x~ = x*, y = y~ = grad f_i(x*) - nu x*, z = z~ = -grad f_i(x*).
  std::vector<DadaoNode> nodes;
  for (int i = 0; i < 3; ++i) {
    DadaoNode n = dadao_node(p.optimum);
    n.x_tilde = p.optimum;
    const auto g = p.gradient(i, p.optimum);
    for (int q = 0; q < 2; ++q) {
      n.y[q] = n.y_tilde[q] = g[q] - c.nu * p.optimum[q];
      n.z[q] = n.z_tilde[q] = -g[q];
    }
    nodes.push_back(n);
  }
  // Sum_i grad f_i(x*) = 0, so sum_i z_i = 0 at the optimum too.
  for (int q = 0; q < 2; ++q) CHECK(std::abs(nodes[0].z[q] + nodes[1].z[q] + nodes[2].z[q]) < 1e-9);
  const auto before = nodes;
  dadao_advance(nodes[0], 3.5, flow);
  dadao_gradient_step(nodes[1], p.gradient(1, nodes[1].x), c);
  dadao_communication_step(nodes[1], nodes[2], dadao_message(nodes[1]), dadao_message(nodes[2]), c);
  for (int i = 0; i < 3; ++i)
    for (int q = 0; q < 2; ++q) {
      const double scale = 1 + std::abs(before[i].z[q]) + std::abs(p.optimum[q]);
      CHECK(std::abs(nodes[i].x[q] - before[i].x[q]) < 1e-9 * scale);
      CHECK(std::abs(nodes[i].y_tilde[q] - before[i].y_tilde[q]) < 1e-9 * scale);
      CHECK(std::abs(nodes[i].z[q] - before[i].z[q]) < 1e-9 * scale);
    }

  // Away from it: communication jumps are antisymmetric, the flow is per node and linear.
  DadaoNode a = dadao_node({1.0, -2.0}), b = dadao_node({0.5, 3.0});
  a.y = {0.3, 0.1};
  b.z = {-1.0, 2.0};
  dadao_communication_step(a, b, dadao_message(a), dadao_message(b), c);
  for (int q = 0; q < 2; ++q) {
    CHECK(a.z[q] + b.z[q] == Approx(-1.0 * (q == 0) + 2.0 * (q == 1)).margin(1e-12));
    CHECK(a.z_tilde[q] + b.z_tilde[q] == Approx(0).margin(1e-12));
  }
  // expm semigroup: advancing to 1 then 2 equals advancing to 2 at once.
  DadaoNode one = a, two = a;
  dadao_advance(one, 1.0, flow);
  dadao_advance(one, 2.0, flow);
  dadao_advance(two, 2.0, flow);
  for (int q = 0; q < 2; ++q) CHECK(one.y_tilde[q] == Approx(two.y_tilde[q]).epsilon(1e-12));
}

namespace {

json dadao_scenario(const std::filesystem::path& out, const std::string& graph) {
  json j = json::parse(R"({
    "name": "dadao", "seed": 1,
    "platform": {"network": "exact",
                 "classes": [{"name": "node", "count": 10, "speed": "1Gf", "bandwidth": "100Mbps", "latency": "1ms"}]},
    "workload": {"dataset": "synthetic-regression", "model": "linear", "samples_per_client": 100},
    "algorithm": {"name": "dadao"},
    "stop": {"time": "150s"}
  })");
  j["platform"]["topology"] = {{"kind", graph}};
  j["output"]["directory"] = out.string();
  return j;
}

std::map<int, std::map<std::string, std::string>> metrics_by_round(const std::filesystem::path& dir) {
  std::istringstream in(read_file(dir / "metrics.csv"));
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string c; std::getline(hs, c, ',');) header.push_back(c);
  std::map<int, std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    std::map<std::string, std::string> row;
    std::stringstream ls(line);
    std::string c;
    for (const auto& h : header) {
      if (!std::getline(ls, c, ',')) c.clear();
      row[h] = c;
    }
    rows[std::stoi(row["round"])] = row;
  }
  return rows;
}

}  // namespace

TEST_CASE("DADAO on its synthetic problem (n = 10): complete, ring and star reach the card's accuracy by t = 150",
          "[dadao][e2e]") {
  for (const std::string graph : {"complete", "ring", "star"}) {
    INFO(graph);
    const auto base = scratch_dir("dadao-" + graph);
    const json s = dadao_scenario(base / "out", graph);
    write_file(base / "scenario.json", s.dump(2));
    const auto r = run_flemu("run --quiet " + (base / "scenario.json").string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    const auto rows = metrics_by_round(base / "out");
    REQUIRE(rows.size() == 150);
    const double d1 = std::stod(rows.at(1).at("optimum_distance"));
    const double d60 = std::stod(rows.at(60).at("optimum_distance"));
    const double d150 = std::stod(rows.at(150).at("optimum_distance"));
    INFO("distance to x*: t=1 " << d1 << ", t=60 " << d60 << ", t=150 " << d150);
    CHECK(d60 < d1);
    CHECK(d150 < 1e-5 * d1);
    // Gradient events: n per unit of time; edge events lambda_mix per unit (2 messages each).
    const auto summary = json::parse(read_file(base / "out" / "summary.json"));
    const double lambda_mix = summary["graph"]["spectra"]["lambda_mix"];
    const double messages = summary["traffic"]["messages_sent"]["total"];
    const double comms = messages / 2;
    CHECK(std::abs(comms - lambda_mix * 150) < 5 * std::sqrt(lambda_mix * 150));  // Poisson: 5 sigma
    double grads = 0;
    for (const auto& [round, row] : rows) grads += std::stod(row.at("updates"));
    CHECK(std::abs(grads - 1500) < 5 * std::sqrt(1500.0));
    CHECK(summary["model"]["bytes"] == 16);  // d = 2 float64 values
  }
}

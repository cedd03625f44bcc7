// Data-parallel training on a cluster (ddp, local-sgd, slowmo, co2, co2-code): the outer-update
// maths on hand-computed vectors, CO2's oracle against Local-SGD, the round timelines against
// the card's formulas on the exact network, overlap and staleness in the trace, determinism.
#include <catch2/catch.hpp>

#include <cstring>
#include <nlohmann/json.hpp>

#include "algorithms/cluster/co2.hpp"
#include "algorithms/cluster/slowmo.hpp"
#include "emulator/config/scenario.hpp"
#include "emulator/schedules/collective_time.hpp"
#include "test_support.hpp"

using namespace flemu;
using namespace flemu::test;
using nlohmann::json;
namespace ct = flemu::collective_time;

namespace {

/// Four 1 Gf/s workers around a star, 100 Mbps links, 1 ms each: a ring step between two of
/// them crosses two links (2 ms, 12.5 MB/s). Real training of the MLP on synthetic data.
json four_workers(const std::string& out, const json& algorithm) {
  json s = json::parse(R"({
    "seed": 3,
    "platform": {"network": "exact",
                 "classes": [{"name": "gpu", "count": 4, "speed": "1Gf", "bandwidth": "100Mbps", "latency": "1ms"}]},
    "workload": {"dataset": "synthetic", "model": "mlp", "samples_per_client": 200},
    "stop": {"rounds": 3}
  })");
  s["algorithm"] = algorithm;
  s["output"]["directory"] = out;
  return s;
}

std::filesystem::path run_ok(const json& s, const std::string& tag, int jobs = 2) {
  auto r = run_flemu("run --quiet --jobs " + std::to_string(jobs) + " " + write_scenario(s, tag).string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return s["output"]["directory"].get<std::string>();
}

bool same_bits(const Params& a, const Params& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("outer momentum step: hand-computed values, clipping, and the exact Local-SGD case", "[cluster]") {
  const Params x0{1.0f, 2.0f}, xbar{0.5f, 1.0f};
  Params m{0.1f, -0.2f};
  // d = (0.5, 1); m = 0.5 m + d = (0.55, 0.9); x = x0 - m = (0.45, 1.1)
  Params x = outer_momentum_step(x0, xbar, m, 0.5, 1.0, 1.0, 0);
  CHECK(m[0] == Approx(0.55f));
  CHECK(m[1] == Approx(0.9f));
  CHECK(x[0] == Approx(0.45f));
  CHECK(x[1] == Approx(1.1f));
  // Clamped at 0.6: m = (0.55, 0.6), x = (0.45, 1.4).
  Params mc{0.1f, -0.2f};
  x = outer_momentum_step(x0, xbar, mc, 0.5, 1.0, 1.0, 0.6);
  CHECK(mc[1] == Approx(0.6f));
  CHECK(x[1] == Approx(1.4f));
  // beta = 0, alpha = 1, scale = 1: the average itself, bit for bit, for any values.
  Params a(1000), b(1000), z;
  for (int i = 0; i < 1000; ++i) a[i] = std::sin(i * 0.37f) * 3, b[i] = std::cos(i * 0.11f) * 1e-4f - (i % 7 == 0 ? 0.0f : 1e-9f);
  Params ma;
  CHECK(same_bits(outer_momentum_step(a, b, ma, 0, 1, 1, 10.0), b));  // a clamp that does not bind
}

TEST_CASE("SlowMo: u = beta u + (x0 - xbar)/gamma, x = x0 - alpha gamma u", "[cluster]") {
  const SlowMoParams p{0.5, 2.0, 0.1};
  Params u{1.0f};
  const Params x = slowmo_outer_step({1.0f}, {0.9f}, u, p);
  CHECK(u[0] == Approx(0.5 * 1.0 + 0.1 / 0.1));
  CHECK(x[0] == Approx(1.0 - 2.0 * 0.1 * 1.5));
}

TEST_CASE("CO2: staleness-gap penalty, stale pseudo-gradient on the current start, the code's mode", "[cluster]") {
  Co2Params p;
  p.beta = 0;
  p.alpha = 1;
  p.clip = 0;
  // Adaptive: ||d|| = ||(0,0) - (3,4)|| = 5; the start moved by ||(0,5)|| = 5 since: 1/(1 + 1).
  CHECK(co2_gap_penalty({0, 5}, {0, 0}, {3, 4}, p) == Approx(0.5));
  CHECK(co2_gap_penalty({0, 0}, {0, 0}, {3, 4}, p) == 1.0);  // fresh average: no penalty
  p.lambda = 3;
  CHECK(co2_gap_penalty({0, 5}, {0, 0}, {3, 4}, p) == Approx(0.25));
  p.penalty = GapPenalty::Constant;
  CHECK(co2_gap_penalty({0, 5}, {0, 0}, {3, 4}, p) == 3.0);
  // Stale step: x[t+1,0] = x[t,0] - alpha Lambda (x[t-1,0] - xbar[t-1]) = (0,5) - 0.5 (-3,-4).
  p.penalty = GapPenalty::Adaptive;
  p.lambda = 1;
  Params m;
  Params x = co2_outer_step({0, 5}, {0, 0}, {3, 4}, m, p);
  CHECK(x[0] == Approx(1.5));
  CHECK(x[1] == Approx(7.0));
  // Clipping: m = 0.5 (-3, -4) = (-1.5, -2) clamped to [-1, 1].
  p.clip = 1;
  m.clear();
  x = co2_outer_step({0, 5}, {0, 0}, {3, 4}, m, p);
  CHECK(m[0] == -1.0f);
  CHECK(m[1] == -1.0f);
  CHECK(x[1] == Approx(6.0));
  // The public code: gmb = beta gmb + (x0 - xbar)/lambda, never clipped, x = x0 - alpha gmb.
  Co2Params code;
  code.code = true;
  code.beta = 0.5;
  code.lambda = 2;
  code.clip = 1e-6;  // ignored, as the code's out-of-place clamp ignores it
  Params gmb{2.0f, 2.0f};
  x = co2_outer_step({10, 10}, {10, 10}, {0, 4}, gmb, code);
  CHECK(gmb[0] == Approx(0.5 * 2 + 10 / 2.0));
  CHECK(gmb[1] == Approx(0.5 * 2 + 6 / 2.0));
  CHECK(x[0] == Approx(10 - 6.0));
  // The first round of the stale schedule has no average: the start is kept.
  AlgorithmSpec spec;
  spec.name = "co2";
  Co2 co2(spec);
  CHECK(co2.sync() == SyncPoint::Overlapped);
  CHECK(co2.next_start({1, 2}, nullptr, nullptr) == Params{1, 2});
  spec.outer_staleness = 0;
  CHECK(Co2(spec).sync() == SyncPoint::EndOfRound);
  spec.name = "co2-code";
  spec.outer_staleness = 1;
  CHECK(Co2(spec).sync() == SyncPoint::EndOfRound);  // the code's outer step is synchronous
}

TEST_CASE("CO2 with beta 0, lambda 1 and no staleness equals Local-SGD bit for bit", "[cluster][e2e]") {
  const auto base = scratch_dir("co2-oracle");
  const json local = {{"name", "local-sgd"}, {"inner_steps", 4}, {"batch_size", 20}};
  const json co2 = {{"name", "co2"},         {"inner_steps", 4},    {"batch_size", 20},
                    {"outer_momentum", 0},   {"outer_lr", 1.0},     {"gap_penalty", "constant"},
                    {"gap_lambda", 1.0},     {"outer_staleness", 0}};
  json adaptive = co2;  // a fresh average has no staleness gap: the adaptive penalty is 1 too
  adaptive["gap_penalty"] = "adaptive";
  json stale = co2;
  stale["outer_staleness"] = 1;
  const auto a = summary_of(run_ok(four_workers((base / "local").string(), local), "local"));
  const auto b = summary_of(run_ok(four_workers((base / "co2").string(), co2), "co2"));
  const auto c = summary_of(run_ok(four_workers((base / "adaptive").string(), adaptive), "adaptive"));
  const auto d = summary_of(run_ok(four_workers((base / "stale").string(), stale), "stale"));
  REQUIRE(a.contains("params_hash"));
  CHECK(a["params_hash"] == b["params_hash"]);
  CHECK(a["params_hash"] == c["params_hash"]);
  CHECK(a["final_accuracy"] == b["final_accuracy"]);
  CHECK(a["params_hash"] != d["params_hash"]);  // one-step staleness changes the trajectory
}

TEST_CASE("data-parallel rounds take the card's times on the exact network", "[cluster][e2e][timing]") {
  // An analytic model of 200,000 fp32 parameters (blocks divide evenly) and 1 Mflop per
  // sample on 4 workers of 1 Gf/s: T_step = batch ms; T_AR = ring on 4 ranks, 2 ms, 12.5 MB/s.
  const double params = 2e5, bytes = 8e5;
  const double t_ar = ct::ring_allreduce(4, bytes, {0.002, 12.5e6});  // 0.108 s
  auto t_step = [](int batch) { return batch * 1e6 / 1e9; };
  auto round_time = [&](json algorithm, int round, int samples = 200) {
    const auto out = scratch_dir("dp-timing") / "out";
    json s = four_workers(out.string(), algorithm);
    s["training"] = "analytic";
    s["workload"] = {{"dataset", "synthetic"}, {"model", "custom"}, {"samples_per_client", samples},
                     {"custom_model", {{"params", params}, {"bytes_per_param", 4}, {"train_flops_per_sample", 1e6}}}};
    s["stop"]["rounds"] = 4;
    run_ok(s, "dp-timing");
    double start = -1, end = -1;
    for (const auto& e : read_events(out))
      if (e["kind"] == "round_end") {
        if (e["round"] == round - 1) start = e["t"];
        if (e["round"] == round) end = e["t"];
      }
    REQUIRE(start >= 0);
    return end - start;
  };
  auto with = [&](const char* name, int tau, int batch, json extra = json::object()) {
    json a = {{"name", name}, {"inner_steps", tau}, {"batch_size", batch}};
    a.update(extra);
    return a;
  };
  const double u_slowmo = 5 * params / 1e9, u_co2 = 8 * params / 1e9;  // the outer updates
  CHECK(round_time(with("ddp", 3, 6), 2) == Approx(3 * (t_step(6) + t_ar)).epsilon(1e-9));
  CHECK(round_time(with("local-sgd", 3, 6), 2) == Approx(3 * t_step(6) + t_ar).epsilon(1e-9));
  CHECK(round_time(with("slowmo", 3, 6), 2) == Approx(3 * t_step(6) + t_ar + u_slowmo).epsilon(1e-9));
  CHECK(round_time(with("co2-code", 3, 6), 2) == Approx(3 * t_step(6) + t_ar + u_co2).epsilon(1e-9));
  // CO2: round t's all-reduce runs during round t+1's steps (and its update), so a round takes
  // max(tau T_step + T_upd, T_AR): exposed when the all-reduce is the longer...
  REQUIRE(t_ar > 3 * t_step(6) + u_co2);
  CHECK(round_time(with("co2", 3, 6), 3) == Approx(t_ar).epsilon(1e-9));
  // ...hidden when the steps are.
  REQUIRE(t_ar < 8 * t_step(50));
  CHECK(round_time(with("co2", 8, 50), 3) == Approx(8 * t_step(50) + u_co2).epsilon(1e-9));
  // DDP with 4 buckets: each bucket's all-reduce runs while the rest of backward computes;
  // when it is shorter than a quarter of backward, only the last bucket's shows.
  const double forward = t_step(600) / 3, backward = t_step(600) - forward;
  const double t_bucket = ct::ring_allreduce(4, bytes / 4, {0.002, 12.5e6});
  REQUIRE(t_bucket < backward / 4);
  CHECK(round_time(with("ddp", 3, 600, {{"buckets", 4}}), 2, 2000) ==
        Approx(3 * (forward + backward + t_bucket)).epsilon(1e-9));
  CHECK(round_time(with("ddp", 3, 600), 2, 2000) == Approx(3 * (t_step(600) + t_ar)).epsilon(1e-9));
}

TEST_CASE("CO2's trace shows the all-reduce of round t overlapping round t+1's steps", "[cluster][e2e]") {
  const auto out = scratch_dir("co2-overlap") / "out";
  json s = four_workers(out.string(), {{"name", "co2"}, {"inner_steps", 3}, {"batch_size", 20}});
  s["training"] = "analytic";
  s["stop"]["rounds"] = 3;
  run_ok(s, "co2-overlap");
  const auto ev = read_events(out);
  int overlaps = 0;
  for (const auto& c : ev) {
    if (c["kind"] != "collective" || c["client"] != 1) continue;
    CHECK(c["op"] == "ring-allreduce");
    for (const auto& t : ev)
      if (t["kind"] == "train" && t["client"] == 1 && t["t0"] < c["t"] && c["t0"] < t["t"]) {
        CHECK(t["round"].get<int>() == c["round"].get<int>() + 1);  // compute of the next round
        ++overlaps;
      }
  }
  CHECK(overlaps >= 2);
  // One-step staleness: round t (t >= 2) closes after round t-1's all-reduce has landed.
  for (const auto& e : ev)
    if (e["kind"] == "round_end" && e["round"] >= 2)
      for (const auto& c : ev)
        if (c["kind"] == "collective" && c["round"] == e["round"].get<int>() - 1) CHECK(c["t"] <= e["t"]);
}

TEST_CASE("hierarchical all-reduce on a cluster platform: the collective span takes the formula's time",
          "[cluster][e2e][timing]") {
  const auto out = scratch_dir("hier") / "out";
  json s = json::parse(R"({
    "seed": 1, "training": "analytic",
    "platform": {"network": "exact",
      "cluster": {"nodes": 3, "gpus_per_node": 4, "gpu_speed": "100Tf", "gpu_memory": "80GB",
                  "intra_node": {"bandwidth": "600GBps", "latency": "2us"},
                  "inter_node": {"bandwidth": "80Gbps", "latency": "10us", "efficiency": 0.1}}},
    "workload": {"dataset": "synthetic", "model": "custom", "samples_per_client": 16,
                 "custom_model": {"name": "llm-1b", "params": 1.2e9, "train_flops_per_sample": 2.4e13}},
    "algorithm": {"name": "local-sgd", "inner_steps": 2, "batch_size": 4, "allreduce": "hierarchical"},
    "stop": {"rounds": 2}
  })");
  s["output"]["directory"] = out.string();
  run_ok(s, "hier");
  const double expected = ct::hierarchical_allreduce(4, 3, 2.4e9, {2e-6, 600e9}, {12e-6, 1e9});
  int seen = 0;
  for (const auto& e : read_events(out))
    if (e["kind"] == "collective") {
      CHECK(e["op"] == "hierarchical-allreduce");
      CHECK(e["t"].get<double>() - e["t0"].get<double>() == Approx(expected).epsilon(1e-9));
      ++seen;
    }
  CHECK(seen == 2 * 12);
  CHECK(summary_of(out)["model"]["bytes"] == 2.4e9);
  auto d = run_flemu("describe " + write_scenario(s, "hier-describe").string());
  CHECK(d.output.find("cluster: 3 nodes x 4 GPUs") != std::string::npos);
  CHECK(d.output.find("efficiency 0.1") != std::string::npos);
}

TEST_CASE("cluster runs are deterministic: --jobs 1 and 2 give the same bits", "[cluster][e2e][determinism]") {
  const auto base = scratch_dir("dp-det");
  const json co2 = {{"name", "co2"}, {"inner_steps", 3}, {"batch_size", 20}};
  const json ddp = {{"name", "ddp"}, {"inner_steps", 2}, {"batch_size", 20}, {"buckets", 3}, {"allreduce", "tree"}};
  for (const auto& algorithm : {co2, ddp}) {
    const std::string name = algorithm["name"];
    const auto a = run_ok(four_workers((base / (name + "-1")).string(), algorithm), name, 1);
    const auto b = run_ok(four_workers((base / (name + "-2")).string(), algorithm), name, 2);
    CHECK(read_file(a / "events.jsonl") == read_file(b / "events.jsonl"));
    CHECK(read_file(a / "metrics.csv") == read_file(b / "metrics.csv"));
    CHECK(summary_of(a)["params_hash"] == summary_of(b)["params_hash"]);
  }
}

TEST_CASE("cluster scenarios: what the loader refuses", "[cluster][scenario]") {
  const json base = four_workers("out/x", {{"name", "co2"}});
  auto error_of = [](const json& doc) {
    try {
      load_scenario(doc, "c.json");
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  json hier = base;
  hier["algorithm"]["allreduce"] = "hierarchical";
  CHECK(error_of(hier).find("/algorithm/allreduce: expected") != std::string::npos);
  json custom = base;
  custom["workload"]["model"] = "custom";
  custom["workload"]["custom_model"] = {{"params", 1e9}, {"train_flops_per_sample", 1e12}};
  CHECK(error_of(custom).find("/training: expected \"analytic\"") != std::string::npos);
  json no_spec = base;
  no_spec["training"] = "analytic";
  no_spec["workload"]["model"] = "custom";
  CHECK(error_of(no_spec).find("/workload/custom_model: expected") != std::string::npos);
  json fl_key = base;
  fl_key["algorithm"]["clients_per_round"] = 2;
  CHECK(error_of(fl_key).find("no \"clients_per_round\" with algorithm \"co2\"") != std::string::npos);
  json clip = base;
  clip["algorithm"]["name"] = "co2-code";
  clip["algorithm"]["outer_clip"] = 1.0;  // the code never clips: the key means nothing there
  CHECK(error_of(clip).find("/algorithm/outer_clip") != std::string::npos);
  json both = base;
  both["platform"]["cluster"] = {{"nodes", 1}, {"gpus_per_node", 2}, {"gpu_speed", "1Tf"},
                                 {"intra_node", {{"bandwidth", "1GBps"}}}, {"inter_node", {{"bandwidth", "1GBps"}}}};
  CHECK(error_of(both).find("/platform/classes: expected no device classes with a cluster") != std::string::npos);

  // Defaults: the schema's and the struct's are one fact.
  const Scenario s = load_scenario(base, "c.json");
  const AlgorithmSpec d;
  CHECK(s.algorithm.inner_steps == d.inner_steps);
  CHECK(s.algorithm.allreduce == d.allreduce);
  CHECK(s.algorithm.outer_lr == d.outer_lr);
  CHECK(s.algorithm.outer_momentum == d.outer_momentum);
  CHECK(s.algorithm.gap_penalty == d.gap_penalty);
  CHECK(s.algorithm.gap_lambda == d.gap_lambda);
  CHECK(s.algorithm.outer_clip == d.outer_clip);
  CHECK(s.algorithm.outer_staleness == d.outer_staleness);
  CHECK(s.algorithm.clients_per_round == 4);  // every device is a worker
  CHECK_FALSE(s.resolved["algorithm"].contains("server_lr"));
}

// Decentralized rounds end to end: whole runs of the flemu binary on tiny graphs whose
// exchange times are computed by hand (exact network), the outputs (consensus distance,
// node accuracies, traffic per node, topology.json, spectra in summary.json), devices that
// go off, determinism across worker counts, and the loader's errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "test_support.hpp"
#include "workloads/models/model_info.hpp"

using namespace flemu;
using namespace flemu::test;
using nlohmann::json;

namespace {

const double kModelBytes = double(describe_model(ModelKind::Mlp).bytes);
const double kTrainFlopsPerSample = describe_model(ModelKind::Mlp).train_flops_per_sample;

/// n identical devices (1 Gf, 1 core, uplink 8 Mbps = 1 MB/s, downlink 80 Mbps, 10 ms) on the
/// exact network, synthetic data, `algorithm` on `kind`.
json gossip_scenario(const std::filesystem::path& out, const std::string& algorithm, const std::string& kind, int n) {
  json j = json::parse(R"({
    "name": "gossip", "seed": 3,
    "platform": {"network": "exact",
                 "classes": [{"name": "node", "count": 8, "speed": "1Gf", "uplink": "8Mbps", "downlink": "80Mbps",
                              "latency": "10ms"}]},
    "workload": {"dataset": "synthetic", "model": "mlp", "samples_per_client": 40,
                 "partition": {"scheme": "dirichlet", "alpha": 0.5}},
    "algorithm": {"name": "dfedavg", "local_epochs": 1, "batch_size": 20, "lr": 0.05},
    "stop": {"rounds": 3}
  })");
  j["platform"]["classes"][0]["count"] = n;
  j["platform"]["topology"] = {{"kind", kind}};
  j["algorithm"]["name"] = algorithm;
  j["output"]["directory"] = out.string();
  return j;
}

std::filesystem::path run_ok(const json& j, const std::string& tag, int jobs = 1) {
  const auto path = scratch_dir(tag) / "scenario.json";
  write_file(path, j.dump(2));
  auto r = run_flemu("run --quiet --jobs " + std::to_string(jobs) + " " + path.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return j["output"]["directory"].get<std::string>();
}

std::string run_error(const json& j, const std::string& tag) {
  const auto path = scratch_dir(tag) / "scenario.json";
  write_file(path, j.dump(2));
  auto r = run_flemu("validate " + path.string());
  CHECK(r.exit_code != 0);
  return r.output;
}

std::vector<json> events_of(const std::filesystem::path& out, const std::string& kind) {
  std::vector<json> ev;
  std::istringstream in(read_file(out / "events.jsonl"));
  for (std::string line; std::getline(in, line);) {
    auto e = json::parse(line);
    if (e["kind"] == kind) ev.push_back(e);
  }
  return ev;
}

}  // namespace

TEST_CASE("dfedavg on a ring: exchange times, traffic, consensus and node accuracies", "[e2e][decentralized]") {
  const auto out = scratch_dir("dfedavg-ring") / "out";
  const auto dir = run_ok(gossip_scenario(out, "dfedavg", "ring", 6), "dfedavg-ring");
  // Train: 40 samples x flops on 1 Gf. Exchange: each node sends 2 models at once over its
  // 1 MB/s uplink (each flow gets half of it: contention), the 10 MB/s downlinks are not the
  // bottleneck; latency 10 ms on each side.
  const double train = 40 * kTrainFlopsPerSample / 1e9;
  const double exchange = 0.010 + 0.010 + 2 * kModelBytes / 1e6;
  for (const auto& e : events_of(dir, "train"))
    CHECK(e["t"].get<double>() - e["t0"].get<double>() == Approx(train).epsilon(1e-9));
  const auto gossip = events_of(dir, "gossip");
  REQUIRE(gossip.size() == 6 * 3);
  for (const auto& e : gossip) {
    CHECK(e["t"].get<double>() - e["t0"].get<double>() == Approx(exchange).epsilon(1e-9));
    CHECK(e["count"] == 2);
    CHECK(e["bytes"].get<double>() == 2 * kModelBytes);
  }
  const auto summary = json::parse(read_file(dir / "summary.json"));
  CHECK(summary["simulated_time_s"].get<double>() == Approx(3 * (train + exchange)).epsilon(1e-9));
  CHECK(summary["traffic"]["messages_sent"]["total"] == 6 * 3 * 2);
  CHECK(summary["traffic"]["bytes_sent"]["max"].get<double>() == 3 * 2 * kModelBytes);
  // Ring of 6 with Metropolis-Hastings (= 1/3): lambda_2(W) = (1 + 2 cos(2 pi / 6)) / 3 = 2/3.
  CHECK(summary["graph"]["topology"] == "ring");
  CHECK(summary["graph"]["mixing"] == "metropolis-hastings");
  CHECK(summary["graph"]["spectra"]["gap"].get<double>() == Approx(1.0 / 3).epsilon(1e-12));
  CHECK(summary["graph"]["spectra"]["lambda_mix"].get<double>() > 0);

  const auto rows = read_csv(dir / "metrics.csv");
  REQUIRE(rows.size() == 3);
  for (const auto& r : rows) {
    CHECK(std::stod(r.at("consensus_distance")) > 0);  // non-IID nodes drift apart
    CHECK(r.at("messages") == "12");
    CHECK(std::stod(r.at("bytes_up")) == 12 * kModelBytes);
    CHECK(std::stod(r.at("node_accuracy_min")) <= std::stod(r.at("node_accuracy_mean")));
    CHECK(std::stod(r.at("node_accuracy_mean")) <= std::stod(r.at("node_accuracy_max")));
    CHECK(!r.at("accuracy").empty());
  }
  const auto nodes = read_csv(dir / "nodes.csv");
  CHECK(nodes.size() == 6 * 3);
  CHECK(nodes.back().at("messages") == "6");
  CHECK(nodes.back().at("state") == "on");
  const auto topo = json::parse(read_file(dir / "topology.json"));
  CHECK(topo["edge_list"].size() == 6);
  CHECK(topo["node_names"][0] == "node-0");
}

TEST_CASE("dpsgd overlaps its exchange with its computation", "[e2e][decentralized]") {
  const auto out = scratch_dir("dpsgd") / "out";
  json s = gossip_scenario(out, "dpsgd", "ring", 4);
  s["training"] = "analytic";
  s["algorithm"]["local_steps"] = 1;
  const auto dir = run_ok(s, "dpsgd");
  const double train = 20 * kTrainFlopsPerSample / 1e9;  // one minibatch of 20
  const double exchange = 0.020 + 2 * kModelBytes / 1e6;
  const auto summary = json::parse(read_file(dir / "summary.json"));
  CHECK(summary["simulated_time_s"].get<double>() == Approx(3 * std::max(train, exchange)).epsilon(1e-9));
  const auto gossip = events_of(dir, "gossip");
  const auto train_ev = events_of(dir, "train");
  REQUIRE(gossip.size() == 12);
  CHECK(gossip[0]["t0"] == train_ev[0]["t0"]);
}

TEST_CASE("direct peer links: an exchange takes the edge's own latency and rate", "[e2e][decentralized]") {
  const auto out = scratch_dir("direct") / "out";
  json s = gossip_scenario(out, "dfedavg", "complete", 4);
  s["training"] = "analytic";
  s["platform"]["topology"]["links"] = "direct";
  s["platform"]["topology"]["bandwidth"] = "16Mbps";  // 2 MB/s per edge and direction
  s["platform"]["topology"]["latency"] = "5ms";
  s["stop"]["rounds"] = 1;
  const auto dir = run_ok(s, "direct");
  for (const auto& e : events_of(dir, "gossip")) {
    CHECK(e["t"].get<double>() - e["t0"].get<double>() == Approx(0.005 + kModelBytes / 2e6).epsilon(1e-9));
    CHECK(e["count"] == 3);
  }
}

TEST_CASE("a device that is off is skipped: its neighbours renormalise, it keeps its model", "[e2e][decentralized]") {
  const auto out = scratch_dir("gossip-churn") / "out";
  json s = gossip_scenario(out, "dfedavg", "torus", 9);
  s["training"] = "analytic";
  s["stop"]["rounds"] = 4;
  // Device 4 is off from the start until t = 1000 s.
  const auto trace = scratch_dir("gossip-churn-trace") / "availability.csv";
  write_file(trace, "device,time,state\nnode-4,0,off\nnode-4,1000,on\n");
  s["platform"]["availability_trace"] = trace.string();
  const auto dir = run_ok(s, "gossip-churn");
  for (const auto& e : events_of(dir, "round_start")) CHECK(e["count"] == 8);
  for (const auto& e : events_of(dir, "gossip")) {
    CHECK(e["client"] != 4);
    // Nodes 1, 3, 5, 7 (the neighbours of 4 on the 3 x 3 torus) talk to 3 nodes, the others to 4.
    const int c = e["client"];
    CHECK(e["count"] == (c == 1 || c == 3 || c == 5 || c == 7 ? 3 : 4));
  }
}

TEST_CASE("decentralized runs are byte-identical with 1 and 2 workers", "[e2e][decentralized][determinism]") {
  for (const std::string algo : {"dfedavg", "dpsgd"}) {
    const auto base = scratch_dir("gossip-det-" + algo);
    json a = gossip_scenario(base / "a", algo, "exponential", 8);
    json b = gossip_scenario(base / "b", algo, "exponential", 8);
    const auto da = run_ok(a, "det-a", 1), db = run_ok(b, "det-b", 2);
    CHECK(read_file(da / "events.jsonl") == read_file(db / "events.jsonl"));
    CHECK(read_file(da / "metrics.csv") == read_file(db / "metrics.csv"));
    CHECK(read_file(da / "nodes.csv") == read_file(db / "nodes.csv"));
  }
}

TEST_CASE("decentralized scenario errors name the path", "[decentralized][scenario]") {
  const auto out = scratch_dir("gossip-errors") / "out";
  json s = gossip_scenario(out, "dfedavg", "ring", 4);
  json no_topology = s;
  no_topology["platform"].erase("topology");
  CHECK_THAT(run_error(no_topology, "e1"), Catch::Contains("/platform/topology: expected a topology"));
  json server = s;
  server["algorithm"]["name"] = "fedavg";
  CHECK_THAT(run_error(server, "e2"), Catch::Contains("/platform/topology: expected no topology with algorithm \"fedavg\""));
  json er = s;
  er["platform"]["topology"] = {{"kind", "erdos-renyi"}, {"p", 0.01}};
  er["platform"]["classes"][0]["count"] = 40;
  CHECK_THAT(run_error(er, "e3"), Catch::Contains("/platform/topology: expected a connected graph, got"));
  json p_on_ring = s;
  p_on_ring["platform"]["topology"]["p"] = 0.5;
  CHECK_THAT(run_error(p_on_ring, "e4"),
             Catch::Contains("/platform/topology/p: expected no \"p\" with kind \"ring\""));
  json uniform_star = s;
  uniform_star["platform"]["topology"]["kind"] = "star";
  uniform_star["algorithm"]["mixing"] = "uniform";
  CHECK_THAT(run_error(uniform_star, "e5"), Catch::Contains("/algorithm/mixing: expected a regular graph"));
  json direct = s;
  direct["platform"]["topology"]["links"] = "direct";
  CHECK_THAT(run_error(direct, "e6"), Catch::Contains("/platform/topology/bandwidth: expected a rate"));
  json clients = s;
  clients["algorithm"]["clients_per_round"] = 2;
  CHECK_THAT(run_error(clients, "e7"), Catch::Contains("/algorithm/clients_per_round: expected no \"clients_per_round\""));
}

TEST_CASE("one-peer exponential graph: one message per node and round, to i + 2^((t-1) mod tau)",
          "[e2e][decentralized]") {
  const auto out = scratch_dir("one-peer") / "out";
  json s = gossip_scenario(out, "dfedavg", "one-peer-exponential", 8);
  s["training"] = "analytic";
  const auto dir = run_ok(s, "one-peer");
  const auto summary = json::parse(read_file(dir / "summary.json"));
  CHECK(summary["graph"]["mixing"] == "one-peer");
  CHECK(summary["graph"]["spectra"]["one_peer_period_contraction"].get<double>() < 1e-12);  // n = 8: exact
  CHECK(summary["traffic"]["messages_sent"]["total"] == 8 * 3);
  // One upload per node: the exchange takes latency + one model over the uplink.
  for (const auto& e : events_of(dir, "gossip")) {
    CHECK(e["count"] == 1);
    CHECK(e["t"].get<double>() - e["t0"].get<double>() == Approx(0.020 + kModelBytes / 1e6).epsilon(1e-9));
  }
  const auto resolved = json::parse(read_file(dir / "scenario.resolved.json"));
  CHECK(resolved["algorithm"]["mixing"] == "one-peer");
}

TEST_CASE("describe shows the graph, its mixing rule and spectra", "[decentralized][cli]") {
  const auto out = scratch_dir("describe-gossip") / "out";
  const auto path = scratch_dir("describe-gossip-s") / "scenario.json";
  write_file(path, gossip_scenario(out, "dfedavg", "torus", 16).dump(2));
  const auto r = run_flemu("describe " + path.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("topology: torus, 16 nodes, 32 edges, degree 4-4, 4 x 4"));
  CHECK_THAT(r.output, Catch::Contains("mixing: metropolis-hastings"));
  CHECK_THAT(r.output, Catch::Contains("spectral gap 1 - lambda = 0.4 "));
  CHECK_THAT(r.output, Catch::Contains("lambda_mix = 15.4919"));
}

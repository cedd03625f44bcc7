// Decentralized rounds end to end: whole runs of the flemu binary on tiny graphs whose
// exchange times are computed by hand (exact network), the outputs (consensus distance,
// node accuracies, traffic per node, topology.json, spectra in summary.json), devices that
// go off, determinism across worker counts, and the loader's errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "algorithms/decentralized/choco_sgd.hpp"
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
  for (const std::string algo :
       {"dfedavg", "dpsgd", "dfedavgm", "dfedsam", "dfedsam-mgs", "choco-sgd", "ad-psgd", "poisson-gossip", "dadao"}) {
    INFO(algo);
    const auto base = scratch_dir("gossip-det-" + algo);
    json a = gossip_scenario(base / "a", algo, "exponential", 8);
    if (algo == "ad-psgd" || algo == "poisson-gossip") {
      a["algorithm"] = {{"name", algo}, {"local_steps", 2}, {"batch_size", 20}, {"round_time", "1s"}};
      a["stop"] = {{"time", "3s"}};
    }
    if (algo == "dadao") {
      a["workload"] = {{"dataset", "synthetic-regression"}, {"model", "linear"}, {"samples_per_client", 50}};
      a["algorithm"] = {{"name", "dadao"}, {"dadao", {{"events", "resource"}}}};
      a["stop"] = {{"time", "5s"}};
    }
    json b = a;
    b["output"]["directory"] = (base / "b").string();
    const auto da = run_ok(a, "det-a", 1), db = run_ok(b, "det-b", 2);
    CHECK(read_file(da / "events.jsonl").size() > 1000);
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

TEST_CASE("edge-list topology with a direct link per edge: each exchange waits for its slowest edge",
          "[e2e][decentralized]") {
  const auto dir = scratch_dir("edge-list");
  // A path 0 - 1 - 2 - 3 and a chord 0 - 3, each edge with its own rate and latency.
  write_file(dir / "edges.csv",
             "a,b,bandwidth,latency\nnode-0,node-1,8MBps,10ms\n1,2,4MBps,20ms\nnode-2,node-3,2MBps,0ms\n0,3,1MBps,5ms\n");
  json s = gossip_scenario(dir / "out", "dfedavg", "edge-list", 4);
  s["training"] = "analytic";
  s["platform"]["topology"] = {{"kind", "edge-list"}, {"file", "edges.csv"}, {"links", "direct"}};
  s["stop"]["rounds"] = 1;
  write_file(dir / "scenario.json", s.dump(2));
  auto r = run_flemu("run --quiet " + (dir / "scenario.json").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto t = [](double lat, double rate) { return lat + kModelBytes / rate; };
  const std::map<int, double> expected = {{0, std::max(t(0.010, 8e6), t(0.005, 1e6))},
                                          {1, std::max(t(0.010, 8e6), t(0.020, 4e6))},
                                          {2, std::max(t(0.020, 4e6), t(0, 2e6))},
                                          {3, std::max(t(0, 2e6), t(0.005, 1e6))}};
  const auto gossip = events_of(dir / "out", "gossip");
  REQUIRE(gossip.size() == 4);
  for (const auto& e : gossip)
    CHECK(e["t"].get<double>() - e["t0"].get<double>() == Approx(expected.at(e["client"].get<int>())).epsilon(1e-9));
  const auto topo = json::parse(read_file(dir / "out" / "topology.json"));
  CHECK(topo["edges"] == 4);
}

TEST_CASE("choco-sgd: the consensus step by hand, and Q = identity with gamma = 1 is DFedAvg", "[decentralized][choco]") {
  // x = (1, 2), own copy (0, 0) + q (1, 1); one neighbour with copy (2, 0) + q (0, 2), weight 1/2.
  const Params x{1, 2}, hat_own{0, 0}, q_own{1, 1}, hat_j{2, 0}, q_j{0, 2};
  const Params y = choco_consensus(x, 0.5, hat_own, q_own, {&hat_j}, {&q_j}, {0.5});
  // x + 0.5 * 0.5 * ((2, 2) - (1, 1)) = (1.25, 2.25)
  CHECK(y[0] == 1.25f);
  CHECK(y[1] == 2.25f);

  const auto base = scratch_dir("choco-identity");
  json avg = gossip_scenario(base / "avg", "dfedavg", "ring", 6);
  json choco = gossip_scenario(base / "choco", "choco-sgd", "ring", 6);
  choco["algorithm"]["choco"] = {{"consensus_step", 1.0}, {"codec", {{"name", "none"}}}};
  const auto da = run_ok(avg, "choco-a"), dc = run_ok(choco, "choco-c");
  const auto ra = read_csv(da / "metrics.csv"), rc = read_csv(dc / "metrics.csv");
  REQUIRE(ra.size() == rc.size());
  for (size_t k = 0; k < ra.size(); ++k) {
    CHECK(std::stod(rc[k].at("consensus_distance")) == Approx(std::stod(ra[k].at("consensus_distance"))).epsilon(1e-4));
    CHECK(std::stod(rc[k].at("node_accuracy_mean")) == Approx(std::stod(ra[k].at("node_accuracy_mean"))).margin(0.01));
  }
}

TEST_CASE("choco-sgd with top-k: the codec's payload crosses the links", "[e2e][decentralized][choco]") {
  const auto out = scratch_dir("choco-topk") / "out";
  json s = gossip_scenario(out, "choco-sgd", "ring", 6);
  s["algorithm"]["choco"] = {{"consensus_step", 0.2}, {"codec", {{"name", "topk"}, {"density", 0.01}}}};
  const auto dir = run_ok(s, "choco-topk");
  const auto gossip = events_of(dir, "gossip");
  REQUIRE(gossip.size() == 18);
  double largest = 0;
  for (const auto& e : gossip) largest = std::max(largest, e["bytes"].get<double>());
  for (const auto& e : gossip) {
    const double bytes = e["bytes"];
    // 1% of 199,210 values with their indices: a few kB, not 800 kB.
    CHECK(bytes < 2 * 0.05 * kModelBytes);
    CHECK(bytes > 2 * 0.01 * 199210 * 4);
    // Two messages share the 1 MB/s uplink: latency on both sides plus the bytes; the exchange
    // also waits for the neighbours' messages, whose sizes (index coding) differ a little.
    const double took = e["t"].get<double>() - e["t0"].get<double>();
    CHECK(took >= 0.020 + bytes / 1e6 - 1e-12);
    CHECK(took <= 0.020 + largest / 1e6 + 1e-4);
  }
  const auto rows = read_csv(dir / "metrics.csv");
  CHECK(std::stod(rows.back().at("accuracy")) > 0.3);
  json analytic = s;
  analytic["training"] = "analytic";
  CHECK_THAT(run_error(analytic, "choco-analytic"), Catch::Contains("/training: expected \"real\" with choco-sgd"));
}

TEST_CASE("dfedsam-mgs on the complete graph with W = J: Q = 2 gives the same models as Q = 1, bit for bit",
          "[e2e][decentralized][dfedsam]") {
  const auto base = scratch_dir("mgs-complete");
  auto run = [&](int q) {
    json s = gossip_scenario(base / ("q" + std::to_string(q)), "dfedsam-mgs", "complete", 6);
    s["algorithm"]["gossip_steps"] = q;
    s["algorithm"]["rho"] = 0.05;
    s["algorithm"]["mixing"] = "uniform";
    return run_ok(s, "mgs-" + std::to_string(q));
  };
  const auto one = run(1), two = run(2);
  const auto r1 = read_csv(one / "metrics.csv"), r2 = read_csv(two / "metrics.csv");
  REQUIRE(r1.size() == 3);
  REQUIRE(r2.size() == 3);
  for (size_t k = 0; k < r1.size(); ++k) {
    for (const char* col : {"accuracy", "loss", "train_loss", "consensus_distance", "node_accuracy_mean",
                            "node_accuracy_min", "node_accuracy_max"})
      CHECK(r1[k].at(col) == r2[k].at(col));
    CHECK(std::stod(r2[k].at("messages")) == 2 * std::stod(r1[k].at("messages")));  // two real exchanges
    CHECK(std::stod(r2[k].at("time_s")) > std::stod(r1[k].at("time_s")));
  }
  CHECK(r1.back().at("consensus_distance") == "0");  // J: every node holds the average
  const auto n1 = read_csv(one / "nodes.csv"), n2 = read_csv(two / "nodes.csv");
  REQUIRE(n1.size() == n2.size());
  for (size_t k = 0; k < n1.size(); ++k) CHECK(n1[k].at("loss") == n2[k].at("loss"));
  // On a ring, Q matters: more mixing, nodes closer together.
  json ring1 = gossip_scenario(base / "ring1", "dfedsam-mgs", "ring", 6), ring4 = ring1;
  ring1["algorithm"]["gossip_steps"] = 1;
  ring4["algorithm"]["gossip_steps"] = 4;
  ring4["output"]["directory"] = (base / "ring4").string();
  const auto c1 = read_csv(run_ok(ring1, "mgs-r1") / "metrics.csv"), c4 = read_csv(run_ok(ring4, "mgs-r4") / "metrics.csv");
  CHECK(std::stod(c4.back().at("consensus_distance")) < std::stod(c1.back().at("consensus_distance")));
}

TEST_CASE("dfedsam charges two gradient evaluations per step, dfedavgm one", "[e2e][decentralized][dfedsam]") {
  const auto base = scratch_dir("sam-flops");
  for (const std::string algo : {"dfedavg", "dfedavgm", "dfedsam"}) {
    json s = gossip_scenario(base / algo, algo, "ring", 4);
    s["training"] = "analytic";
    s["stop"]["rounds"] = 1;
    const auto dir = run_ok(s, "flops-" + algo);
    const double train = (algo == "dfedsam" ? 2 : 1) * 40 * kTrainFlopsPerSample;
    for (const auto& e : events_of(dir, "train")) {
      CHECK(e["flops"].get<double>() == Approx(train));
      CHECK(e["t"].get<double>() - e["t0"].get<double>() == Approx(train / 1e9).epsilon(1e-9));
    }
  }
  json sam_regression = gossip_scenario(base / "r", "dfedsam", "ring", 4);
  sam_regression["workload"] = {{"dataset", "synthetic-regression"}, {"model", "linear"}, {"samples_per_client", 50}};
  CHECK_THAT(run_error(sam_regression, "sam-regression"), Catch::Contains("/algorithm/name: expected plain SGD local steps"));
}

TEST_CASE("dfedavgm: momentum 0 is dfedavg bit for bit; theta 0.9 moves the models", "[e2e][decentralized][dfedsam]") {
  const auto base = scratch_dir("dfedavgm");
  json plain = gossip_scenario(base / "plain", "dfedavg", "ring", 5);
  plain["algorithm"]["batch_size"] = 10;  // 4 local steps: momentum has something to carry
  json zero = plain, heavy = plain;
  zero["algorithm"]["name"] = heavy["algorithm"]["name"] = "dfedavgm";
  zero["algorithm"]["local_momentum"] = 0;
  zero["output"]["directory"] = (base / "zero").string();
  heavy["output"]["directory"] = (base / "heavy").string();  // local_momentum: the default 0.9
  const auto p = read_csv(run_ok(plain, "avgm-plain") / "metrics.csv");
  const auto z = read_csv(run_ok(zero, "avgm-zero") / "metrics.csv");
  const auto h = read_csv(run_ok(heavy, "avgm-heavy") / "metrics.csv");
  REQUIRE(p.size() == 3);
  REQUIRE(z.size() == 3);
  REQUIRE(h.size() == 3);
  for (size_t k = 0; k < p.size(); ++k)
    for (const char* col : {"accuracy", "loss", "train_loss", "consensus_distance"}) CHECK(p[k].at(col) == z[k].at(col));
  CHECK(h.back().at("train_loss") != p.back().at("train_loss"));
  CHECK(h.back().at("consensus_distance") != p.back().at("consensus_distance"));
  // The round's keys apply to the synchronous methods only: the pairwise ones would ignore them.
  json wd = gossip_scenario(base / "wd", "ad-psgd", "ring", 4);
  wd["algorithm"]["weight_decay"] = 0.001;
  CHECK_THAT(run_error(wd, "wd-adpsgd"), Catch::Contains("no \"weight_decay\" with algorithm \"ad-psgd\""));
  json m = gossip_scenario(base / "m", "dfedsam", "ring", 4);
  m["algorithm"]["local_momentum"] = 0.5;
  CHECK_THAT(run_error(m, "mom-dfedsam"), Catch::Contains("no \"local_momentum\" with algorithm \"dfedsam\""));
}

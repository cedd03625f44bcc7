// Whole runs of the flemu binary on tiny scenarios (SimGrid's engine is one per process, so
// each run is a subprocess): timing against the analytic formula, determinism, learning.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test_support.hpp"
#include "workloads/models/gating.hpp"
#include "workloads/models/model_info.hpp"

using namespace flemu;
using namespace flemu::test;
using nlohmann::json;

TEST_CASE("one round on a one-device platform takes latency + bytes/bandwidth + flops/speed", "[e2e][timing]") {
  const auto out = scratch_dir("timing") / "out";
  json s = tiny_scenario(out.string());
  s["training"] = "analytic";
  s["platform"]["classes"] = json::parse(
      R"([{"name": "d", "count": 1, "speed": "2Gf", "cores": 2, "uplink": "1Mbps", "downlink": "4Mbps", "latency": "30ms"}])");
  s["algorithm"]["clients_per_round"] = 1;
  s["algorithm"]["local_epochs"] = 3;
  s["stop"]["rounds"] = 1;
  auto r = run_flemu("run --quiet " + write_scenario(s, "timing").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);

  const auto m = describe_model(ModelKind::Mlp);
  const double bytes = double(m.bytes);
  const double flops = m.train_flops_per_sample * 200 * 3;
  const double download = 0.030 + bytes / (4e6 / 8), train = flops / (2e9 * 2), upload = 0.030 + bytes / (1e6 / 8);
  auto ev = read_events(out);
  double t_dl = -1, t_tr = -1, t_up = -1;
  for (const auto& e : ev) {
    if (e["kind"] == "download") t_dl = e["t"].get<double>() - e["t0"].get<double>();
    if (e["kind"] == "train") t_tr = e["t"].get<double>() - e["t0"].get<double>();
    if (e["kind"] == "upload") t_up = e["t"].get<double>() - e["t0"].get<double>();
  }
  CHECK(t_dl == Approx(download).epsilon(1e-6));
  CHECK(t_tr == Approx(train).epsilon(1e-6));
  CHECK(t_up == Approx(upload).epsilon(1e-6));
  auto summary = json::parse(read_file(out / "summary.json"));
  CHECK(summary["simulated_time_s"].get<double>() == Approx(download + train + upload).epsilon(1e-6));
  CHECK(summary["bytes_up"].get<double>() == bytes);
  CHECK(summary["flops"].get<double>() == Approx(flops));
}

TEST_CASE("a scenario run twice gives byte-identical traces and metrics; another seed does not", "[e2e][determinism]") {
  const auto base = scratch_dir("determinism");
  auto run = [&](const std::string& name, int seed, int jobs) {
    json s = tiny_scenario((base / name).string());
    s["seed"] = seed;
    auto r = run_flemu("run --quiet --jobs " + std::to_string(jobs) + " " + write_scenario(s, name).string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    return base / name;
  };
  auto a = run("a", 5, 1), b = run("b", 5, 2), c = run("c", 6, 2);
  // Different output dirs, same content: also proves the worker count does not matter.
  CHECK(read_file(a / "events.jsonl") == read_file(b / "events.jsonl"));
  CHECK(read_file(a / "metrics.csv") == read_file(b / "metrics.csv"));
  CHECK(read_file(a / "events.jsonl") != read_file(c / "events.jsonl"));
  CHECK(read_file(a / "metrics.csv") != read_file(c / "metrics.csv"));
  auto sa = json::parse(read_file(a / "summary.json")), sb = json::parse(read_file(b / "summary.json"));
  CHECK(sa["events_hash"] == sb["events_hash"]);
  CHECK(sa["scenario_hash"] == sb["scenario_hash"]);
}

TEST_CASE("real and analytic training give the same event timeline", "[e2e][analytic]") {
  const auto base = scratch_dir("analytic");
  auto strip = [](std::vector<json> ev) {
    // What only learning produces: accuracies, losses, and how many test samples were scored.
    for (auto& e : ev) {
      e.erase("accuracy"), e.erase("loss");
      if (e["kind"] == "evaluate") e.erase("count");
    }
    return ev;
  };
  json real = tiny_scenario((base / "real").string());
  json analytic = real;
  analytic["training"] = "analytic";
  analytic["output"]["directory"] = (base / "analytic").string();
  REQUIRE(run_flemu("run --quiet " + write_scenario(real, "real").string()).exit_code == 0);
  REQUIRE(run_flemu("run --quiet " + write_scenario(analytic, "an").string()).exit_code == 0);
  auto er = strip(read_events(base / "real")), ea = strip(read_events(base / "analytic"));
  CHECK(er.size() > 10);
  CHECK(er == ea);
}

TEST_CASE("stacked clients give the same timeline and nearly the same model", "[e2e][stacked]") {
  const auto base = scratch_dir("stacked");
  json s = tiny_scenario((base / "plain").string());
  s["algorithm"]["clients_per_round"] = 4;
  json t = s;
  t["output"]["directory"] = (base / "stacked").string();
  REQUIRE(run_flemu("run --quiet --stack-clients 0 " + write_scenario(s, "plain").string()).exit_code == 0);
  auto r = run_flemu("run --quiet --stack-clients 1 " + write_scenario(t, "stacked").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  auto strip = [](std::vector<json> ev) {
    std::vector<json> out;
    for (auto& e : ev) {
      e.erase("accuracy"), e.erase("loss");
      out.push_back(e);
    }
    return out;
  };
  CHECK(strip(read_events(base / "plain")) == strip(read_events(base / "stacked")));
  const double a = json::parse(read_file(base / "plain" / "summary.json"))["final_accuracy"];
  const double b = json::parse(read_file(base / "stacked" / "summary.json"))["final_accuracy"];
  CHECK(std::abs(a - b) <= 0.01);  // float rounding differs; 3 rounds keep it small
}

TEST_CASE("FedAvg on real Fashion-MNIST beats chance", "[e2e][learning]") {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    WARN("Fashion-MNIST not installed (package dataset-fashion-mnist): skipped");
    return;
  }
  const auto out = scratch_dir("learning") / "out";
  json s = tiny_scenario(out.string());
  s["workload"]["dataset"] = "fashion-mnist";
  s["workload"]["samples_per_client"] = 500;
  s["evaluation"] = {{"every", 1}, {"test_samples", 2000}};
  auto r = run_flemu("run " + write_scenario(s, "learning").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("round 3/3") != std::string::npos);  // progress lines
  auto summary = json::parse(read_file(out / "summary.json"));
  CHECK(summary["final_accuracy"].get<double>() > 0.5);  // chance is 0.1
  // Metrics has one row per round and accuracy in each (evaluation every round).
  std::istringstream csv(read_file(out / "metrics.csv"));
  std::string line;
  int rows = 0;
  std::getline(csv, line);
  CHECK(line.rfind("round,time_s,", 0) == 0);
  while (std::getline(csv, line)) ++rows;
  CHECK(rows == 3);
}

TEST_CASE("a bad scenario fails before any work and writes no output", "[e2e][errors]") {
  const auto out = scratch_dir("bad") / "out";
  json s = tiny_scenario(out.string());
  s["platform"]["classes"][1]["bandwidth"] = "fast";
  const auto path = write_scenario(s, "bad");
  auto r = run_flemu("run " + path.string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains(path.string() + ": /platform/classes/1/bandwidth: expected"));
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK(run_flemu("validate " + path.string()).exit_code == 2);
}

TEST_CASE("a number out of range is a clear error at every reader, never a crash", "[e2e][errors]") {
  // nlohmann throws out_of_range for 1e400; every reader catches it and names the place.
  const auto dir = scratch_dir("number-range");
  const std::string bad = (source_dir() / "tests" / "data" / "bad_scenarios" / "number_out_of_range.json").string();
  const std::string message = bad + ": /algorithm/lr: expected a number a double can hold (magnitude below 1.8e308)";
  for (const std::string& cmd : {"validate " + bad, "run " + bad + " -o " + (dir / "out").string(),
                                 "describe " + bad, "analytics " + bad + " -o " + (dir / "maths").string()}) {
    INFO(cmd);
    const auto r = run_flemu(cmd);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("error: " + message));
  }
  // A sweep file.
  std::filesystem::copy_file(source_dir() / "scenarios" / "quickstart.json", dir / "s.json");
  write_file(dir / "sweep.json", R"({"base": "s.json", "grid": {"/algorithm/lr": [0.01, 1e400]}})");
  for (const std::string& cmd : {"validate ", "sweep "}) {
    const auto r = run_flemu(cmd + (dir / "sweep.json").string());
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains((dir / "sweep.json").string() +
                                         ": /grid/~1algorithm~1lr/1: expected a number a double can hold"));
  }
  // A run's outputs read by `flemu report`.
  const auto run = dir / "run";
  std::filesystem::create_directories(run);
  for (const auto& e : std::filesystem::directory_iterator(source_dir() / "tests" / "data" / "report_run"))
    std::filesystem::copy_file(e.path(), run / e.path().filename());
  write_file(run / "summary.json", "{\"rounds\": 1e400}\n");
  const auto r = run_flemu("report " + run.string() + " -o " + (dir / "r.html").string());
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains((run / "summary.json").string() + ":1: expected a JSON object"));
  CHECK_FALSE(std::filesystem::exists(dir / "out"));
  CHECK_FALSE(std::filesystem::exists(dir / "maths"));
  CHECK_FALSE(std::filesystem::exists(dir / "r.html"));
}

TEST_CASE("validate and describe", "[e2e][cli]") {
  const auto src = source_dir() / "scenarios" / "quickstart.json";
  auto v = run_flemu("validate " + src.string());
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.output, Catch::Contains("valid"));
  auto d = run_flemu("describe " + src.string());
  CHECK(d.exit_code == 0);
  CHECK_THAT(d.output, Catch::Contains("phone"));
  CHECK_THAT(d.output, Catch::Contains("edge-gpu"));
  CHECK_THAT(d.output, Catch::Contains("20 devices"));
  auto b = run_flemu("describe " + (source_dir() / "scenarios" / "battery-drain.base.json").string());
  CHECK(b.exit_code == 0);
  CHECK_THAT(b.output, Catch::Contains("battery: 60 J, starts at 100%, floor 5%"));
}

TEST_CASE("every local rule: --jobs 1 and 2 give byte-identical traces, and it learns", "[e2e][determinism][local_rule]") {
  // Real training on synthetic data, 2 rounds: the client state, the server state and the
  // executor's vector maths must not depend on how many jobs run at once.
  const auto base = scratch_dir("rules-determinism");
  for (const std::string name : {"fedavg", "fedprox", "fedsam", "scaffold", "feddyn", "fedcm", "mofedsam", "fedgamma",
                                 "fedspeed", "fedsmoo", "fedadam", "fedyogi", "fedavgm", "pfedgate"}) {
    INFO(name);
    auto run = [&](int jobs) {
      const auto dir = base / (name + "-" + std::to_string(jobs));
      json s = tiny_scenario(dir.string());
      s["algorithm"]["name"] = name;
      s["algorithm"]["weight_decay"] = 1e-3;
      s["algorithm"]["clip_norm"] = 10;
      if (name == "fedadam" || name == "fedyogi") s["algorithm"]["server_lr"] = 0.1;  // 1 overshoots
      s["stop"]["rounds"] = 2;
      auto r = run_flemu("run --quiet --jobs " + std::to_string(jobs) + " " + write_scenario(s, name).string());
      INFO(r.output);
      REQUIRE(r.exit_code == 0);
      return dir;
    };
    const auto a = run(1), b = run(2);
    CHECK(read_file(a / "events.jsonl") == read_file(b / "events.jsonl"));
    CHECK(read_file(a / "metrics.csv") == read_file(b / "metrics.csv"));
    const auto summary = json::parse(read_file(a / "summary.json"));
    // It learns (10 classes: chance is 0.1; FedCM's first round moves at a tenth of the lr).
    CHECK(summary["best_accuracy"].get<double>() > 0.15);
    CHECK(std::isfinite(summary["final_loss"].get<double>()));
    CHECK(summary["best_accuracy"].get<double>() >= summary["final_accuracy"].get<double>());
    // Per-client state: only for the clients that trained, of the declared size.
    const auto& state = summary["state"];
    const int64_t d_bytes = summary["model"]["bytes"];
    const size_t slots = state["client_slots"].size();
    // pFedGate keeps θ's momentum (d) and, beside it, the gate and the gate's momentum.
    const auto mlp = describe_model(ModelKind::Mlp);
    const int64_t per_client = name == "pfedgate"
                                   ? d_bytes + 4 * (gate_state_size(mlp, 5) + gate_trainable_size(mlp, 5))
                                   : int64_t(slots) * d_bytes;
    CHECK(state["client_bytes"].get<int64_t>() == per_client * state["clients_with_state"].get<int64_t>());
    if (slots > 0) CHECK(state["clients_with_state"].get<int>() >= 3);
  }
}

TEST_CASE("time and bytes follow the rule: SAM steps double the flops, SCAFFOLD the bytes", "[e2e][local_rule]") {
  const auto base = scratch_dir("rules-cost");
  auto run = [&](const std::string& name) {
    json s = tiny_scenario((base / name).string());
    s["training"] = "analytic";
    s["platform"]["classes"] = json::parse(
        R"([{"name": "d", "count": 1, "speed": "2Gf", "cores": 2, "uplink": "1Mbps", "downlink": "4Mbps", "latency": "30ms"}])");
    s["algorithm"]["name"] = name;
    s["algorithm"]["clients_per_round"] = 1;
    s["stop"]["rounds"] = 2;
    auto r = run_flemu("run --quiet " + write_scenario(s, name).string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    return json::parse(read_file(base / name / "summary.json"));
  };
  const auto avg = run("fedavg"), sam = run("fedsam"), scaffold = run("scaffold"), cm = run("fedcm"),
             speed = run("fedspeed"), smoo = run("fedsmoo");
  const double model = avg["model"]["bytes"];
  CHECK(avg["bytes_up"].get<double>() == 2 * model);  // 2 rounds
  CHECK(avg["bytes_down"].get<double>() == 2 * model);
  CHECK(sam["flops"].get<double>() == Approx(2 * avg["flops"].get<double>()));
  CHECK(sam["bytes_up"] == avg["bytes_up"]);
  CHECK(speed["flops"].get<double>() == Approx(2 * avg["flops"].get<double>()));
  CHECK(speed["bytes_up"] == avg["bytes_up"]);  // FedSpeed: 1x, like FedAvg
  CHECK(speed["bytes_down"] == avg["bytes_down"]);
  CHECK(scaffold["bytes_up"].get<double>() == 2 * avg["bytes_up"].get<double>());
  CHECK(scaffold["bytes_down"].get<double>() == 2 * avg["bytes_down"].get<double>());
  CHECK(scaffold["flops"] == avg["flops"]);
  CHECK(cm["bytes_down"].get<double>() == 2 * avg["bytes_down"].get<double>());
  CHECK(cm["bytes_up"] == avg["bytes_up"]);
  CHECK(smoo["bytes_up"].get<double>() == 2 * avg["bytes_up"].get<double>());
  // The simulated time follows: a SAM round computes twice as long on the same device.
  CHECK(sam["simulated_time_s"].get<double>() > avg["simulated_time_s"].get<double>());
  CHECK(scaffold["simulated_time_s"].get<double>() > avg["simulated_time_s"].get<double>());
}

TEST_CASE("pFedGate: slow classes train smaller sub-models, and every client is scored on its own held-out split",
          "[e2e][pfedgate]") {
  const auto base = scratch_dir("pfedgate");
  auto run = [&](const std::string& name) {
    json s = tiny_scenario((base / name).string());
    s["algorithm"]["name"] = name;
    s["algorithm"]["clients_per_round"] = 4;
    if (name == "pfedgate") s["algorithm"]["budgets"] = {{"slow", 0.3}};
    s["evaluation"] = {{"per_client", {{"holdout", 0.2}}}};
    s["stop"]["rounds"] = 3;
    auto r = run_flemu("run --quiet --jobs 2 " + write_scenario(s, name).string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    return base / name;
  };
  const auto gate = run("pfedgate"), avg = run("fedavg");
  const auto summary = json::parse(read_file(gate / "summary.json"));
  const auto& pc = summary["per_client"];
  CHECK(pc["holdout"] == 0.2);
  CHECK(pc["clients_trained"] == 4);
  CHECK(pc["global"]["clients"] == 4);
  CHECK(pc["personalized"]["clients"] == 4);
  for (const char* which : {"global", "personalized"}) {
    CHECK(pc[which]["mean"].get<double>() >= 0.0);
    CHECK(pc[which]["p10"].get<double>() <= pc[which]["client_mean"].get<double>() + 1e-12);
    CHECK(pc[which]["per_class"].size() == 10);
  }
  // FedAvg has no personal models: the global model only, on the same held-out splits.
  const auto plain = json::parse(read_file(avg / "summary.json"));
  CHECK(plain["per_client"]["personalized"].is_null());
  CHECK(plain["per_client"]["global"]["clients"] == 4);
  // clients.csv: one line per client, 40 held-out samples each (0.2 of 200).
  std::istringstream csv(read_file(gate / "clients.csv"));
  std::string line;
  std::getline(csv, line);
  CHECK(line == "client,device,class,held_out,trained,global_accuracy,personal_accuracy");
  int lines = 0;
  while (std::getline(csv, line)) {
    ++lines;
    CHECK(line.find(",40,1,") != std::string::npos);
  }
  CHECK(lines == 4);
  // Simulated compute follows the real sub-model: per trained sample, a slow device (budget
  // 0.3) does fewer flops than a fast one (budget 1).
  double slow = 0, fast = 0;
  for (const auto& e : read_events(gate)) {
    if (e["kind"] != "train") continue;
    const double per_step = e["flops"].get<double>() / e["steps"].get<double>();
    (e["client"].get<int>() < 2 ? slow : fast) = per_step;
  }
  REQUIRE(slow > 0);
  REQUIRE(fast > 0);
  CHECK(slow < 0.7 * fast);
}

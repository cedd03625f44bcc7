// emulator/scenario_loader + platforms/device_population: good scenarios type correctly with
// their defaults; every bad scenario under tests/data/bad_scenarios fails with its exact text.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "emulator/config/scenario.hpp"
#include "emulator/cli/sweep.hpp"
#include "platforms/units.hpp"
#include "test_support.hpp"

using nlohmann::json;
using namespace flemu;
namespace fs = std::filesystem;

namespace {

std::string data_path(const std::string& name) {
  return (test::source_dir() / "tests" / "data" / name).string();
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

/// A small valid scenario, as a document the tests mutate.
json minimal() {
  return json::parse(R"({
    "seed": 1,
    "platform": {"classes": [{"name": "phone", "count": 2, "speed": "1Gf",
                              "bandwidth": "10Mbps", "latency": "10ms"}]},
    "workload": {"dataset": "synthetic", "model": "mlp", "samples_per_client": 50},
    "algorithm": {"name": "fedavg", "clients_per_round": 2},
    "stop": {"rounds": 1}})");
}

std::string error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("tiny_scenario.json loads with the right typed values", "[scenario]") {
  const Scenario s = load_scenario(data_path("tiny_scenario.json"));
  CHECK(s.name == "tiny");
  CHECK(s.source == data_path("tiny_scenario.json"));
  CHECK(s.seed == 7);
  CHECK(s.training == TrainingMode::Real);
  CHECK(s.compute_device == "cpu");
  CHECK(s.output_dir == "out/tiny");

  const PlatformSpec& p = s.platform;
  CHECK(p.network == NetworkModel::Exact);
  CHECK(p.server.speed_flops == 1e10);
  CHECK(p.server.cores == 2);
  CHECK(p.server.bandwidth_bytes_per_s == 1.25e8);
  CHECK(p.server.latency_s == 0.001);
  REQUIRE(p.classes.size() == 2);
  CHECK(p.classes[0].name == "phone");
  CHECK(p.classes[0].count == 3);
  CHECK(p.classes[0].speed_flops == 2e9);
  CHECK(p.classes[0].cores == 4);
  CHECK(p.classes[0].link.up_bytes_per_s == 625000.0);
  CHECK(p.classes[0].link.down_bytes_per_s == 2.5e6);
  CHECK(p.classes[0].link.latency_s == 0.03);
  CHECK(p.classes[0].jitter == 0.1);
  CHECK(p.classes[1].name == "laptop");
  CHECK(p.classes[1].cores == 1);   // default
  CHECK(p.classes[1].jitter == 0);  // default
  CHECK(p.classes[1].link.up_bytes_per_s == 1.25e7);
  CHECK(p.classes[1].link.down_bytes_per_s == 1.25e7);
  CHECK(p.devices.empty());
  CHECK(expand_devices(p, s.seed).size() == 4);

  CHECK(s.workload.dataset == "synthetic");
  CHECK(s.workload.model == ModelKind::Mlp);
  CHECK(s.workload.partition.scheme == PartitionScheme::Iid);  // default
  CHECK(s.workload.samples_per_client == 100);
  CHECK(s.algorithm.name == "fedavg");
  CHECK(s.algorithm.clients_per_round == 2);
  CHECK(s.algorithm.batch_size == 20);
  CHECK(s.algorithm.lr == 0.1);
  CHECK(s.stop.max_rounds == 2);
  CHECK(s.stop.max_time_s == 0);
  CHECK(s.stop.target_accuracy < 0);
}

TEST_CASE("omitted keys take the defaults documented in the C++ specs", "[scenario]") {
  // The schema's "default"s and the structs' initialisers are two statements of one fact.
  const Scenario s = load_scenario(minimal(), "somewhere/minimal.json");
  const AlgorithmSpec a;
  CHECK(s.algorithm.local_epochs == a.local_epochs);
  CHECK(s.algorithm.local_steps == a.local_steps);
  CHECK(s.algorithm.batch_size == a.batch_size);
  CHECK(s.algorithm.lr == a.lr);
  CHECK(s.algorithm.server_lr == a.server_lr);
  const ServerSpec server;
  CHECK(s.platform.server.speed_flops == server.speed_flops);
  CHECK(s.platform.server.cores == server.cores);
  CHECK(s.platform.server.bandwidth_bytes_per_s == server.bandwidth_bytes_per_s);
  CHECK(s.platform.server.latency_s == server.latency_s);
  CHECK(s.platform.network == PlatformSpec{}.network);
  const DeviceClassSpec cls;
  CHECK(s.platform.classes.at(0).cores == cls.cores);
  CHECK(s.platform.classes.at(0).jitter == cls.jitter);
  const EvaluationSpec eval;
  CHECK(s.evaluation.every_rounds == eval.every_rounds);
  CHECK(s.evaluation.test_samples == eval.test_samples);
  CHECK(s.workload.partition.scheme == PartitionSpec{}.scheme);
  CHECK(s.training == Scenario{}.training);
  CHECK(s.compute_device == Scenario{}.compute_device);
  CHECK(s.name == "minimal");  // the file stem
  CHECK(s.output_dir == "out/minimal");

  json shards = minimal();
  shards["workload"]["partition"] = {{"scheme", "shards"}};
  CHECK(load_scenario(shards, "s.json").workload.partition.shards_per_client ==
        PartitionSpec{}.shards_per_client);
}

TEST_CASE("resolved holds every default, in the input's shape, and reloads identically",
          "[scenario]") {
  const Scenario s = load_scenario(minimal(), "minimal.json");
  const json expected = json::parse(R"({
    "name": "minimal", "seed": 1, "training": "real", "device": "auto",
    "platform": {
      "network": "lv08",
      "server": {"speed": "10Gf", "cores": 1, "latency": "0s", "heartbeat": "1s", "link_solver": "auto"},
      "classes": [{"name": "phone", "count": 2, "speed": "1Gf", "cores": 1, "jitter": 0,
                   "jitter_step": 0,
                   "bandwidth": "10Mbps", "latency": "10ms"}],
      "devices": [], "link_changes": []},
    "workload": {"dataset": "synthetic", "model": "mlp", "partition": {"scheme": "iid"},
                 "samples_per_client": 50},
    "algorithm": {"name": "fedavg", "clients_per_round": 2, "local_epochs": 1, "local_steps": 0,
                  "batch_size": 32, "lr": 0.05, "server_lr": 1.0, "over_selection": 0,
                  "weight_decay": 0, "clip_norm": 0, "clip_scope": "corrected", "lr_decay": 1.0,
                  "participation": "uniform"},
    "evaluation": {"every": 1, "test_samples": 0},
    "stop": {"rounds": 1},
    "output": {"directory": "out/minimal"}})");
  CHECK(s.resolved == expected);

  // A resolved scenario is itself a valid scenario that resolves to itself.
  const Scenario again = load_scenario(s.resolved, "elsewhere.json");
  CHECK(again.resolved == s.resolved);
  CHECK(again.hash == s.hash);
  CHECK(again.name == "minimal");
}

TEST_CASE("scenario hash: 16 lowercase hex digits, stable, sensitive to content", "[scenario]") {
  const Scenario a = load_scenario(data_path("tiny_scenario.json"));
  CHECK(std::regex_match(a.hash, std::regex("^[0-9a-f]{16}$")));
  CHECK(load_scenario(data_path("tiny_scenario.json")).hash == a.hash);
  // Same document through the in-memory entry point: same resolved text, same hash.
  CHECK(load_scenario(read_json(data_path("tiny_scenario.json")), "x.json").hash == a.hash);
  // Golden value: XXH64 (seed 0) of resolved.dump() without "output"; changes only if
  // tiny_scenario.json, the schema's defaults or the resolved shape change, on any machine.
  CHECK(a.hash == "4d07c5887299e5f1");
  json elsewhere = read_json(data_path("tiny_scenario.json"));
  elsewhere["output"] = {{"directory", "/somewhere/else"}};
  CHECK(load_scenario(elsewhere, "x.json").hash == a.hash);

  json other_seed = read_json(data_path("tiny_scenario.json"));
  other_seed["seed"] = 8;
  CHECK(load_scenario(other_seed, "tiny.json").hash != a.hash);
  json spelled_default = read_json(data_path("tiny_scenario.json"));
  spelled_default["training"] = "real";  // already the default: same resolved, same hash
  CHECK(load_scenario(spelled_default, "tiny.json").hash == a.hash);
}

TEST_CASE("explicit devices inherit from their class and override it", "[scenario]") {
  json doc = minimal();
  doc["platform"]["classes"].push_back(json::parse(R"({"name": "tablet", "count": 0,
      "speed": "3Gf", "cores": 2, "uplink": "4Mbps", "downlink": "16Mbps", "latency": "20ms"})"));
  doc["platform"]["devices"] = json::parse(R"([
    {"name": "t-a", "class": "tablet"},
    {"name": "t-b", "class": "tablet", "speed": "6Gf", "uplink": "8Mbps"},
    {"name": "p-c", "class": "phone", "downlink": "1Mbps", "cores": 3},
    {"name": "solo", "speed": "1Tf", "bandwidth": "1Gbps", "latency": "1ms"}])");
  const Scenario s = load_scenario(doc, "inherit.json");
  const auto& d = s.platform.devices;
  REQUIRE(d.size() == 4);
  CHECK(d[0].class_name == "tablet");
  CHECK(d[0].speed_flops == 3e9);
  CHECK(d[0].cores == 2);
  CHECK(d[0].link.up_bytes_per_s == 5e5);
  CHECK(d[0].link.down_bytes_per_s == 2e6);
  CHECK(d[0].link.latency_s == 0.02);
  CHECK(d[1].speed_flops == 6e9);
  CHECK(d[1].link.up_bytes_per_s == 1e6);
  CHECK(d[1].link.down_bytes_per_s == 2e6);  // the class's downlink
  CHECK(d[2].cores == 3);
  CHECK(d[2].link.up_bytes_per_s == 1.25e6);  // from the class's "bandwidth"
  CHECK(d[2].link.down_bytes_per_s == 125000.0);
  CHECK(d[3].class_name.empty());
  CHECK(d[3].cores == 1);
  CHECK(d[3].speed_flops == 1e12);
  // The resolved document states each device completely.
  CHECK(s.resolved["platform"]["devices"][1] ==
        json::parse(R"({"name": "t-b", "class": "tablet", "speed": "6Gf", "cores": 2,
                        "uplink": "8Mbps", "downlink": "16Mbps", "latency": "20ms"})"));
  CHECK(s.resolved["platform"]["devices"][2]["uplink"] == "10Mbps");

  const auto all = expand_devices(s.platform, s.seed);
  REQUIRE(all.size() == 6);  // 2 phones, 0 tablets, 4 explicit
  CHECK(all[1].name == "phone-1");
  CHECK(all[2].name == "t-a");
  CHECK(all[5].name == "solo");
}

TEST_CASE("expand_devices: a jitter grid rounds each draw to its nearest step, inside the range",
          "[scenario][platform]") {
  PlatformSpec p;
  DeviceClassSpec phone;
  phone.name = "phone";
  phone.count = 2000;
  phone.speed_flops = 2e9;
  phone.link = {1e6, 4e6, 0.03};
  phone.jitter = 0.2;
  p.classes = {phone};
  const auto continuous = expand_devices(p, 42);
  p.classes[0].jitter_step = 0.01;
  const auto gridded = expand_devices(p, 42);
  REQUIRE(gridded.size() == continuous.size());
  std::set<double> factors;
  for (size_t i = 0; i < gridded.size(); ++i) {
    const double f = gridded[i].speed_flops / 2e9, c = continuous[i].speed_flops / 2e9;
    factors.insert(std::round(f * 1e6));
    CHECK(std::abs(f - c) <= 0.005 + 1e-12);  // the same draw, rounded: the nearest step
    CHECK(std::abs((f - 1) / 0.01 - std::round((f - 1) / 0.01)) < 1e-6);
    CHECK(f >= 0.8 - 1e-12);
    CHECK(f <= 1.2 + 1e-12);
    const double up = gridded[i].link.up_bytes_per_s / 1e6;
    CHECK(std::abs((up - 1) / 0.01 - std::round((up - 1) / 0.01)) < 1e-6);
  }
  CHECK(factors.size() == 41);  // -20..+20 steps, every one of them used by 2000 devices
  // A step that does not divide the range: the outermost steps stay inside it.
  p.classes[0].jitter_step = 0.15;
  for (const auto& d : expand_devices(p, 42)) {
    const double f = d.speed_flops / 2e9;
    CHECK((std::abs(f - 0.85) < 1e-12 || std::abs(f - 1) < 1e-12 || std::abs(f - 1.15) < 1e-12));
  }
}

TEST_CASE("jitter grid by default: 0.001, or the jitter when smaller; an explicit 0 stays continuous",
          "[scenario][platform]") {
  auto resolved_step = [](const json& jitter, const json& step) {
    json doc = minimal();
    doc["platform"]["classes"][0]["jitter"] = jitter;
    if (!step.is_null()) doc["platform"]["classes"][0]["jitter_step"] = step;
    const Scenario s = load_scenario(doc, "s.json");
    CHECK(s.resolved["platform"]["classes"][0]["jitter_step"].get<double>() == s.platform.classes[0].jitter_step);
    return s.platform.classes[0].jitter_step;
  };
  CHECK(resolved_step(0.2, nullptr) == kDefaultJitterStep);
  CHECK(kDefaultJitterStep == 0.001);
  CHECK(resolved_step(0.0004, nullptr) == 0.0004);
  CHECK(resolved_step(0, nullptr) == 0);
  CHECK(resolved_step(0.2, 0) == 0);
  CHECK(resolved_step(0.2, 0.01) == 0.01);
  // By default, every factor sits within 0.05% of its continuous draw.
  PlatformSpec p;
  DeviceClassSpec phone;
  phone.name = "phone";
  phone.count = 500;
  phone.speed_flops = 1e9;
  phone.link = {1e6, 4e6, 0.03};
  phone.jitter = 0.3;
  p.classes = {phone};
  const auto continuous = expand_devices(p, 7);
  p.classes[0].jitter_step = default_jitter_step(0.3);
  const auto gridded = expand_devices(p, 7);
  for (size_t i = 0; i < gridded.size(); ++i) {
    CHECK(std::abs(gridded[i].speed_flops / continuous[i].speed_flops - 1) <= 0.0005 / 0.7 + 1e-12);
    CHECK(std::abs(gridded[i].link.down_bytes_per_s / continuous[i].link.down_bytes_per_s - 1) <= 0.0005 / 0.7 + 1e-12);
  }
}

TEST_CASE("expand_devices: names, counts, jitter bounds, determinism", "[scenario][platform]") {
  PlatformSpec p;
  DeviceClassSpec phone;
  phone.name = "phone";
  phone.count = 200;
  phone.speed_flops = 2e9;
  phone.cores = 4;
  phone.link = {1e6, 4e6, 0.03};
  phone.jitter = 0.2;
  DeviceClassSpec server_class = phone;
  server_class.name = "rack";
  server_class.count = 3;
  server_class.jitter = 0;
  p.classes = {phone, server_class};
  DeviceSpec edge;
  edge.name = "edge";
  edge.speed_flops = 5e9;
  edge.link = {2e6, 2e6, 0.001};
  p.devices = {edge};

  const auto devices = expand_devices(p, 42);
  REQUIRE(devices.size() == 204);
  CHECK(devices[0].name == "phone-0");
  CHECK(devices[199].name == "phone-199");
  CHECK(devices[200].name == "rack-0");
  CHECK(devices[202].name == "rack-2");
  CHECK(devices[203].name == "edge");
  CHECK(devices[203].speed_flops == 5e9);  // explicit devices are not jittered
  CHECK(devices[203].class_name.empty());

  std::set<std::string> names;
  std::set<double> speeds;
  for (int i = 0; i < 200; ++i) {
    const DeviceSpec& d = devices[i];
    names.insert(d.name);
    speeds.insert(d.speed_flops);
    CHECK(d.class_name == "phone");
    CHECK(d.cores == 4);
    CHECK(d.speed_flops >= 0.8 * 2e9);
    CHECK(d.speed_flops <= 1.2 * 2e9);
    CHECK(d.link.up_bytes_per_s >= 0.8 * 1e6);
    CHECK(d.link.up_bytes_per_s <= 1.2 * 1e6);
    CHECK(d.link.down_bytes_per_s >= 0.8 * 4e6);
    CHECK(d.link.down_bytes_per_s <= 1.2 * 4e6);
    CHECK(d.link.latency_s == 0.03);
  }
  CHECK(names.size() == 200);
  CHECK(speeds.size() == 200);  // jitter does spread the devices
  // The spread uses the whole interval, not a sliver of it.
  CHECK(*speeds.begin() < 0.85 * 2e9);
  CHECK(*speeds.rbegin() > 1.15 * 2e9);
  for (int i = 200; i < 203; ++i) {
    CHECK(devices[i].speed_flops == 2e9);  // jitter 0: exactly the class values
    CHECK(devices[i].link.up_bytes_per_s == 1e6);
  }

  // Same spec and seed, same list; another seed, other draws.
  const auto again = expand_devices(p, 42);
  for (size_t i = 0; i < devices.size(); ++i) {
    CHECK(again[i].speed_flops == devices[i].speed_flops);
    CHECK(again[i].link.up_bytes_per_s == devices[i].link.up_bytes_per_s);
  }
  CHECK(expand_devices(p, 43)[0].speed_flops != devices[0].speed_flops);
  // Each device has its own stream: a class growing leaves existing devices unchanged.
  PlatformSpec bigger = p;
  bigger.classes[0].count = 300;
  CHECK(expand_devices(bigger, 42)[17].speed_flops == devices[17].speed_flops);
}

TEST_CASE("every bad scenario fails with its exact message", "[scenario]") {
  const std::string rate =
      "a positive rate like \"10Mbps\" (units: bps, kbps, Mbps, Gbps, Tbps, "
      "Bps, kBps, MBps, GBps, TBps, KiBps, MiBps, GiBps)";
  // The known algorithm keys, as the schema lists them (sorted): the list grows with every
  // algorithm that brings its own keys.
  std::string algorithm_keys;
  for (const auto& [key, _] : scenario_schema()["properties"]["algorithm"]["properties"].items())
    algorithm_keys += (algorithm_keys.empty() ? "" : ", ") + key;
  const std::map<std::string, std::string> expected = {
      {"bad_bandwidth", "/platform/devices/2/bandwidth: expected " + rate + ", got \"10 Mbs\""},
      {"unknown_key", "/algorithm/learning_rate: expected a known key, got \"learning_rate\"; known keys: " + algorithm_keys},
      {"missing_seed", "/seed: expected an integer >= 0 (required key)"},
      {"hh_no_party_class",
       "/algorithm/party_class: expected the name of a device class with count >= 1 whose devices serve the "
       "parties (\"party\" is none)"},
      {"hh_with_dataset",
       "/workload/dataset: expected no \"dataset\" with algorithm \"tap\": it applies to no algorithm of family "
       "\"analytics\""},
      {"hh_with_stop",
       "/stop/rounds: expected no stop criterion with algorithm \"taps\" (the run ends when the aggregator has "
       "the top-k)"},
      {"zo_without_objective", "/workload/objective: expected an object (required key)"},
      {"fedavg_with_items",
       "/workload/items: expected no \"items\" with algorithm \"fedavg\": it applies to pem, pem-local, tap and taps"},
      {"negative_count", "/platform/classes/0/count: expected an integer >= 0, got -3"},
      {"dirichlet_without_alpha",
       "/workload/partition/alpha: expected a number > 0 (required key)"},
      {"bad_partition_scheme",
       "/workload/partition/scheme: expected one of \"iid\", \"dirichlet\", \"shards\", \"categories\", got \"random\""},
      {"bad_dataset",
       "/workload/dataset: expected one of \"fashion-mnist\", \"synthetic\", \"synthetic-regression\", "
       "\"fortunes\", \"synthetic-text\", got \"mnist\""},
      {"dataset_typo",
       "/workload/dataset: expected one of \"fashion-mnist\", \"synthetic\", \"synthetic-regression\", "
       "\"fortunes\", \"synthetic-text\", got \"synthetc\"; did you mean \"synthetic\"?"},
      {"lr_beyond_float",
       "/algorithm/lr: expected a number a 32-bit float can hold (magnitude below 3.4e38): training runs in float32, "
       "got 1e+300"},
      {"number_out_of_range", "/algorithm/lr: expected a number a double can hold (magnitude below 1.8e308), got 1e400"},
      {"too_deep", "/description" + [] {
         std::string p;
         for (int i = 0; i < 63; ++i) p += "/0";
         return p;
       }() + ": expected at most 64 levels of nesting"},
      {"flapping_availability",
       "/platform/classes/0/availability/mean_on: expected a duration of at least \"1s\" (shorter on/off periods "
       "leave no time for a transfer and flood the run with events), got \"1us\""},
      {"resume_below_floor", "/platform/classes/0/battery/resume: expected a fraction above the floor (0.5), got 0.2"},
      {"syntax_error",
       "line 6, column 5: expected valid JSON (syntax error while parsing value - unexpected "
       "']'; expected '[', '{', or a literal)"},
      {"duplicate_key",
       "/platform/classes/1/speed: expected each key once (\"speed\" appears twice)"},
      {"too_many_clients",
       "/algorithm/clients_per_round: expected an integer <= 4 (the number of devices), got 5"},
      {"empty_stop", "/stop: expected at least one of rounds, time, target_accuracy"},
      {"unknown_class",
       "/platform/devices/0/class: expected one of \"phone\", \"laptop\" (the "
       "classes in /platform/classes), got \"tablet\""},
      {"duplicate_class",
       "/platform/classes/1/name: expected a unique class name (\"phone\" is "
       "already /platform/classes/0)"},
      {"duplicate_device",
       "/platform/devices/0/name: expected a unique device name (\"phone-1\" "
       "is already a device of class \"phone\")"},
      {"wrong_type", "/workload/samples_per_client: expected an integer >= 1, got \"100\""},
      {"bandwidth_and_uplink",
       "/platform/classes/1/uplink: expected either \"bandwidth\" or "
       "\"uplink\" and \"downlink\", not both"},
      {"uplink_without_downlink",
       "/platform/classes/0/downlink: expected " + rate + " (required key with \"uplink\")"},
      {"jitter_too_large", "/platform/classes/0/jitter: expected a number >= 0 and < 1, got 1"},
      {"jitter_step_too_large", "/platform/classes/0/jitter_step: expected a step no larger than jitter (0.1), got 0.2"},
      {"no_devices",
       "/platform: expected at least one device (a class with count >= 1 or an "
       "explicit device)"},
      {"zero_speed",
       "/platform/classes/0/speed: expected a positive flops value like \"2Gf\" "
       "(units: f, kf, Mf, Gf, Tf, Pf), got \"0Gf\""},
      {"negative_latency",
       "/platform/classes/1/latency: expected a duration like \"50ms\" "
       "(units: us, ms, s, min, h, d), got \"-5ms\""},
      {"device_without_latency",
       "/platform/devices/0/latency: expected a duration like \"50ms\" "
       "(units: us, ms, s, min, h, d) (required key without \"class\")"},
      {"analytic_accuracy_only",
       "/stop: expected rounds or time when training is \"analytic\" "
       "(it measures no accuracy)"},
      {"no_local_work", "/algorithm/local_epochs: expected an integer >= 1 when local_steps is 0, got 0"},
      {"key_typo",
       "/algorithm/client_per_round: expected a known key (did you mean \"clients_per_round\"?), got "
       "\"client_per_round\"; known keys: " + algorithm_keys},
      {"bad_class_name",
       "/platform/classes/0/name: expected a name of letters, digits, \"_\", "
       "\".\" and \"-\", starting with a letter or digit, got \"my phone\""},
  };

  // Every file has an expectation, so none is added untested.
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(data_path("bad_scenarios")))
    if (entry.path().extension() == ".json") files.insert(entry.path().stem().string());
  std::set<std::string> covered;
  for (const auto& [name, message] : expected) covered.insert(name);
  CHECK(files == covered);
  CHECK(files.size() >= 12);

  for (const auto& [name, message] : expected) {
    const std::string path = data_path("bad_scenarios/" + name + ".json");
    INFO(path);
    CHECK(error_of([&] { load_scenario(path); }) == path + ": " + message);
  }
}

TEST_CASE("file-level failures name the file", "[scenario]") {
  const std::string missing = data_path("no_such_scenario.json");
  CHECK(error_of([&] { load_scenario(missing); }) ==
        missing + ": expected an existing scenario file (no such file)");
  const std::string dir = data_path("bad_scenarios");
  CHECK(error_of([&] { load_scenario(dir); }) ==
        dir + ": expected a scenario file, not a directory");

  const auto scratch = test::scratch_dir("loader");
  const std::string empty = (scratch / "empty.json").string();
  std::ofstream(empty).close();
  CHECK(error_of([&] { load_scenario(empty); }) ==
        empty +
            ": line 1, column 1: expected valid JSON (syntax error while parsing value - "
            "unexpected end of input; expected '[', '{', or a literal)");
  const std::string array = (scratch / "array.json").string();
  std::ofstream(array) << "[1, 2]";
  CHECK(error_of([&] { load_scenario(array); }) == array + ": /: expected an object, got [1,2]");
  fs::remove_all(scratch);
}

TEST_CASE("in-memory documents get the same checks", "[scenario]") {
  json doc = minimal();
  doc["platform"]["classes"][0]["bandwidth"] = "fast";
  CHECK(error_of([&] { load_scenario(doc, "mem.json"); }) ==
        "mem.json: /platform/classes/0/bandwidth: expected a positive rate like \"10Mbps\" (units: "
        "bps, kbps, Mbps, Gbps, Tbps, Bps, kBps, MBps, GBps, TBps, KiBps, MiBps, GiBps), got \"fast\"");
  json big = minimal();
  big["platform"]["classes"][0]["count"] = 3000000000LL;
  CHECK(error_of([&] { load_scenario(big, "mem.json"); }) ==
        "mem.json: /platform/classes/0/count: expected an integer <= 2147483647, got 3000000000");
  json twice = minimal();
  twice["platform"]["devices"] = json::parse(R"([
    {"name": "phone-2", "class": "phone"}, {"name": "phone-02", "class": "phone"},
    {"name": "phone-02", "class": "phone"}])");  // phone-2 and phone-02 are free: count is 2
  CHECK(error_of([&] { load_scenario(twice, "mem.json"); }) ==
        "mem.json: /platform/devices/2/name: expected a unique device name (\"phone-02\" is "
        "already /platform/devices/1)");
  json dashed = minimal();
  dashed["platform"]["classes"][0]["name"] = "edge-gpu";
  dashed["platform"]["devices"] = {{{"name", "edge-gpu-1"}, {"class", "edge-gpu"}}};
  CHECK(error_of([&] { load_scenario(dashed, "mem.json"); }) ==
        "mem.json: /platform/devices/0/name: expected a unique device name (\"edge-gpu-1\" is "
        "already a device of class \"edge-gpu\")");
  json time_only = minimal();
  time_only["stop"] = {{"time", "90min"}, {"target_accuracy", 0.9}};
  const Scenario s = load_scenario(time_only, "mem.json");
  CHECK(s.stop.max_rounds == 0);
  CHECK(s.stop.max_time_s == 5400);
  CHECK(s.stop.target_accuracy == 0.9);
}

TEST_CASE("scenario schema: every key is described", "[scenario][schema]") {
  const json schema =
      read_json((test::source_dir() / "scenarios" / "scenario.schema.json").string());
  // Walks every "properties" map in the schema, including those in $defs and oneOf branches.
  std::vector<std::string> undocumented;
  std::function<void(const json&, const std::string&)> walk = [&](const json& node,
                                                                  const std::string& where) {
    if (!node.is_object()) return;
    if (!node.contains("description")) undocumented.push_back(where.empty() ? "(root)" : where);
    if (node.contains("properties"))
      for (const auto& [key, child] : node["properties"].items()) walk(child, where + "/" + key);
    if (node.contains("$defs"))
      for (const auto& [key, child] : node["$defs"].items()) walk(child, "$defs/" + key);
    if (node.contains("items")) walk(node["items"], where + "/items");
  };
  walk(schema, "");
  for (const auto& branch : schema["$defs"]["partition"]["oneOf"])
    for (const auto& [key, child] : branch["properties"].items())
      if (!child.contains("description")) undocumented.push_back("partition/" + key);
  // items are a bare $ref whose target carries the description.
  undocumented.erase(
      std::remove_if(undocumented.begin(), undocumented.end(),
                     [](const std::string& w) { return w.find("/items") != std::string::npos; }),
      undocumented.end());
  CHECK(undocumented == std::vector<std::string>{});
}

TEST_CASE("scenario schema: the algorithm catalog names every algorithm once, with a family",
          "[scenario][schema]") {
  const json& algorithm = scenario_schema()["properties"]["algorithm"];
  const json& catalog = algorithm["x-algorithms"];
  std::set<std::string> enum_names, catalog_names;
  for (const auto& n : algorithm["properties"]["name"]["enum"]) enum_names.insert(n.get<std::string>());
  for (const auto& [name, entry] : catalog.items()) {
    catalog_names.insert(name);
    INFO(name);
    CHECK(algorithm["x-families"].contains(entry["family"].get<std::string>()));
    CHECK(!entry["summary"].get<std::string>().empty());
    CHECK(!entry["paper"].get<std::string>().empty());
    CHECK(algorithm_family(name) == entry["family"]);
  }
  CHECK(enum_names == catalog_names);
  // Every "x-for" entry names an algorithm or a family: a typo there would silently make a
  // key an error for everyone.
  for (const auto& [key, prop] : algorithm["properties"].items())
    if (prop.contains("x-for"))
      for (const auto& who : prop["x-for"]) {
        INFO(key << ": " << who);
        CHECK((catalog.contains(who.get<std::string>()) || algorithm["x-families"].contains(who.get<std::string>())));
      }
  CHECK_THROWS_AS(algorithm_family("no-such-algorithm"), std::invalid_argument);
  CHECK(load_scenario(minimal(), "mem.json").algorithm.family == "sync");
}

TEST_CASE("scenario schema: unit patterns accept exactly what units.cpp parses",
          "[scenario][schema]") {
  const json defs =
      read_json((test::source_dir() / "scenarios" / "scenario.schema.json").string())["$defs"];
  const std::vector<std::string> samples = {
      "10Mbps",  "10 Mbps", "1.5Gbps", ".5kbps", "5.Bps",      "1e9bps",  "2E-3MBps",
      "1KiBps",  "3GiBps",  "1Tbps",   "1TBps",  "  7 MiBps ", "10",      "Mbps",
      "-1Mbps",  "+1Mbps",  "10 Mbs",  "10mbps", "1e5",        "nanMbps", "10Mbps!",
      "1,5Mbps", "0Mbps",   "2Gf",     "1e9f",   "7 f",        "3Pf",     "2G",
      "2gf",     "3eMf",    "50ms",    "250us",  "2min",       "3h",      "1d",
      "0s",      "5m",      "1hr",     "-5ms",   "1.5 s",      "1\tms"};
  struct Case {
    const char* def;
    units::Quantity q;
  };
  for (const Case& c : {Case{"positive_rate", units::Quantity::Rate},
                        Case{"positive_flops", units::Quantity::Flops},
                        Case{"duration", units::Quantity::Duration}}) {
    const std::regex pattern(defs[c.def]["pattern"].get<std::string>());
    for (const std::string& s : samples) {
      bool parses = true;
      try {
        units::parse(c.q, s);
      } catch (const units::UnitError&) {
        parses = false;
      }
      INFO(c.def << " on \"" << s << "\"");
      CHECK(std::regex_search(s, pattern) == parses);
    }
  }
}

TEST_CASE("every scenario shipped under scenarios/ loads", "[scenario]") {
  // Shipped scenarios are documentation: one that no longer loads is a broken example.
  // Sweep files (a "base" key) are checked by loading their plan, which loads every variant.
  int loaded = 0;
  for (const auto& entry : fs::recursive_directory_iterator(test::source_dir() / "scenarios")) {
    const fs::path& path = entry.path();
    if (path.extension() != ".json" || path.string().find(".schema.") != std::string::npos)
      continue;
    INFO(path.string());
    if (json::parse(test::read_file(path)).contains("base"))
      CHECK_NOTHROW(load_sweep(path.string()));
    else
      CHECK_NOTHROW(load_scenario(path.string()));
    ++loaded;
  }
  CHECK(loaded >= 1);
}

TEST_CASE("local-rule keys: typed, defaults as in the C++ spec, refused where they mean nothing", "[scenario][local_rule]") {
  const AlgorithmSpec defaults;
  json doc = minimal();
  doc["algorithm"] = {{"name", "fedspeed"}, {"clients_per_round", 2}};
  Scenario s = load_scenario(doc, "speed.json");
  CHECK(s.algorithm.rho == defaults.rho);
  CHECK(s.algorithm.lambda == defaults.lambda);
  CHECK(s.algorithm.merge_alpha == defaults.merge_alpha);
  CHECK(s.algorithm.ascent == defaults.ascent);
  CHECK(s.algorithm.dual_average == defaults.dual_average);
  CHECK(s.algorithm.weight_decay == defaults.weight_decay);
  CHECK(s.algorithm.clip_norm == defaults.clip_norm);
  CHECK(s.algorithm.clip_scope == defaults.clip_scope);
  CHECK(s.algorithm.lr_decay == defaults.lr_decay);
  CHECK(s.algorithm.participation == defaults.participation);
  CHECK_FALSE(s.resolved["algorithm"].contains("server_lr"));  // FedSpeed's server has none
  CHECK(s.resolved["algorithm"]["ascent"] == "normalized");

  doc["algorithm"] = {{"name", "fedspeed"}, {"clients_per_round", 2}, {"ascent", "unnormalized"},
                      {"dual_average", "active"}, {"merge_alpha", 0.5}, {"clip_norm", 10},
                      {"clip_scope", "step"}, {"weight_decay", 1e-3}, {"lr_decay", 0.998}};
  s = load_scenario(doc, "speed.json");
  CHECK(s.algorithm.ascent == LocalStep::Ascent::Unnormalized);
  CHECK(s.algorithm.dual_average == AlgorithmSpec::DualAverage::Active);
  CHECK(s.algorithm.merge_alpha == 0.5);
  CHECK(s.algorithm.clip_scope == LocalStep::ClipScope::Step);
  CHECK(s.algorithm.lr_decay == 0.998);

  doc["algorithm"] = {{"name", "fedadam"}, {"clients_per_round", 2}};
  s = load_scenario(doc, "adam.json");
  CHECK(s.algorithm.server_momentum == defaults.server_momentum);
  CHECK(s.algorithm.server_beta2 == defaults.server_beta2);
  CHECK(s.algorithm.server_epsilon == defaults.server_epsilon);
  doc["algorithm"] = {{"name", "fedcm"}, {"clients_per_round", 2}};
  CHECK(load_scenario(doc, "cm.json").algorithm.gradient_weight == defaults.gradient_weight);

  // A key another method reads is an error, naming who reads it.
  doc["algorithm"] = {{"name", "fedavg"}, {"clients_per_round", 2}, {"rho", 0.05}};
  CHECK(error_of([&] { load_scenario(doc, "a.json"); }) ==
        "a.json: /algorithm/rho: expected no \"rho\" with algorithm \"fedavg\": it applies to dfedsam, dfedsam-mgs, "
        "fedgamma, fedsam, fedsmoo, fedspeed and mofedsam");
}

TEST_CASE("Bernoulli participation and async local steps: what depends on another key", "[scenario][local_rule]") {
  json doc = minimal();
  doc["algorithm"] = {{"name", "fedavg"}, {"participation", "bernoulli"}, {"active_ratio", 0.3}};
  Scenario s = load_scenario(doc, "b.json");
  CHECK(s.algorithm.participation == AlgorithmSpec::Participation::Bernoulli);
  CHECK(s.algorithm.active_ratio == 0.3);
  CHECK_FALSE(s.resolved["algorithm"].contains("clients_per_round"));  // unused: not recorded
  CHECK_FALSE(s.resolved["algorithm"].contains("over_selection"));
  CHECK(load_scenario(s.resolved, "again.json").hash == s.hash);

  doc["algorithm"] = {{"name", "fedavg"}, {"participation", "bernoulli"}};
  CHECK(error_of([&] { load_scenario(doc, "b.json"); }) ==
        "b.json: /algorithm/active_ratio: expected a number in (0, 1] (required with participation \"bernoulli\")");
  doc["algorithm"] = {{"name", "fedavg"}, {"participation", "bernoulli"}, {"active_ratio", 0.3}, {"clients_per_round", 2}};
  CHECK(error_of([&] { load_scenario(doc, "b.json"); }) ==
        "b.json: /algorithm/clients_per_round: expected no \"clients_per_round\" with participation \"bernoulli\" "
        "(active_ratio sets who trains)");
  doc["algorithm"] = {{"name", "fedavg"}, {"clients_per_round", 2}, {"active_ratio", 0.3}};
  CHECK(error_of([&] { load_scenario(doc, "b.json"); }) ==
        "b.json: /algorithm/active_ratio: expected no \"active_ratio\" without participation \"bernoulli\"");

  doc["algorithm"] = {{"name", "fedbuff"}, {"clients_per_round", 2}, {"local_step", {{"rule", "sam"}}}};
  s = load_scenario(doc, "fb.json");
  CHECK(s.algorithm.local_step == AlgorithmSpec::ClientStep::Sam);
  CHECK(s.algorithm.rho == 0.1);
  CHECK(s.resolved["algorithm"]["local_step"] == json({{"rule", "sam"}, {"rho", 0.1}}));
  doc["algorithm"]["local_step"] = {{"rule", "prox"}, {"prox_mu", 0.5}};
  s = load_scenario(doc, "fb.json");
  CHECK(s.algorithm.local_step == AlgorithmSpec::ClientStep::Prox);
  CHECK(s.algorithm.prox_mu == 0.5);
  doc["algorithm"]["local_step"] = {{"rule", "sgd"}, {"rho", 0.5}};
  CHECK(error_of([&] { load_scenario(doc, "fb.json"); }) ==
        "fb.json: /algorithm/local_step/rho: expected no \"rho\" unless \"rule\" is \"sam\"");
  doc["algorithm"] = {{"name", "fedavg"}, {"clients_per_round", 2}, {"local_step", {{"rule", "sam"}}}};
  CHECK(error_of([&] { load_scenario(doc, "f.json"); }).find("/algorithm/local_step: expected no \"local_step\" with "
                                                             "algorithm \"fedavg\"") != std::string::npos);
}

// Pipelines over a chain of devices (auglocal, bp-pipeline): AugLocal's auxiliary-network rule
// against the card, the stage plan's flops, bytes and memory, the pipelined run against the
// sequential one bit for bit, the backward-locked timeline against its formula, determinism.
#include <catch2/catch.hpp>

#include <xxhash.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "algorithms/pipeline/auglocal.hpp"
#include "algorithms/pipeline/stage_plan.hpp"
#include "algorithms/pipeline/staged_network.hpp"
#include "emulator/config/scenario.hpp"
#include "test_support.hpp"
#include "workloads/data/dataset.hpp"
#include "workloads/data/partition.hpp"
#include "workloads/models/model_info.hpp"
#include "workloads/rng.hpp"

using namespace flemu;
using namespace flemu::test;
using nlohmann::json;

namespace {

/// `devices` edge devices of 1 Gf/s in a chain, 20 Mbps links of 1 ms; cnn5 on synthetic data.
json chain(const std::string& out, int devices, const json& algorithm) {
  json s = json::parse(R"({
    "seed": 7,
    "platform": {"network": "exact",
                 "classes": [{"name": "edge", "count": 1, "speed": "1Gf", "bandwidth": "20Mbps", "latency": "1ms"}]},
    "workload": {"dataset": "synthetic", "model": "cnn5", "samples_per_client": 96},
    "evaluation": {"test_samples": 200},
    "stop": {"rounds": 2}
  })");
  s["platform"]["classes"][0]["count"] = devices;
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

AlgorithmSpec algorithm(const std::string& name) {
  AlgorithmSpec a;
  a.name = name;
  a.family = "pipeline";
  return a;
}

}  // namespace

TEST_CASE("AugLocal's auxiliary depths and layers follow unifSamp and the pyramid (round half to even)",
          "[pipeline]") {
  // The card: with d = 2 and c = 0.5 every layer keeps depth 2.
  CHECK(auglocal_aux_depths(5, {2, 0.5}) == std::vector<int>{2, 2, 2, 2});
  // d = 3: 3, 3 (2.67), 2 (2.33), 2 (2.0).
  CHECK(auglocal_aux_depths(5, {3, 0.5}) == std::vector<int>{3, 3, 2, 2});
  // d = 4, layer 3: 4 x 0.5 + 0.5 = 2.5 -> 2 (to even), not 3.
  CHECK(auglocal_aux_depths(5, {4, 0.5}).back() == 2);
  // ResNet-32's 16 layers, d = 2, c = 1: depth falls to round(1.0) = 1 at layer 14.
  const auto r32 = auglocal_aux_depths(16, {2, 1.0});
  CHECK(r32.size() == 15);
  CHECK(r32.front() == 2);
  CHECK(r32.back() == 1);
  // Layers: uniformly spaced, always including the last; all the rest when deep enough.
  CHECK(auglocal_aux_layers(0, 5, 2) == std::vector<int>{2, 4});
  CHECK(auglocal_aux_layers(1, 5, 2) == std::vector<int>{2, 4});  // 1 + 3/2 = 2.5 -> 2
  CHECK(auglocal_aux_layers(2, 5, 2) == std::vector<int>{3, 4});
  CHECK(auglocal_aux_layers(3, 5, 2) == std::vector<int>{4});
  CHECK(auglocal_aux_layers(0, 16, 3) == std::vector<int>{5, 10, 15});
  // The auxiliary net of cnn5's layer 0 (16 channels, 28x28) at depth 2: layers 2 and 4.
  const AuxNetSpec aux = cnn5_aux_net(0, 2);
  REQUIRE(aux.convs.size() == 2);
  CHECK(aux.convs[0].out == 32);
  CHECK(aux.convs[0].stride == 2);
  CHECK(aux.convs[0].out_side == 14);
  CHECK(aux.convs[1].out == 64);
  CHECK(aux.convs[1].out_side == 7);
  CHECK(aux.features == 64);
  CHECK_FALSE(aux.batch_norm);
  CHECK(cnn5_aux_net(3, 1).batch_norm);  // BatchNorm1d only at depth <= 1
}

TEST_CASE("stage plan: split, flops, message bytes and memory", "[pipeline]") {
  const auto& net = cnn5_layers();
  const PipelinePlan bp = make_pipeline_plan(algorithm("bp-pipeline"), 4);
  REQUIRE(bp.stages.size() == 4);
  int layers = 0;
  for (const auto& s : bp.stages) layers += s.layers;
  CHECK(layers == 5);
  CHECK(bp.stages.back().has_head);
  // bp: forward F, backward 2F (F for the first layer).
  const StagePlan& first = bp.stages[0];
  CHECK(first.layers == 2);  // the balanced split: {2, 1, 1, 1} (layer 0 is 16x lighter than layer 1)
  double forward = 0, backward = 0;
  for (int l = 0; l < first.layers; ++l) {
    forward += net[l].forward_flops();
    backward += (l == 0 ? 1 : 2) * net[l].forward_flops();
  }
  CHECK(first.forward_flops == Approx(forward));
  CHECK(first.backward_flops == Approx(backward));
  // Messages: b samples of the stage's output in fp32, plus their int64 labels; gradients back.
  const int64_t out = net[first.layers - 1].output_floats();
  CHECK(bp.forward_bytes(0, 32) == 32.0 * (4 * out + 8));
  CHECK(bp.backward_bytes(0, 32) == 32.0 * 4 * out);
  CHECK(bp.forward_bytes(3, 32) == 0);
  const PipelinePlan al = make_pipeline_plan(algorithm("auglocal"), 4);
  CHECK(al.backward_bytes(0, 32) == 0);  // no message ever goes back
  // An explicit split.
  AlgorithmSpec a = algorithm("auglocal");
  a.layer_split = {2, 1, 1, 1};
  const PipelinePlan split = make_pipeline_plan(a, 4);
  CHECK(split.stages[0].layers == 2);
  CHECK(split.stages[0].aux.size() == 2);
  CHECK(split.stages[3].aux.empty());  // the last layer trains with the head
  a.layer_split = {2, 2, 2, 1};
  CHECK_THROWS_AS(make_pipeline_plan(a, 4), std::invalid_argument);
  // On one device (the paper's setting: sequential, single GPU) AugLocal keeps one layer's
  // activations at a time where backpropagation keeps all: its activation memory is smaller.
  const PipelinePlan al1 = make_pipeline_plan(algorithm("auglocal"), 1), bp1 = make_pipeline_plan(algorithm("bp-pipeline"), 1);
  CHECK(al1.stages[0].kept_floats < bp1.stages[0].kept_floats);
  CHECK(al1.memory_bytes(0, 256) < bp1.memory_bytes(0, 256));
  // On a chain of one layer per device, each device also holds its layer's auxiliary net,
  // whose activations backpropagation does not have: there AugLocal keeps more.
  a.layer_split = {2, 1, 1, 1};
  const PipelinePlan al_same = make_pipeline_plan(a, 4);
  CHECK(al_same.stages[1].kept_floats ==
        net[2].in * net[2].in_side * net[2].in_side + net[2].output_floats() + al_same.stages[1].aux[0].activation_floats());
  CHECK(al_same.stages[1].kept_floats > bp.stages[1].kept_floats);
}

TEST_CASE("pipelined training equals the same algorithm run sequentially, bit for bit", "[pipeline][e2e]") {
  const int devices = 3, samples = 96;
  for (const json& a : {json{{"name", "auglocal"}, {"batch_size", 16}, {"lr", 0.05}},
                        json{{"name", "bp-pipeline"}, {"batch_size", 16}, {"lr", 0.05}, {"micro_batches", 3}}}) {
    const auto out = scratch_dir("pipe-oracle") / "out";
    const json doc = chain(out.string(), devices, a);
    run_ok(doc, "pipe-oracle", 2);
    const std::string piped = json::parse(read_file(out / "summary.json"))["params_hash"];

    // The same run in one thread: data, partition, initial weights and minibatches as the
    // emulator makes them, then every stage's work one call after another.
    const Scenario sc = load_scenario(doc, "oracle.json");
    auto data = std::make_shared<TrainTest>(
        make_synthetic_dataset(int64_t(samples) * devices, 2000, derive_seed(sc.seed, SeedStream::Partition, {99})));
    const auto parts = partition_dataset(data->train.labels, data->train.num_classes, devices, samples,
                                         sc.workload.partition, derive_seed(sc.seed, SeedStream::Partition));
    const PipelinePlan plan = make_pipeline_plan(sc.algorithm, devices);
    const Params initial = initial_parameters(describe_model(ModelKind::Cnn5), derive_seed(sc.seed, SeedStream::ModelInit));
    auto net = make_torch_staged_network(plan, initial, data, sc.algorithm.lr, sc.algorithm.momentum,
                                         sc.algorithm.weight_decay, derive_seed(sc.seed, SeedStream::ModelInit, {1}));
    std::vector<std::vector<int32_t>> batches;
    for (int epoch = 1; epoch <= 2; ++epoch)
      for (auto& b : epoch_minibatches(parts[0], sc.algorithm.batch_size,
                                       derive_seed(sc.seed, SeedStream::Training, {uint64_t(epoch)})))
        batches.push_back(b);
    const Params sequential = train_sequentially(*net, plan, batches);
    INFO(a["name"]);
    CHECK(sequential != initial);
    CHECK(piped == fmt::format("{:016x}", XXH64(sequential.data(), sequential.size() * sizeof(float), 0)));
  }
}

TEST_CASE("bp-pipeline without micro-batches is backward-locked: a batch crosses the chain and back",
          "[pipeline][e2e][timing]") {
  // Two devices: per minibatch f0 + send(activations) + f1 + b1 + send(gradients) + b0 + step0.
  const int b = 16, samples = 64;
  const auto out = scratch_dir("bp-timing") / "out";
  json s = chain(out.string(), 2, {{"name", "bp-pipeline"}, {"batch_size", b}});
  s["training"] = "analytic";
  s["workload"]["samples_per_client"] = samples;
  run_ok(s, "bp-timing");
  AlgorithmSpec a = algorithm("bp-pipeline");
  const PipelinePlan plan = make_pipeline_plan(a, 2);
  const auto& s0 = plan.stages[0];
  const auto& s1 = plan.stages[1];
  const double speed = 1e9, link = 0.002, bw = 20e6 / 8;
  const double per_batch = b * s0.forward_flops / speed + link + plan.forward_bytes(0, b) / bw +
                           b * (s1.forward_flops + s1.backward_flops) / speed + link + plan.backward_bytes(0, b) / bw +
                           b * s0.backward_flops / speed + plan.update_flops(0) / speed;
  double epoch1 = -1;
  for (const auto& e : read_events(out))
    if (e["kind"] == "round_end" && e["round"] == 1) epoch1 = e["t"];
  CHECK(epoch1 == Approx((samples / b) * per_batch).epsilon(1e-9));
  // Memory is reported per device.
  const json summary = json::parse(read_file(out / "summary.json"));
  CHECK(summary["memory"]["peak_bytes_per_device"].size() == 2);
  CHECK(summary["memory"]["peak_bytes_per_device"][0] == plan.memory_bytes(0, b));
}

TEST_CASE("AugLocal's chain sends activations only and beats the backward-locked pipeline", "[pipeline][e2e]") {
  const auto base = scratch_dir("al-vs-bp");
  auto run = [&](const char* name) {
    json s = chain((base / name).string(), 4, {{"name", name}, {"batch_size", 16}});
    s["training"] = "analytic";
    return run_ok(s, name);
  };
  const auto al = read_events(run("auglocal")), bp = read_events(run("bp-pipeline"));
  auto epoch_end = [](const std::vector<json>& ev) {
    for (const auto& e : ev)
      if (e["kind"] == "round_end" && e["round"] == 1) return e["t"].get<double>();
    return -1.0;
  };
  int gradients = 0, backwards = 0;
  for (const auto& e : al) {
    if (e["kind"] == "send") {
      CHECK(e["op"] == "activations");
      CHECK(e["peer"].get<int>() == e["client"].get<int>() + 1);
    }
  }
  for (const auto& e : bp)
    if (e["kind"] == "send" && e["op"] == "gradients") {
      ++gradients;
      backwards += e["peer"].get<int>() == e["client"].get<int>() - 1;
    }
  CHECK(gradients > 0);
  CHECK(backwards == gradients);
  CHECK(epoch_end(al) < epoch_end(bp));
  // Stages overlap in time (different minibatches): some pair of devices computes at once.
  bool concurrent = false;
  for (const auto& x : al)
    for (const auto& y : al)
      if (x["kind"] == "train" && y["kind"] == "train" && x["client"] != y["client"] && x["t0"] < y["t"] &&
          y["t0"] < x["t"])
        concurrent = true;
  CHECK(concurrent);
}

TEST_CASE("pipeline runs are deterministic: --jobs 1 and 2 give the same bits", "[pipeline][e2e][determinism]") {
  const auto base = scratch_dir("pipe-det");
  const json a = {{"name", "auglocal"}, {"batch_size", 16}, {"aux_depth", 3}};
  const auto one = run_ok(chain((base / "1").string(), 3, a), "one", 1);
  const auto two = run_ok(chain((base / "2").string(), 3, a), "two", 2);
  CHECK(read_file(one / "events.jsonl") == read_file(two / "events.jsonl"));
  CHECK(read_file(one / "metrics.csv") == read_file(two / "metrics.csv"));
}

TEST_CASE("pipeline scenarios: what the loader refuses", "[pipeline][scenario]") {
  auto error_of = [](const json& doc) {
    try {
      load_scenario(doc, "p.json");
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const json base = chain("out/p", 4, {{"name", "auglocal"}});
  json mlp = base;
  mlp["workload"]["model"] = "mlp";
  CHECK(error_of(mlp).find("/workload/model: expected \"cnn5\"") != std::string::npos);
  json six = chain("out/p", 6, {{"name", "bp-pipeline"}});
  CHECK(error_of(six).find("/platform: expected at most 5 devices") != std::string::npos);
  json split = base;
  split["algorithm"]["layer_split"] = {1, 1, 1, 1};
  CHECK(error_of(split).find("/algorithm/layer_split: expected layer counts summing to 5") != std::string::npos);
  split["algorithm"]["layer_split"] = {4, 1};
  CHECK(error_of(split).find("one entry per device (4)") != std::string::npos);
  json micro = base;
  micro["algorithm"]["micro_batches"] = 2;  // auglocal has no micro-batches
  CHECK(error_of(micro).find("no \"micro_batches\" with algorithm \"auglocal\"") != std::string::npos);
  const Scenario s = load_scenario(base, "p.json");
  const AlgorithmSpec d;
  CHECK(s.algorithm.aux_depth == d.aux_depth);
  CHECK(s.algorithm.pyramid == d.pyramid);
  CHECK(s.algorithm.momentum == d.momentum);
  CHECK(s.algorithm.weight_decay == d.weight_decay);
  CHECK(load_scenario(chain("out/p", 4, {{"name", "bp-pipeline"}}), "p.json").algorithm.micro_batches == d.micro_batches);
}

// The GPU path: what must hold on a CUDA device. Hidden from the default run (CI is CPU):
// bench/gpu-check.sh runs them with `flemu_tests "[cuda]"` on a GPU machine, and on CPU as its
// fallback (FLEMU_TEST_DEVICE=cpu), so that the script itself is tested where no GPU is lent.
//
// The device comes from FLEMU_TEST_DEVICE ("cuda" unless set): asking for CUDA where LibTorch
// has none fails the test with that message; nothing is skipped silently.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <memory>

#include <nlohmann/json.hpp>

#include "test_support.hpp"
#include "workloads/data/dataset.hpp"
#include "workloads/data/partition.hpp"
#include "workloads/models/trainer.hpp"

using namespace flemu;
using namespace flemu::test;
using nlohmann::json;

namespace {

std::string test_device() {
  const char* d = std::getenv("FLEMU_TEST_DEVICE");
  return d && *d ? d : "cuda";
}

std::vector<TrainJob> clients(const TrainTest& data, std::shared_ptr<const Params> start, int count) {
  PartitionSpec spec;
  spec.scheme = PartitionScheme::Dirichlet;
  spec.alpha = 0.5;
  auto parts = partition_dataset(data.train.labels, 10, count, 120, spec, 11);
  std::vector<TrainJob> jobs;
  for (int c = 0; c < count; ++c) {
    TrainJob j;
    j.client = c;
    j.round = 1;
    j.seed = 1000 + c;
    j.start = start;
    j.indices = std::make_shared<const std::vector<int32_t>>(parts[c]);
    j.local.epochs = 2;
    j.local.batch_size = 32;
    j.local.lr = 0.05;
    jobs.push_back(j);
  }
  return jobs;
}

}  // namespace

TEST_CASE("on the test device, stacked clients train like one client at a time, within 1e-5", "[.cuda]") {
  const std::string device = test_device();
  INFO("FLEMU_TEST_DEVICE=" << device);
  auto data = std::make_shared<const TrainTest>(make_synthetic_dataset(1200, 200, 3));
  auto single = make_torch_trainer(ModelKind::Mlp, data, device, 0);
  auto stacked = make_torch_trainer(ModelKind::Mlp, data, device, 1);
  REQUIRE(single->device() == (device == "cuda" ? "cuda" : "cpu"));
  REQUIRE(stacked->prefers_groups());
  auto start = std::make_shared<const Params>(single->initial_params(5));
  const auto jobs = clients(*data, start, 8);
  const auto group = stacked->train_group(jobs);
  REQUIRE(group.size() == jobs.size());
  double worst = 0;
  for (size_t k = 0; k < jobs.size(); ++k) {
    const auto one = single->train(jobs[k]);
    REQUIRE(one.params.size() == group[k].params.size());
    for (size_t i = 0; i < one.params.size(); ++i)
      worst = std::max(worst, std::abs(double(one.params[i]) - group[k].params[i]));
    CHECK(group[k].mean_loss == Approx(one.mean_loss).epsilon(1e-5));
    CHECK(group[k].steps == one.steps);
  }
  WARN("stacked vs per-client on " << device << ": largest weight difference " << worst);
  CHECK(worst < 1e-5);  // the tolerance bench/README.md and trainer.hpp state
}

TEST_CASE("on the test device, a run twice gives byte-identical traces and metrics", "[.cuda]") {
  const std::string device = test_device();
  const auto base = scratch_dir("cuda-determinism");
  auto run = [&](const std::string& name) {
    json s = tiny_scenario((base / name).string());
    s["device"] = device;
    s["algorithm"]["clients_per_round"] = 4;
    const auto path = base / (name + ".json");
    write_file(path, s.dump(2));
    const auto r = run_flemu("run --quiet --jobs 2 " + path.string());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    return base / name;
  };
  const auto a = run("a"), b = run("b");
  const json summary = json::parse(read_file(a / "summary.json"));
  CHECK(summary["compute_device"] == (device == "cuda" ? "cuda" : "cpu"));
  CHECK(read_file(a / "events.jsonl") == read_file(b / "events.jsonl"));
  CHECK(read_file(a / "metrics.csv") == read_file(b / "metrics.csv"));
  CHECK(std::isfinite(summary["final_accuracy"].get<double>()));
}

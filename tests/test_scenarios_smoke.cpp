// Every shipped scenario, sweep and tutorial runs in CI in its cut-down form (--smoke), so
// that none rots: same platform, algorithm and dynamics; 2 rounds on a little synthetic data.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "emulator/config/smoke.hpp"
#include "test_support.hpp"

using namespace flemu::test;
using nlohmann::json;

TEST_CASE("cut_down keeps the experiment and shrinks the work", "[smoke]") {
  json s = json::parse(R"({"name": "x", "workload": {"dataset": "fashion-mnist", "samples_per_client": 600,
                           "partition": {"scheme": "shards", "shards_per_client": 3}},
                           "evaluation": {"every": 2, "test_samples": 2000}, "stop": {"time": "2h"},
                           "output": {"directory": "out/x"}, "algorithm": {"name": "fedbuff"}})");
  json c = flemu::cut_down(s);
  CHECK(c["stop"] == json{{"rounds", 2}});
  CHECK(c["workload"]["dataset"] == "synthetic");
  CHECK(c["workload"]["samples_per_client"] == 63);  // a multiple of 3 shards
  CHECK_FALSE(c["evaluation"].contains("test_samples"));
  CHECK(c["evaluation"]["every"] == 2);
  CHECK(c["output"]["directory"] == "out/x-smoke");
  CHECK(c["algorithm"] == s["algorithm"]);
}

TEST_CASE("cut_down shrinks a cluster and its local steps", "[smoke]") {
  json s = json::parse(R"({"platform": {"cluster": {"nodes": 16, "gpus_per_node": 8, "gpu_speed": "97Tf"}},
                           "workload": {"dataset": "synthetic"}, "algorithm": {"name": "co2", "inner_steps": 48}})");
  json c = flemu::cut_down(s);
  CHECK(c["platform"]["cluster"]["nodes"] == 2);
  CHECK(c["platform"]["cluster"]["gpus_per_node"] == 2);
  CHECK(c["platform"]["cluster"]["gpu_speed"] == "97Tf");
  CHECK(c["algorithm"]["inner_steps"] == 2);
}

namespace {

/// Every shipped scenario and sweep under scenarios/, in a fixed order.
std::vector<std::filesystem::path> shipped_files() {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(source_dir() / "scenarios"))
    if (entry.path().extension() == ".json" && entry.path().string().find(".schema.json") == std::string::npos)
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

/// Runs, in cut-down form, the shipped files whose index is `part` modulo `parts`: the files
/// are dealt into a few test cases so that ctest runs them side by side and none nears its
/// timeout as the scenarios grow.
void smoke_part(int part, int parts) {
  namespace fs = std::filesystem;
  const auto files = shipped_files();
  REQUIRE(files.size() >= 5);
  for (size_t i = static_cast<size_t>(part); i < files.size(); i += static_cast<size_t>(parts)) {
    const fs::path& f = files[i];
    const json doc = json::parse(read_file(f));
    const auto out = scratch_dir("smoke") / "out";
    const bool is_sweep = doc.contains("base");
    // Sweeps run two variants at once (the studies have dozens).
    auto r = run_flemu(std::string(is_sweep ? "sweep --parallel 2" : "run") + " --quiet --smoke -o " + out.string() +
                       " " + f.string());
    INFO(f.string() << "\n" << r.output);
    CHECK(r.exit_code == 0);
    if (r.exit_code != 0) continue;
    if (is_sweep) {
      const auto index = json::parse(read_file(out / "index.json"));
      CHECK(index["variants"].size() >= 2);
      for (const auto& v : index["variants"]) CHECK(v["status"] == "ran");
    } else {
      CHECK(fs::exists(out / "summary.json"));
      const json summary = json::parse(read_file(out / "summary.json"));
      if (summary.contains("quality"))  // analytics: no rounds, an answer
        CHECK(fs::exists(out / "topk.csv"));
      else
        CHECK(summary["rounds"] == 2);
    }
  }
}

constexpr int kSmokeParts = 4;

}  // namespace

TEST_CASE("every shipped scenario and tutorial runs in cut-down form (part 1 of 4)", "[smoke][e2e]") { smoke_part(0, kSmokeParts); }
TEST_CASE("every shipped scenario and tutorial runs in cut-down form (part 2 of 4)", "[smoke][e2e]") { smoke_part(1, kSmokeParts); }
TEST_CASE("every shipped scenario and tutorial runs in cut-down form (part 3 of 4)", "[smoke][e2e]") { smoke_part(2, kSmokeParts); }
TEST_CASE("every shipped scenario and tutorial runs in cut-down form (part 4 of 4)", "[smoke][e2e]") { smoke_part(3, kSmokeParts); }

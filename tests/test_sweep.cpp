// `flemu sweep`: expansion of grids and lists, one folder per variant, the index, resumption
// that redoes only missing or broken variants, and errors in sweep files.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "emulator/config/scenario.hpp"
#include "emulator/cli/sweep.hpp"
#include "test_support.hpp"

using namespace flemu;
using namespace flemu::test;
using nlohmann::json;

namespace {

const char* kBase = R"({
  "name": "base", "seed": 3, "training": "analytic",
  "platform": {"network": "exact",
    "classes": [{"name": "phone", "count": 3, "speed": "1Gf", "uplink": "2Mbps", "downlink": "8Mbps", "latency": "10ms"}]},
  "workload": {"dataset": "synthetic", "model": "mlp", "partition": {"scheme": "iid"}, "samples_per_client": 100},
  "algorithm": {"name": "fedavg", "clients_per_round": 2},
  "stop": {"rounds": 2}
})";

std::filesystem::path write_sweep(const std::filesystem::path& dir, const json& sweep) {
  write_file(dir / "base.json", kBase);
  write_file(dir / "sweep.json", sweep.dump(2));
  return dir / "sweep.json";
}

int count_lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

TEST_CASE("a grid expands to the cartesian product, a list adds variants", "[sweep]") {
  const auto dir = scratch_dir("sweep-plan");
  json sweep = {{"base", "base.json"},
                {"grid", {{"/platform/classes/0/uplink", {"1Mbps", "4Mbps"}}, {"/algorithm/lr", {0.01, 0.1}}}},
                {"list", {{{"label", "more clients"}, {"set", {{"/algorithm/clients_per_round", 3}}}}}},
                {"output", {{"directory", (dir / "out").string()}}}};
  const SweepPlan plan = load_sweep(write_sweep(dir, sweep).string());
  REQUIRE(plan.variants.size() == 5);
  CHECK(plan.variants[0].label == "lr=0.01 uplink=1Mbps");
  CHECK(plan.variants[0].scenario["platform"]["classes"][0]["uplink"] == "1Mbps");
  CHECK(plan.variants[3].scenario["algorithm"]["lr"] == 0.1);
  CHECK(plan.variants[4].label == "more clients");
  CHECK(plan.variants[4].scenario["algorithm"]["clients_per_round"] == 3);
  CHECK(plan.variants[4].id == "v004-more_clients");
  // Every variant writes into its own folder under the sweep's output.
  CHECK(plan.variants[1].scenario["output"]["directory"] == (dir / "out" / plan.variants[1].id).string());
}

TEST_CASE("bad sweep files name the file, the path and what was expected", "[sweep][errors]") {
  const auto dir = scratch_dir("sweep-bad");
  auto error_of = [&](const json& sweep) {
    try {
      load_sweep(write_sweep(dir, sweep).string());
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string f = (dir / "sweep.json").string();
  CHECK(error_of({{"base", "base.json"}}) == f + ": : expected a \"grid\" or a \"list\" of overrides");
  CHECK(error_of({{"base", "base.json"}, {"grid", {{"/algorithm/lr", json::array()}}}}) ==
        f + ": /grid//algorithm/lr: expected a non-empty array of values");
  CHECK(error_of({{"base", "base.json"}, {"grid", {{"/nowhere/lr", {1}}}}}) ==
        f + ": /grid: expected a pointer into the base scenario; \"/nowhere/lr\" has no parent there");
  CHECK(error_of({{"base", "base.json"}, {"gird", 1}}) ==
        f + ": /gird: expected one of name, description, base, grid, list, output (unknown key), got \"gird\"; "
                "did you mean \"grid\"?");
  // A variant that is not a valid scenario fails before anything runs, naming the variant.
  const std::string bad = error_of({{"base", "base.json"}, {"grid", {{"/platform/classes/0/uplink", {"fast"}}}}});
  CHECK_THAT(bad, Catch::Contains("(variant v000-uplink_fast: uplink=fast): /platform/classes/0/uplink: expected"));
}

TEST_CASE("a sweep runs every variant, writes an index, and resumes only what is missing or broken",
          "[sweep][e2e]") {
  const auto dir = scratch_dir("sweep-run");
  json sweep = {{"base", "base.json"},
                {"grid", {{"/platform/classes/0/uplink", {"1Mbps", "4Mbps", "16Mbps"}}}},
                {"output", {{"directory", (dir / "out").string()}}}};
  const auto path = write_sweep(dir, sweep);
  auto r = run_flemu("sweep --quiet --parallel 2 " + path.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("3 ran, 0 already complete, 0 failed"));
  const auto index = read_file(dir / "out" / "index.csv");
  CHECK(count_lines(index) == 4);  // header + 3 variants
  const auto idx = json::parse(read_file(dir / "out" / "index.json"));
  REQUIRE(idx["variants"].size() == 3);
  // Slower uplinks, longer runs: the index carries each variant's summary.
  const double t0 = idx["variants"][0]["summary"]["simulated_time_s"], t2 = idx["variants"][2]["summary"]["simulated_time_s"];
  CHECK(t0 > t2);

  auto again = run_flemu("sweep --quiet " + path.string());
  CHECK_THAT(again.output, Catch::Contains("0 ran, 3 already complete, 0 failed"));

  // Break one variant's trace and delete another's summary: exactly those two rerun.
  const std::string v1 = idx["variants"][1]["directory"], v2 = idx["variants"][2]["directory"];
  write_file(std::filesystem::path(v1) / "events.jsonl", "tampered\n");
  std::filesystem::remove(std::filesystem::path(v2) / "summary.json");
  auto resumed = run_flemu("sweep --quiet " + path.string());
  CHECK_THAT(resumed.output, Catch::Contains("2 ran, 1 already complete, 0 failed"));
  CHECK(read_file(std::filesystem::path(v1) / "events.jsonl") != "tampered\n");

  // A report of the sweep folder shows every variant, labelled by its override.
  const auto html = dir / "sweep.html";
  auto report = run_flemu("report " + (dir / "out").string() + " -o " + html.string());
  INFO(report.output);
  REQUIRE(report.exit_code == 0);
  const std::string page = read_file(html);
  for (const char* label : {"uplink=1Mbps", "uplink=4Mbps", "uplink=16Mbps"}) CHECK_THAT(page, Catch::Contains(label));
}

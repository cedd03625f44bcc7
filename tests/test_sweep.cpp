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

TEST_CASE("vary and seeds axes make a sweep of a scenario, seeds innermost", "[sweep]") {
  const auto dir = scratch_dir("sweep-vary");
  write_file(dir / "base.json", kBase);
  SweepRequest req;
  req.path = (dir / "base.json").string();
  req.vary = {parse_vary_option("/platform/classes/phone/uplink=1Mbps,10Mbps")};
  req.seeds = 2;
  const SweepPlan plan = plan_sweep(req);
  REQUIRE(plan.variants.size() == 4);
  CHECK(plan.seeded);
  CHECK(plan.name == "base-uplink-seeds2");
  CHECK(plan.output_dir == "out/base-uplink-seeds2");
  CHECK(plan.variants[0].label == "uplink=1Mbps seed=3");  // the base seed, then +1
  CHECK(plan.variants[1].label == "uplink=1Mbps seed=4");
  CHECK(plan.variants[1].group == "uplink=1Mbps");
  CHECK(plan.variants[2].group == "uplink=10Mbps");
  const json& v = plan.variants[3].scenario;
  CHECK(v["platform"]["classes"][0]["uplink"] == "10Mbps");
  CHECK(v["seed"] == 4);
  // The variant's scenario records what was changed and where it belongs.
  CHECK(v["overrides"]["sweep"] == plan.name);
  CHECK(v["overrides"]["group"] == "uplink=10Mbps");
  CHECK(v["overrides"]["set"][0] == json{{"pointer", "/platform/classes/0/uplink"},
                                         {"given", "/platform/classes/phone/uplink"},
                                         {"value", "10Mbps"},
                                         {"from", "sweep"}});
  CHECK(v["overrides"]["set"][1]["pointer"] == "/seed");
  // Variants that differ only by seed have one scenario hash apart from the seed.
  CHECK(load_scenario(plan.variants[0].scenario, "v0").hash != load_scenario(plan.variants[1].scenario, "v1").hash);
}

TEST_CASE("vary values: JSON when they parse, text otherwise, commas inside brackets kept", "[sweep]") {
  const auto a = parse_vary_option("/algorithm/lr=0.01,0.1");
  REQUIRE(a.values.size() == 2);
  CHECK(a.values[0] == 0.01);
  const auto b = parse_vary_option("/x=[1,2],{\"a\":[3,4]},\"q,r\",fedbuff");
  REQUIRE(b.values.size() == 4);
  CHECK(b.values[0] == json::array({1, 2}));
  CHECK(b.values[1] == json{{"a", {3, 4}}});
  CHECK(b.values[2] == "q,r");
  CHECK(b.values[3] == "fedbuff");
  CHECK_THROWS_WITH(parse_vary_option("/algorithm/lr"), Catch::Contains("expected POINTER=v1,v2"));
  CHECK_THROWS_WITH(parse_vary_option("/algorithm/lr=0.1,,0.2"), Catch::Contains("got an empty one"));
}

TEST_CASE("labels name what differs, lengthened where two pointers would read alike", "[sweep]") {
  const auto dir = scratch_dir("sweep-labels");
  json base = json::parse(kBase);
  base["platform"]["classes"].push_back(json::parse(
      R"({"name": "laptop", "count": 1, "speed": "4Gf", "uplink": "10Mbps", "downlink": "20Mbps", "latency": "5ms"})"));
  write_file(dir / "base.json", base.dump());
  // Written by hand: the grid's axes are taken in the file's order.
  write_file(dir / "sweep.json", R"({"base": "base.json",
      "grid": {"/platform/classes/phone/uplink": ["1Mbps"], "/platform/classes/1/uplink": ["2Mbps", "4Mbps"]},
      "seeds": [7, 9]})");
  const SweepPlan plan = load_sweep((dir / "sweep.json").string());
  REQUIRE(plan.variants.size() == 4);
  CHECK(plan.variants[0].label == "phone/uplink=1Mbps laptop/uplink=2Mbps seed=7");
  CHECK(plan.variants[1].label == "phone/uplink=1Mbps laptop/uplink=2Mbps seed=9");
  CHECK(plan.variants[3].group == "phone/uplink=1Mbps laptop/uplink=4Mbps");
  CHECK(plan.variants[3].scenario["platform"]["classes"][1]["uplink"] == "4Mbps");
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
  CHECK(error_of({{"base", "base.json"}}) ==
        f + ": /: expected a \"grid\", a \"list\" or \"seeds\" (or --vary / --seeds on the command line)");
  CHECK(error_of({{"base", "base.json"}, {"grid", {{"/algorithm/lr", json::array()}}}}) ==
        f + ": /grid/~1algorithm~1lr: expected a non-empty array");
  // A pointer the base scenario has no place for: the variant names it, the schema says what is known.
  CHECK_THAT(error_of({{"base", "base.json"}, {"grid", {{"/nowhere/lr", {1}}}}}),
             Catch::Contains("(variant v000-lr_1: lr=1): /nowhere: expected a known key"));
  CHECK_THAT(error_of({{"base", "base.json"}, {"grid", {{"/platform/classes/tablet/uplink", {"1Mbps"}}}}}),
             Catch::Contains("/platform/classes/tablet/uplink: expected a name (\"phone\") or an index (0 to 0) at "
                             "/platform/classes, got \"tablet\""));
  CHECK(error_of({{"base", "base.json"}, {"gird", 1}}) ==
        f + ": /gird: expected a known key (did you mean \"grid\"?)");
  CHECK_THAT(error_of({{"base", "base.json"}, {"seeds", 0}}), Catch::Contains(": /seeds: expected"));
  CHECK_THAT(error_of({{"base", "base.json"}, {"seeds", 2}, {"grid", {{"/seed", {1, 2}}}}}),
             Catch::Contains("expected no seed override when seeds are a sweep axis"));
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

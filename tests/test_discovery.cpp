// Finding one's way: `flemu --version`, `flemu list` (read from the schema's data, so adding
// an algorithm, model, dataset or topology is adding schema data), `flemu schema`,
// `describe`'s estimates, and validate/describe of sweep files.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "emulator/cli/catalog.hpp"
#include "emulator/cli/estimate.hpp"
#include "emulator/config/scenario.hpp"
#include "test_support.hpp"

using namespace flemu;
using namespace flemu::test;
using nlohmann::json;

TEST_CASE("every value a list shows has a one-line summary in the schema", "[discovery]") {
  const json& schema = scenario_schema();
  const auto lists = catalog_lists(schema);
  for (const char* want : {"algorithms", "models", "datasets", "topologies", "partitions"})
    CHECK(std::find(lists.begin(), lists.end(), want) != lists.end());
  for (const auto& l : lists) {
    const Catalog c = read_catalog(schema, l);
    for (const auto& e : c.entries) {
      INFO(l << ": " << e.name);
      CHECK_FALSE(e.summary.empty());  // add it beside the enum ("x-catalog") when adding a value
    }
  }
  // Algorithms: the enum and the catalog agree, each with its family and paper; keys follow x-for.
  const Catalog algos = read_catalog(schema, "algorithms");
  CHECK(algos.scenario_key == "/algorithm/name");
  CHECK(algos.entries.size() == schema["properties"]["algorithm"]["properties"]["name"]["enum"].size());
  for (const auto& e : algos.entries) {
    INFO(e.name);
    CHECK(e.family == algorithm_family(e.name));
    CHECK_FALSE(e.paper.empty());
  }
  auto keys_of = [&](const std::string& name) {
    std::vector<std::string> out;
    for (const auto& e : algos.entries)
      if (e.name == name)
        for (const auto& k : e.keys) out.push_back(k.name);
    return out;
  };
  const auto fedprox = keys_of("fedprox");
  CHECK(std::find(fedprox.begin(), fedprox.end(), "prox_mu") != fedprox.end());
  const auto fedavg = keys_of("fedavg");
  CHECK(std::find(fedavg.begin(), fedavg.end(), "prox_mu") == fedavg.end());
  CHECK_THROWS_WITH(read_catalog(schema, "codecs"), Catch::Contains("expected one of"));
}

TEST_CASE("lists read enums, oneOf constants and objects with a kind, and are empty until declared", "[discovery]") {
  // A schema as another issue might write it: a topology object whose "kind" picks the graph.
  const json schema = json::parse(R"({
    "x-lists": {
      "topologies": {"values": "/properties/platform/properties/topology"},
      "codecs": {"values": "/$defs/codec", "at": "/compression/codec"},
      "missing": {"values": "/properties/nothing/properties/here"}
    },
    "properties": {"platform": {"properties": {"topology": {"$ref": "#/$defs/topology"}}}},
    "$defs": {
      "topology": {"type": "object", "required": ["kind"], "properties": {
        "kind": {"enum": ["ring", "torus"], "x-catalog": {"ring": "A cycle.", "torus": {"summary": "A 2-D torus."}}},
        "degree": {"type": "integer", "default": 2, "description": "Neighbours (integer).", "x-for": ["ring"]}}},
      "codec": {"oneOf": [
        {"type": "object", "properties": {"name": {"const": "topk", "description": "Keep the k largest. More text."},
                                          "k": {"default": 0.01}}},
        {"const": "none", "description": "No compression."}]}
    }
  })");
  const Catalog topo = read_catalog(schema, "topologies");
  CHECK(topo.scenario_key == "/platform/topology/kind");
  REQUIRE(topo.entries.size() == 2);
  CHECK(topo.entries[0].summary == "A cycle.");
  CHECK(topo.entries[1].summary == "A 2-D torus.");
  REQUIRE(topo.entries[0].keys.size() == 1);
  CHECK(topo.entries[0].keys[0].name == "degree");
  CHECK(topo.entries[1].keys.empty());
  const Catalog codecs = read_catalog(schema, "codecs");
  CHECK(codecs.scenario_key == "/compression/codec");
  REQUIRE(codecs.entries.size() == 2);
  CHECK(codecs.entries[0].name == "topk");
  CHECK(codecs.entries[0].summary == "Keep the k largest.");
  CHECK(codecs.entries[0].keys[0].default_value == "0.01");
  CHECK(codecs.entries[1].name == "none");
  const Catalog missing = read_catalog(schema, "missing");
  CHECK(missing.entries.empty());
  CHECK_THAT(format_catalog(missing), Catch::Contains("none declared yet"));
}

TEST_CASE("flemu --version, list, schema and --log-level after the subcommand", "[discovery][e2e]") {
  auto v = run_flemu("--version");
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.output, Catch::Contains("flemu ") && Catch::Contains("SimGrid 3.") && Catch::Contains("LibTorch "));
  auto l = run_flemu("list algorithms --log-level warn");
  CHECK(l.exit_code == 0);
  CHECK_THAT(l.output, Catch::Contains("fedbuff (async)") && Catch::Contains("buffer_size=10"));
  auto t = run_flemu("list topologies");
  CHECK(t.exit_code == 0);
  auto bad = run_flemu("list codecs");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains("expected one of"));
  auto j = run_flemu("list --json");
  REQUIRE(j.exit_code == 0);
  CHECK(json::parse(j.output).size() == catalog_lists(scenario_schema()).size());
  auto s = run_flemu("schema");
  REQUIRE(s.exit_code == 0);
  CHECK(json::parse(s.output) == scenario_schema());
  auto sw = run_flemu("schema sweep");
  REQUIRE(sw.exit_code == 0);
  CHECK(json::parse(sw.output)["title"] == "flemu sweep");
}

TEST_CASE("expected order statistics of a random selection", "[discovery][estimate]") {
  const std::vector<double> t = {1, 2, 3, 4};
  CHECK(expected_order_statistic(t, 4, 4) == Approx(4));    // everyone: the slowest
  CHECK(expected_order_statistic(t, 1, 1) == Approx(2.5));  // one at random: the mean
  // Max of 2 of 4: P(max=2)=1/6, P(3)=2/6, P(4)=3/6.
  CHECK(expected_order_statistic(t, 2, 2) == Approx((2 * 1 + 3 * 2 + 4 * 3) / 6.0));
  // The first 1 of 2 picked (over-selection): min of 2 of 4: P(1)=3/6, P(2)=2/6, P(3)=1/6.
  CHECK(expected_order_statistic(t, 2, 1) == Approx((1 * 3 + 2 * 2 + 3 * 1) / 6.0));
}

TEST_CASE("describe's round estimate is tutorial 01's hand computation", "[discovery][estimate]") {
  const Scenario sc = load_scenario((source_dir() / "scenarios/tutorials/01-hello-round/scenario.json").string());
  const RoundEstimate r = estimate_round(sc);
  REQUIRE(r.available);
  // 0.020 + 796840 / 5e6 + 879200 x 1000 / 4e9 + 0.020 + 796840 / 1.25e6 (README of the tutorial)
  CHECK(r.expected_s == Approx(0.02 + 796840 / 5e6 + 879200.0 * 1000 / 4e9 + 0.02 + 796840 / 1.25e6));
  const RunEstimate run = estimate_run(sc, r);
  CHECK(run.rounds == 5);
  CHECK(run.simulated_s == Approx(5 * r.expected_s));
  auto d = run_flemu("describe --no-wall-estimate " + (source_dir() / "scenarios/tutorials/01-hello-round/scenario.json").string());
  CHECK(d.exit_code == 0);
  CHECK_THAT(d.output, Catch::Contains("algorithm: fedavg (sync)") && Catch::Contains("stop: after 5 rounds") &&
                           Catch::Contains("one round: about 1.06 s") && Catch::Contains("5.28 s of simulated time"));
}

TEST_CASE("validate and describe take sweep files", "[discovery][sweep]") {
  const auto sweep = source_dir() / "scenarios/battery-drain.json";
  auto v = run_flemu("validate " + sweep.string());
  INFO(v.output);
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.output, Catch::Contains("valid sweep \"battery-drain\" of 3 variants"));
  auto d = run_flemu("describe " + sweep.string());
  CHECK(d.exit_code == 0);
  CHECK_THAT(d.output, Catch::Contains("v002-deadline-3.5s-over-selection-0.3") && Catch::Contains("base scenario:"));
  const auto dir = scratch_dir("discovery-badsweep");
  write_file(dir / "s.json", R"({"base": ")" + (source_dir() / "scenarios/battery-drain.base.json").string() +
                                 R"(", "grid": {"/algorithm/deadline": ["soon"]}})");
  auto bad = run_flemu("validate " + (dir / "s.json").string());
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Catch::Contains("(variant v000-deadline_soon: deadline=soon): /algorithm/deadline: expected"));
}

// Overrides (emulator/config/overrides.hpp): --set values, pointers by name or index, what is
// refused, and the record the resolved scenario keeps; then `flemu run --set --seed` end to end.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "emulator/config/overrides.hpp"
#include "emulator/config/scenario.hpp"
#include "test_support.hpp"

using namespace flemu;
using namespace flemu::test;
using nlohmann::json;

namespace {

std::string error_of(json doc, const std::vector<Override>& o) {
  try {
    apply_overrides(doc, o, "s.json");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("set values are JSON when they parse, else text", "[overrides]") {
  CHECK(parse_cli_value("7") == 7);
  CHECK(parse_cli_value("0.05") == 0.05);
  CHECK(parse_cli_value("true") == true);
  CHECK(parse_cli_value("null").is_null());
  CHECK(parse_cli_value("[1, 2]") == json::array({1, 2}));
  CHECK(parse_cli_value("\"10\"") == "10");
  CHECK(parse_cli_value("1Mbps") == "1Mbps");
  CHECK(parse_cli_value("fedbuff") == "fedbuff");
  CHECK(parse_cli_value("") == "");
  CHECK_THROWS_WITH(parse_cli_value("1e400"), Catch::Contains("out of range"));
  const Override o = parse_set_option("/algorithm/name=fed=buff");
  CHECK(o.pointer == "/algorithm/name");
  CHECK(o.value == "fed=buff");  // only the first '=' separates
  CHECK_THROWS_WITH(parse_set_option("algorithm/name=x"), Catch::Contains("expected POINTER=VALUE"));
  CHECK_THROWS_WITH(parse_set_option("/algorithm/name"), Catch::Contains("expected POINTER=VALUE"));
}

TEST_CASE("pointers name classes and devices by name or index, and the record keeps both", "[overrides]") {
  json doc = tiny_scenario("out/x");
  doc["platform"]["devices"] = json::array({json{{"name", "gateway"}, {"class", "fast"}}});
  apply_overrides(doc,
                  {{"/platform/classes/fast/bandwidth", "1Mbps", "--set"},
                   {"/platform/classes/0/speed", "3Gf", "--set"},
                   {"/platform/devices/gateway/speed", "9Gf", "--set"},
                   {"/evaluation/every", 2, "--set"},  // "evaluation" is absent: created
                   {"/seed", 11, "--seed"}},
                  "s.json");
  CHECK(doc["platform"]["classes"][1]["bandwidth"] == "1Mbps");
  CHECK(doc["platform"]["classes"][0]["speed"] == "3Gf");
  CHECK(doc["platform"]["devices"][0]["speed"] == "9Gf");
  CHECK(doc["evaluation"]["every"] == 2);
  CHECK(doc["seed"] == 11);
  const json& set = doc["overrides"]["set"];
  REQUIRE(set.size() == 5);
  CHECK(set[0] == json{{"pointer", "/platform/classes/1/bandwidth"},
                       {"given", "/platform/classes/fast/bandwidth"},
                       {"value", "1Mbps"},
                       {"from", "--set"}});
  CHECK_FALSE(set[1].contains("given"));  // given as an index: nothing to resolve
  CHECK(set[4]["from"] == "--seed");
  // The document is still a valid scenario; the record is not part of its hash.
  const Scenario with = load_scenario(doc, "with");
  json plain = doc;
  plain.erase("overrides");
  CHECK(load_scenario(plain, "plain").hash == with.hash);
  CHECK(with.resolved["overrides"] == doc["overrides"]);
}

TEST_CASE("bad pointers fail naming the override, the place and what is there", "[overrides][errors]") {
  const json doc = tiny_scenario("out/x");
  CHECK(error_of(doc, {{"/platform/classes/tablet/uplink", "1Mbps", "--set"}}) ==
        "s.json (--set): /platform/classes/tablet/uplink: expected a name (\"slow\", \"fast\") or an index (0 to 1) "
        "at /platform/classes, got \"tablet\"");
  CHECK(error_of(doc, {{"/platform/classes/2/uplink", "1Mbps", "--set"}}) ==
        "s.json (--set): /platform/classes/2/uplink: expected a name (\"slow\", \"fast\") or an index (0 to 1) at "
        "/platform/classes, got \"2\"");
  CHECK(error_of(doc, {{"/platform/classes/slow/uplink/x", 1, "--set"}}) ==
        "s.json (--set): /platform/classes/slow/uplink/x: expected an object or array at /platform/classes/0/uplink "
        "to go into, found string \"2Mbps\"");
  CHECK_THAT(error_of(doc, {{"/overrides/set", 1, "--set"}}), Catch::Contains("\"overrides\" is flemu's record"));
  CHECK_THAT(error_of(doc, {{"/a~2b", 1, "--set"}}), Catch::Contains("RFC 6901"));
  // A value the schema refuses is the loader's to report, naming the override.
  const auto dir = scratch_dir("overrides-bad");
  write_file(dir / "s.json", doc.dump());
  try {
    load_scenario((dir / "s.json").string(), {{"/platform/classes/slow/uplink", "fast", "--set"}});
    FAIL("no error");
  } catch (const ScenarioError& e) {
    CHECK_THAT(e.what(), Catch::Contains("s.json with --set /platform/classes/slow/uplink=fast: "
                                         "/platform/classes/0/uplink: expected a positive rate"));
  }
}

TEST_CASE("flemu run --set --seed: the run uses them and scenario.resolved.json records them", "[overrides][e2e]") {
  const auto dir = scratch_dir("overrides-run");
  json s = tiny_scenario((dir / "ignored").string());
  s["training"] = "analytic";
  write_file(dir / "s.json", s.dump());
  const auto out = dir / "out";
  auto r = run_flemu("run --quiet " + (dir / "s.json").string() + " -o " + out.string() +
                     " --set /platform/classes/slow/uplink=100Mbps --set /stop/rounds=2 --seed 9 --log-level warn");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const json resolved = json::parse(read_file(out / "scenario.resolved.json"));
  CHECK(resolved["platform"]["classes"][0]["uplink"] == "100Mbps");
  CHECK(resolved["seed"] == 9);
  CHECK(resolved["overrides"]["set"].size() == 3);
  CHECK(resolved["overrides"]["set"][0]["given"] == "/platform/classes/slow/uplink");
  // The output directory actually used, not the scenario's.
  CHECK(resolved["output"]["directory"] == out.string());
  CHECK(json::parse(read_file(out / "summary.json"))["rounds"] == 2);
  // Running the resolved scenario again gives the same scenario (the record applies nothing twice).
  auto again = run_flemu("validate " + (out / "scenario.resolved.json").string());
  CHECK_THAT(again.output, Catch::Contains(json::parse(read_file(out / "summary.json"))["scenario_hash"].get<std::string>()));
}
